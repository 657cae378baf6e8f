import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { SERVICE_KIND_ORDER, settingsOf, valuesOf, type ServiceFormValues } from '../../../renderer/src/screens/services/service-form';
import type { RegisteredServiceKind } from '../../../shared/ipc/services.contract';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// The Services form builds the settings core checks with each kind's schema: every field filled in is
// accepted by the real registry, and an edit shows the stored settings again as the form's values.

const URLS: Record<Exclude<RegisteredServiceKind, 'aws-iam'>, string> = {
  postgres: 'postgres://admin:pw@db.internal:5432/postgres',
  mysql: 'mysql://admin:pw@db.internal:3306/',
  redis: 'redis://admin:pw@cache.internal:6379',
};

const FILLED: Record<RegisteredServiceKind, ServiceFormValues> = {
  postgres: { sslmode: 'verify-full', sslrootcert: '/etc/ssl/db-ca.pem', connectTimeoutSeconds: '7' },
  mysql: { accountHost: '10.0.%' },
  redis: { nodes: '10.0.0.7:6379, [::1]:6380', caFile: '/etc/ssl/redis-ca.pem', connectTimeoutSeconds: '3' },
  'aws-iam': { connection: 'prod-aws', region: 'eu-west-1', iamEndpoint: 'https://iam.example.com', stsEndpoint: 'https://sts.example.com' },
};

describe('service form ↔ core settings', () => {
  let xdg: TempXdg;
  let core: Core;
  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), logger: createLogger({ sink: () => undefined }) });
  });
  afterAll(() => xdg.cleanup());

  it('leaves out what was not filled in', () => {
    for (const kind of SERVICE_KIND_ORDER) expect(settingsOf(kind, {})).toBeUndefined();
  });

  it.each(SERVICE_KIND_ORDER.filter((kind) => kind !== 'aws-iam'))('%s: every field is accepted by core, and an edit shows it again', async (kind) => {
    const settings = settingsOf(kind, FILLED[kind]);
    const added = await core.services.registry.add(`form-${kind}`, kind, { url: URLS[kind as keyof typeof URLS], ...(settings === undefined ? {} : { settings }) });
    expect(added.credentials).toBe('stored');
    expect(valuesOf(kind, added.settings)).toEqual(expect.objectContaining(FILLED[kind]));
  });

  it('aws-iam: the chosen connection and endpoints become its settings', () => {
    expect(settingsOf('aws-iam', FILLED['aws-iam'])).toEqual({ connection: 'prod-aws', region: 'eu-west-1', iamEndpoint: 'https://iam.example.com', stsEndpoint: 'https://sts.example.com' });
    expect(valuesOf('aws-iam', settingsOf('aws-iam', FILLED['aws-iam'])!)).toEqual(FILLED['aws-iam']);
  });
});
