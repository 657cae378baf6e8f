import { z } from 'zod';
import { USER_SECRETS_SERVICE } from '../../keychain-namespace';

/**
 * How a connection to each backend is configured: non-secret settings only. Credentials (a Vault
 * token or AppRole secret id, AWS keys, a Google key, an Azure client secret) live in the OS keychain
 * under the entry named by `credentialsAccount`, never here; the schemas are strict, so a config file
 * that carries a credential field is refused rather than silently kept.
 */
export const layoutSchema = z.enum(['native', 'handsfree']);
export type Layout = z.infer<typeof layoutSchema>;

const credentialsAccount = z
  .string()
  .regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'a keychain entry name: letters, digits and . _ : @ -, at most 128 characters')
  .describe('The keychain entry (service latchkey-connections) holding this connection’s credentials.');

const httpUrl = z.url({ protocol: /^https?$/ });

export const envConnectionSchema = z.strictObject({
  kind: z.literal('env'),
  /** Prefix of variables made from keys; the seed's is HANDSFREE_SECRET_. */
  prefix: z.string().regex(/^([A-Za-z_][A-Za-z0-9_]*)?$/, 'empty or a variable name prefix: letters, digits and _, not starting with a digit').default('HANDSFREE_SECRET_'),
});

export const keychainConnectionSchema = z.strictObject({
  kind: z.literal('keychain'),
  /** Service that keys are placed under; never one of Latchkey's own (parseConnection refuses those). */
  service: z.string().min(1).max(128).default(USER_SECRETS_SERVICE),
});

export const vaultConnectionSchema = z.strictObject({
  kind: z.literal('vault'),
  address: httpUrl,
  namespace: z.string().min(1).max(256).optional(),
  mount: z.string().min(1).max(256).default('secret'),
  field: z.string().min(1).max(128).default('value'),
  layout: layoutSchema.default('native'),
  auth: z.discriminatedUnion('method', [
    z.strictObject({ method: z.literal('token') }),
    /** The role id is an identifier (like a user name); the secret id is a credential and stays in the keychain. */
    z.strictObject({ method: z.literal('approle'), roleId: z.string().min(1).max(256), mount: z.string().min(1).max(128).default('approle') }),
  ]),
  tls: z
    .strictObject({
      /** A PEM file with the CA that signed Vault's certificate. */
      caFile: z.string().min(1).optional(),
      serverName: z.string().min(1).max(253).optional(),
      insecureSkipVerify: z.boolean().default(false),
    })
    .default({ insecureSkipVerify: false }),
  credentialsAccount: credentialsAccount.optional(),
});

export const awsConnectionSchema = z.strictObject({
  kind: z.literal('aws'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as us-east-1'),
  endpoint: httpUrl.optional(),
  layout: layoutSchema.default('native'),
  /** Prefix of names made from keys (HandsFree: "handsfree/"). */
  prefix: z.string().max(256).optional(),
  recoveryWindowDays: z.number().int().min(7).max(30).default(30),
  credentials: z.discriminatedUnion('source', [
    /** Environment, shared config and profile, SSO, IAM role: the SDK's standard chain. */
    z.strictObject({ source: z.literal('default-chain'), profile: z.string().min(1).max(128).optional() }),
    /** Access keys given with the connection: its keychain entry in the app, AWS_* variables in the CLI. */
    z.strictObject({ source: z.literal('access-keys') }),
  ]),
  credentialsAccount: credentialsAccount.optional(),
});

export const gcpConnectionSchema = z.strictObject({
  kind: z.literal('gcp'),
  projectId: z.string().regex(/^([a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20})$/, 'a Google Cloud project id'),
  endpoint: httpUrl.optional(),
  layout: layoutSchema.default('native'),
  /** Prefix of secret ids made from keys (HandsFree: "handsfree"). */
  prefix: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,100}$/, 'lower-case letters, digits, _ and -, starting with a letter or digit').optional(),
  credentials: z.discriminatedUnion('source', [
    z.strictObject({ source: z.literal('adc') }),
    /** A key file on disk (a path is not a secret; the file is). */
    z.strictObject({ source: z.literal('key-file'), path: z.string().min(1) }),
    /** A key's JSON stored in the keychain entry `credentialsAccount`. */
    z.strictObject({ source: z.literal('stored-key') }),
  ]),
  credentialsAccount: credentialsAccount.optional(),
});

export const azureConnectionSchema = z.strictObject({
  kind: z.literal('azure'),
  vaultUrl: httpUrl.optional(),
  vaultName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/, 'a Key Vault name: 3 to 24 letters, digits and -, starting with a letter').optional(),
  dnsSuffix: z.string().min(3).max(253).default('vault.azure.net'),
  authorityHost: httpUrl.optional(),
  /**
   * Only for a private cloud or Azure Stack whose authority Microsoft's instance discovery does not
   * know (and cannot be reached from here): trusts authorityHost as given, so set it only with one.
   */
  disableInstanceDiscovery: z.boolean().optional(),
  /** Only for a private endpoint whose host is not <vault>.vault.azure.net. */
  disableChallengeResourceVerification: z.boolean().default(false),
  credentials: z.discriminatedUnion('source', [
    /** DefaultAzureCredential: environment, workload or managed identity, Azure CLI. */
    z.strictObject({ source: z.literal('default') }),
    /** A service principal whose client secret is in the keychain entry `credentialsAccount`. */
    z.strictObject({ source: z.literal('client-secret'), tenantId: z.string().min(1).max(128), clientId: z.string().min(1).max(128) }),
  ]),
  credentialsAccount: credentialsAccount.optional(),
});

export const connectionSchema = z.discriminatedUnion('kind', [envConnectionSchema, keychainConnectionSchema, vaultConnectionSchema, awsConnectionSchema, gcpConnectionSchema, azureConnectionSchema]);

export type Connection = z.infer<typeof connectionSchema>;
export type ConnectionKind = Connection['kind'];
export type VaultConnection = z.infer<typeof vaultConnectionSchema>;
export type AwsConnection = z.infer<typeof awsConnectionSchema>;
export type GcpConnection = z.infer<typeof gcpConnectionSchema>;
export type AzureConnection = z.infer<typeof azureConnectionSchema>;
/** What a caller writes (defaults may be left out). */
export type ConnectionInput = z.input<typeof connectionSchema>;

/** The credentials of each kind of connection, as kept in its keychain entry (JSON). */
export const vaultCredentialsSchema = z.strictObject({ token: z.string().min(1).optional(), secretId: z.string().min(1).optional() });
// AWS judges its own keys: LocalStack and moto take "test", so only emptiness is refused here.
export const awsCredentialsSchema = z.strictObject({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().min(1).optional() });
export const gcpCredentialsSchema = z.strictObject({ keyJson: z.record(z.string(), z.unknown()) });
export const azureCredentialsSchema = z.strictObject({ clientSecret: z.string().min(1) });

export type VaultCredentials = z.infer<typeof vaultCredentialsSchema>;
export type AwsCredentials = z.infer<typeof awsCredentialsSchema>;
export type GcpStoredCredentials = z.infer<typeof gcpCredentialsSchema>;
export type AzureCredentials = z.infer<typeof azureCredentialsSchema>;
export type ConnectionCredentials = VaultCredentials | AwsCredentials | GcpStoredCredentials | AzureCredentials;

export function credentialsSchemaFor(kind: ConnectionKind): z.ZodType<ConnectionCredentials> | undefined {
  switch (kind) {
    case 'vault':
      return vaultCredentialsSchema;
    case 'aws':
      return awsCredentialsSchema;
    case 'gcp':
      return gcpCredentialsSchema;
    case 'azure':
      return azureCredentialsSchema;
    default:
      return undefined;
  }
}
