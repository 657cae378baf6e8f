import { z } from 'zod';

/**
 * An AWS IAM service: whose credentials manage the access keys and where IAM and STS are. Config only:
 * the admin credentials are those of a saved AWS connection (`--connection prod-aws`, kept in the
 * keychain by Connections), or the SDK's default chain (environment, profile, SSO, instance role) when
 * no connection is named; a rotator with --self signs with the key it rotates.
 */
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as us-east-1');
const httpUrl = z.url({ protocol: /^https?$/ });

export const awsIamSettingsSchema = z.strictObject({
  /** A saved AWS connection whose credentials may manage the user's access keys. */
  connection: z.string().min(1).max(128).optional(),
  /** Where STS is asked (GetCallerIdentity); default: the connection's region, else AWS_REGION, else us-east-1. */
  region: region.optional(),
  /** For a private endpoint or a test double; absent: AWS's own. */
  iamEndpoint: httpUrl.optional(),
  stsEndpoint: httpUrl.optional(),
});
export type AwsIamSettings = z.infer<typeof awsIamSettingsSchema>;

export function describeAwsIam(settings: AwsIamSettings): string {
  const credentials = settings.connection === undefined ? 'the default AWS credential chain' : `connection ${settings.connection}`;
  const endpoint = settings.iamEndpoint === undefined ? '' : ` at ${new URL(settings.iamEndpoint).host}`;
  return `AWS IAM${endpoint} with ${credentials}${settings.region === undefined ? '' : ` (STS in ${settings.region})`}`;
}

/** IAM is global: requests are signed for its partition's home region, whatever region STS uses. */
export function iamSigningRegion(stsRegion: string): string {
  if (stsRegion.startsWith('cn-')) return 'cn-north-1';
  if (stsRegion.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}
