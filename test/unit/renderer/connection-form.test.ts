import { describe, expect, it } from 'vitest';
import type { ConnectionKind } from '../../../shared/ipc/connections.contract';
import { parseConnection } from '../../../electron/core/secrets/connections/parse-connection';
import { credentialsSchemaFor } from '../../../electron/core/secrets/connections/connection-schema';
import { credentialFields, credentialsOf, defaultValues, KIND_ORDER, settingsOf, valuesOf, type FormValues } from '../../../renderer/src/screens/connections/connection-form';

// The Connections form builds the settings and credentials objects main checks with core's schemas;
// these tests hold the two sides together, kind by kind.

const filled: Record<ConnectionKind, FormValues> = {
  vault: { ...defaultValues('vault'), address: 'https://vault.example.com:8200', namespace: 'team-a', authMethod: 'approle', roleId: 'role-1', caFile: '/etc/ca.pem', insecureSkipVerify: false },
  aws: { ...defaultValues('aws'), region: 'eu-west-1', endpoint: 'https://vpce.example.com', prefix: 'handsfree/', recoveryWindowDays: '7', credentialSource: 'access-keys' },
  gcp: { ...defaultValues('gcp'), projectId: 'my-project-123', credentialSource: 'key-file', keyPath: '/keys/sa.json', layout: 'handsfree' },
  azure: {
    ...defaultValues('azure'),
    vaultUrl: 'https://kv-one.vault.azure.net',
    authorityHost: 'https://login.stack.example.com',
    disableInstanceDiscovery: true,
    credentialSource: 'client-secret',
    tenantId: 't',
    clientId: 'c',
  },
  env: defaultValues('env'),
  keychain: defaultValues('keychain'),
};

describe('the connection form', () => {
  it.each(KIND_ORDER)('%s: the settings it builds are what core accepts, and read back into the same form', (kind) => {
    const settings = settingsOf(kind, filled[kind]);
    const parsed = parseConnection(settings);
    expect(parsed.kind).toBe(kind);
    expect(valuesOf(kind, parsed as unknown as Record<string, unknown>)).toEqual(filled[kind]);
  });

  it('asks for the credentials the settings need, in the shape core stores', () => {
    const cases: [ConnectionKind, Record<string, string>][] = [
      ['vault', { secretId: 's-1' }],
      ['aws', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x', sessionToken: '' }],
      ['azure', { clientSecret: 'c' }],
    ];
    for (const [kind, typed] of cases) {
      const fields = credentialFields(kind, filled[kind]);
      const { credentials, error } = credentialsOf(fields, typed);
      expect(error).toBeUndefined();
      expect(credentialsSchemaFor(kind)!.safeParse(credentials).success).toBe(true);
    }
    expect(credentialFields('gcp', filled.gcp)).toEqual([]);
    expect(credentialFields('env', filled.env)).toEqual([]);
  });

  it('leaves credentials out when none are typed (editing keeps the stored ones), and says what is missing', () => {
    const fields = credentialFields('aws', filled.aws);
    expect(credentialsOf(fields, {})).toEqual({});
    expect(credentialsOf(fields, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }).error).toContain('secret access key');
    const key = credentialFields('gcp', { ...filled.gcp, credentialSource: 'stored-key' });
    expect(credentialsOf(key, { keyJson: '{not json' }).error).toContain('not valid JSON');
    expect(credentialsOf(key, { keyJson: '{not json' }).error).not.toContain('{not json');
  });
});
