import type { ServiceKindDefinition } from '../driver';
import { lazyDriver } from '../lazy-driver';
import { awsIamSettingsSchema, describeAwsIam, type AwsIamSettings } from './aws-iam-settings';

/** The aws-iam kind in the services registry: `latchkey services add iam-prod --kind aws-iam --connection prod-aws`. */
export const awsIamServiceKind: ServiceKindDefinition<AwsIamSettings> = {
  kind: 'aws-iam',
  settingsSchema: awsIamSettingsSchema,
  describe: describeAwsIam,
  createDriver: (deps) =>
    lazyDriver({ kind: 'aws-iam', strategies: ['dual'], selfMode: true, makesCredential: true, discardsUnrecorded: true }, async () => (await import('./aws-iam-driver')).createAwsIamDriver(deps)),
};
