import { describe, expect, it } from 'vitest';
import { parseConnection } from '../../../electron/core/secrets/connections/parse-connection';

describe('connection settings', () => {
  it('fills defaults for a minimal Vault connection', () => {
    expect(parseConnection({ kind: 'vault', address: 'https://vault.example.com', auth: { method: 'token' }, credentialsAccount: 'vault-staging' })).toEqual({
      kind: 'vault',
      address: 'https://vault.example.com',
      mount: 'secret',
      field: 'value',
      layout: 'native',
      auth: { method: 'token' },
      tls: { insecureSkipVerify: false },
      credentialsAccount: 'vault-staging',
    });
  });

  it('refuses a credential written into the settings, and says where credentials belong', () => {
    expect(() => parseConnection({ kind: 'vault', address: 'https://v', auth: { method: 'token' }, token: 'hvs.leaked' }, 'connection "staging"')).toThrow(/unknown: token; credentials belong in the OS keychain/);
    expect(() => parseConnection({ kind: 'aws', region: 'us-east-1', credentials: { source: 'access-keys', secretAccessKey: 'leaked' } })).toThrow(/unknown: secretAccessKey/);
  });

  it('names the field that is wrong, never its value', () => {
    const attempt = () => parseConnection({ kind: 'aws', region: 'not a region with a SECRETVALUE', credentials: { source: 'default-chain' } });
    expect(attempt).toThrow(/at region/);
    expect(attempt).not.toThrow(/SECRETVALUE/);
    expect(() => parseConnection({ kind: 'ftp' })).toThrow(/at kind/);
    expect(() => parseConnection({ kind: 'vault', address: 'file:///etc/passwd', auth: { method: 'token' } })).toThrow(/at address/);
  });

  it('accepts each kind', () => {
    expect(parseConnection({ kind: 'env' })).toEqual({ kind: 'env', prefix: 'HANDSFREE_SECRET_' });
    expect(parseConnection({ kind: 'keychain' })).toEqual({ kind: 'keychain', service: 'latchkey-secrets' });
    expect(parseConnection({ kind: 'gcp', projectId: 'my-project-1', credentials: { source: 'adc' } })).toMatchObject({ layout: 'native' });
    expect(parseConnection({ kind: 'azure', vaultName: 'kv-prod', credentials: { source: 'default' } })).toMatchObject({ dnsSuffix: 'vault.azure.net' });
    expect(parseConnection({ kind: 'azure', vaultName: 'kv-prod', credentials: { source: 'default' } })).not.toHaveProperty('disableInstanceDiscovery');
    expect(parseConnection({ kind: 'azure', vaultName: 'kv-prod', authorityHost: 'https://login.stack.example.com', disableInstanceDiscovery: true, credentials: { source: 'default' } })).toMatchObject({ disableInstanceDiscovery: true });
    expect(() => parseConnection({ kind: 'azure', vaultName: 'kv-prod', disableInstanceDiscovery: 'yes', credentials: { source: 'default' } })).toThrow(/at disableInstanceDiscovery/);
  });
});
