import { describe, expect, it } from 'vitest';
import { connectionFromEnvironment } from '../../../electron/core/secrets/connections/connection-from-environment';

const fail = (env: Record<string, string>, scheme?: 'vault' | 'aws' | 'gcp' | 'azure') => {
  try {
    connectionFromEnvironment(env, scheme === undefined ? {} : { scheme });
  } catch (error) {
    return error as { kind: string; message: string };
  }
  throw new Error('expected InvalidInput');
};

describe('connectionFromEnvironment: SECRET_MANAGER_TYPE and layout', () => {
  it('defaults to env, as the seed does, with the HANDSFREE_SECRET_ prefix', () => {
    expect(connectionFromEnvironment({}).connection).toEqual({ kind: 'env', prefix: 'HANDSFREE_SECRET_' });
  });

  it('an unknown SECRET_MANAGER_TYPE names the variable and the choices', () => {
    expect(fail({ SECRET_MANAGER_TYPE: 'hsm' })).toMatchObject({ kind: 'InvalidInput', message: expect.stringMatching(/SECRET_MANAGER_TYPE.*env, keychain, vault, aws, gcp, azure/) });
  });

  it('a reference scheme overrides SECRET_MANAGER_TYPE', () => {
    const { connection } = connectionFromEnvironment({ SECRET_MANAGER_TYPE: 'aws', VAULT_ADDR: 'http://v:8200', VAULT_TOKEN: 't' }, { scheme: 'vault' });
    expect(connection.kind).toBe('vault');
  });

  it('uses the seed layout unless LATCHKEY_SECRETS_LAYOUT=native, and refuses other values', () => {
    const base = { VAULT_ADDR: 'http://v:8200', VAULT_TOKEN: 't' };
    expect(connectionFromEnvironment(base, { scheme: 'vault' }).connection).toMatchObject({ layout: 'handsfree' });
    expect(connectionFromEnvironment({ ...base, LATCHKEY_SECRETS_LAYOUT: 'native' }, { scheme: 'vault' }).connection).toMatchObject({ layout: 'native' });
    expect(fail({ ...base, LATCHKEY_SECRETS_LAYOUT: 'flat' }, 'vault').message).toContain('LATCHKEY_SECRETS_LAYOUT');
  });
});

describe('connectionFromEnvironment: Vault', () => {
  it('token auth, with mount, namespace and TLS options', () => {
    const result = connectionFromEnvironment(
      { VAULT_ADDR: 'https://vault.example.com:8200', VAULT_TOKEN: 'hvs.x', VAULT_MOUNT: 'kv', VAULT_NAMESPACE: 'team-a', VAULT_CACERT: '/etc/ca.pem', VAULT_TLS_SERVER_NAME: 'vault.internal' },
      { scheme: 'vault' },
    );
    expect(result.connection).toEqual({
      kind: 'vault',
      address: 'https://vault.example.com:8200',
      namespace: 'team-a',
      mount: 'kv',
      field: 'value',
      layout: 'handsfree',
      auth: { method: 'token' },
      tls: { caFile: '/etc/ca.pem', serverName: 'vault.internal', insecureSkipVerify: false },
    });
    expect(result.credentials).toEqual({ token: 'hvs.x' });
    expect(result.credentialsLabel).toBe('VAULT_TOKEN');
  });

  it('AppRole auth: the role id in settings, the secret id only in memory', () => {
    const result = connectionFromEnvironment({ VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_ROLE_ID: 'role', VAULT_SECRET_ID: 'sid-CANARY' }, { scheme: 'vault' });
    expect(result.connection).toMatchObject({ auth: { method: 'approle', roleId: 'role', mount: 'approle' } });
    expect(JSON.stringify(result.connection)).not.toContain('sid-CANARY');
    expect(result.credentials).toEqual({ secretId: 'sid-CANARY' });
  });

  it.each([
    [{ VAULT_TOKEN: 't' }, 'VAULT_ADDR'],
    [{ VAULT_ADDR: 'vault.example.com', VAULT_TOKEN: 't' }, 'VAULT_ADDR'],
    [{ VAULT_ADDR: 'http://v' }, 'VAULT_TOKEN'],
    [{ VAULT_ADDR: 'http://v', VAULT_ROLE_ID: 'r' }, 'VAULT_SECRET_ID'],
    [{ VAULT_ADDR: 'http://v', VAULT_SECRET_ID: 's' }, 'VAULT_ROLE_ID'],
    [{ VAULT_ADDR: 'http://v', VAULT_TOKEN: 't', VAULT_ROLE_ID: 'r', VAULT_SECRET_ID: 's' }, 'both set'],
    [{ VAULT_ADDR: 'http://v', VAULT_TOKEN: 't', VAULT_SKIP_VERIFY: 'maybe' }, 'VAULT_SKIP_VERIFY'],
    [{ VAULT_ADDR: 'http://v', VAULT_TOKEN: 't', VAULT_SKIP_VERIFY: 'true', VAULT_CACERT: '/ca' }, 'VAULT_CACERT'],
  ])('missing or contradictory settings fail fast: %o names %s', (env, named) => {
    const error = fail(env as Record<string, string>, 'vault');
    expect(error.kind).toBe('InvalidInput');
    expect(error.message).toContain(named);
  });

  it('never quotes a credential in its messages', () => {
    const error = fail({ VAULT_ADDR: 'http://v', VAULT_TOKEN: 'hvs.SUPERSECRET', VAULT_ROLE_ID: 'r', VAULT_SECRET_ID: 'SECRETID' }, 'vault');
    expect(error.message).not.toContain('SUPERSECRET');
    expect(error.message).not.toContain('SECRETID');
  });
});

describe('connectionFromEnvironment: AWS', () => {
  it('region, endpoint, the seed prefix, and the standard chain with a profile', () => {
    const result = connectionFromEnvironment({ AWS_REGION: 'eu-west-1', AWS_SECRETS_MANAGER_ENDPOINT: 'https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com', AWS_PROFILE: 'ops' }, { scheme: 'aws' });
    expect(result.connection).toMatchObject({ kind: 'aws', region: 'eu-west-1', prefix: 'handsfree/', credentials: { source: 'default-chain', profile: 'ops' } });
    expect(result.credentials).toBeUndefined();
  });

  it('access keys and a session token from the variables, kept in memory', () => {
    const result = connectionFromEnvironment({ AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'k', AWS_SESSION_TOKEN: 's', HANDSFREE_AWS_SECRETS_PREFIX: 'hf/' }, { scheme: 'aws' });
    expect(result.connection).toMatchObject({ region: 'us-east-1', prefix: 'hf/', credentials: { source: 'access-keys' } });
    expect(result.credentials).toEqual({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'k', sessionToken: 's' });
  });

  it.each([
    [{}, 'AWS_REGION'],
    [{ AWS_REGION: 'moon-1' }, 'region'],
    [{ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }, 'AWS_SECRET_ACCESS_KEY'],
    [{ AWS_REGION: 'us-east-1', AWS_SECRET_ACCESS_KEY: 'k' }, 'AWS_ACCESS_KEY_ID'],
    [{ AWS_REGION: 'us-east-1', AWS_SESSION_TOKEN: 's' }, 'AWS_SESSION_TOKEN'],
    [{ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'k', AWS_PROFILE: 'p' }, 'AWS_PROFILE'],
    [{ AWS_REGION: 'us-east-1', AWS_SECRETS_MANAGER_ENDPOINT: 'ftp://x' }, 'AWS_SECRETS_MANAGER_ENDPOINT'],
  ])('missing or contradictory settings fail fast: %o names %s', (env, named) => {
    const error = fail(env as Record<string, string>, 'aws');
    expect(error.kind).toBe('InvalidInput');
    expect(error.message).toContain(named);
  });
});

describe('connectionFromEnvironment: a refused setting names its variable and the rule', () => {
  it('AWS: the region variable that was set, the endpoint, the profile', () => {
    expect(fail({ AWS_REGION: 'Moon Base 1' }, 'aws').message).toBe('AWS_REGION is not valid: it must be an AWS region such as us-east-1.');
    expect(fail({ AWS_DEFAULT_REGION: 'moon' }, 'aws').message).toBe('AWS_DEFAULT_REGION is not valid: it must be an AWS region such as us-east-1.');
    expect(fail({ AWS_REGION: 'us-east-1', AWS_PROFILE: 'p'.repeat(200) }, 'aws').message).toBe('AWS_PROFILE is not valid: it must be at most 128 characters long.');
  });

  it('Google and Azure: the project id, the vault name', () => {
    expect(fail({ GCP_PROJECT_ID: 'No_Such Project' }, 'gcp').message).toBe('GCP_PROJECT_ID is not valid: it must be a Google Cloud project id.');
    expect(fail({ AZURE_KEYVAULT_NAME: '1-starts-with-a-digit' }, 'azure').message).toBe('AZURE_KEYVAULT_NAME is not valid: it must be a Key Vault name: 3 to 24 letters, digits and -, starting with a letter.');
  });

  it('maps each credential to its variable, for the backend to name a refused one', () => {
    expect(connectionFromEnvironment({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }, { scheme: 'aws' })).toMatchObject({
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      credentialVariables: { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY', sessionToken: 'AWS_SESSION_TOKEN' },
    });
  });
});

describe('connectionFromEnvironment: Google and Azure', () => {
  it('Google: project, endpoint, key file or ADC, and the seed prefix', () => {
    expect(connectionFromEnvironment({ GCP_PROJECT_ID: 'my-project-123', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json', GCP_SECRET_MANAGER_ENDPOINT: 'https://secretmanager.googleapis.com' }, { scheme: 'gcp' })).toMatchObject({
      connection: { kind: 'gcp', projectId: 'my-project-123', prefix: 'handsfree', endpoint: 'https://secretmanager.googleapis.com', credentials: { source: 'key-file', path: '/keys/sa.json' } },
      credentialsLabel: 'GOOGLE_APPLICATION_CREDENTIALS',
    });
    expect(connectionFromEnvironment({ GCP_PROJECT_ID: 'my-project-123' }, { scheme: 'gcp' }).connection).toMatchObject({ credentials: { source: 'adc' } });
    expect(fail({}, 'gcp').message).toContain('GCP_PROJECT_ID');
    expect(fail({ GCP_PROJECT_ID: 'X' }, 'gcp').message).toContain('GCP_PROJECT_ID');
  });

  it('Azure: a service principal needs tenant, client and secret; otherwise the default chain', () => {
    expect(connectionFromEnvironment({ AZURE_KEYVAULT_URL: 'https://kv1.vault.azure.net', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' }, { scheme: 'azure' })).toMatchObject({
      connection: { kind: 'azure', vaultUrl: 'https://kv1.vault.azure.net', credentials: { source: 'client-secret', tenantId: 't', clientId: 'c' } },
      credentials: { clientSecret: 's' },
    });
    expect(connectionFromEnvironment({}, { scheme: 'azure' }).connection).toMatchObject({ credentials: { source: 'default' } });
    expect(fail({ AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_ID: 'c' }, 'azure').message).toContain('AZURE_TENANT_ID');
    expect(fail({ AZURE_KEYVAULT_URL: 'kv1' }, 'azure').message).toContain('AZURE_KEYVAULT_URL');
  });

  it('Azure: a private endpoint names its vault and may turn off the challenge-resource check', () => {
    const env = { AZURE_KEYVAULT_URL: 'http://127.0.0.1:8443', AZURE_KEYVAULT_NAME: 'kv1', AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true' };
    expect(connectionFromEnvironment(env, { scheme: 'azure' }).connection).toMatchObject({ vaultUrl: 'http://127.0.0.1:8443', vaultName: 'kv1', disableChallengeResourceVerification: true });
    expect(connectionFromEnvironment({ AZURE_KEYVAULT_URL: 'https://kv1.vault.azure.net' }, { scheme: 'azure' }).connection).toMatchObject({ disableChallengeResourceVerification: false });
    expect(fail({ AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'maybe' }, 'azure').message).toContain('AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION');
    expect(fail({ AZURE_KEYVAULT_NAME: '1-bad' }, 'azure').message).toContain('AZURE_KEYVAULT_NAME is not valid');
  });

  it('Azure: the sign-in host of another cloud, and instance discovery off for a private cloud', () => {
    const env = { AZURE_AUTHORITY_HOST: 'https://login.stack.example.com', AZURE_DISABLE_INSTANCE_DISCOVERY: 'true' };
    expect(connectionFromEnvironment(env, { scheme: 'azure' }).connection).toMatchObject({ authorityHost: 'https://login.stack.example.com', disableInstanceDiscovery: true });
    expect(connectionFromEnvironment({ AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us' }, { scheme: 'azure' }).connection).not.toHaveProperty('disableInstanceDiscovery');
    expect(fail({ AZURE_DISABLE_INSTANCE_DISCOVERY: 'maybe' }, 'azure').message).toContain('AZURE_DISABLE_INSTANCE_DISCOVERY');
  });
});
