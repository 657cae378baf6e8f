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
    expect(() => parseConnection({ kind: 'vault', address: 'https://v', auth: { method: 'token' }, token: 'hvs.leaked' }, 'connection "staging"')).toThrow(/unknown fields \(token\); credentials belong in the OS keychain/);
    expect(() => parseConnection({ kind: 'aws', region: 'us-east-1', credentials: { source: 'access-keys', secretAccessKey: 'leaked' } })).toThrow(/unknown fields \(secretAccessKey\)/);
  });

  it('names the field that is wrong and the rule it breaks, never its value, and carries the field for the form', () => {
    const attempt = () => parseConnection({ kind: 'aws', region: 'not a region with a SECRETVALUE', credentials: { source: 'default-chain' } }, 'connection "prod-aws"');
    expect(attempt).toThrow('The region of connection "prod-aws" is not valid: it must be an AWS region such as us-east-1.');
    expect(attempt).not.toThrow(/SECRETVALUE/);
    expect(() => parseConnection({ kind: 'ftp' })).toThrow(/kind of this connection is not valid: it must be/);
    const address = () => parseConnection({ kind: 'vault', address: 'file:///etc/passwd', auth: { method: 'token' } }, 'connection "staging-vault"');
    expect(address).toThrow('The address of connection "staging-vault" is not valid: it must be a URL starting with http:// or https://.');
    expect(address).toThrow(expect.objectContaining({ kind: 'InvalidInput', field: 'address' }));
    // The person is in Connections when these are checked: no "Fix them in Connections".
    expect(address).not.toThrow(/Fix them in Connections/);
  });

  it('names the variable a setting came from (the CLI), with the rule', () => {
    const attempt = () => parseConnection({ kind: 'aws', region: 'moon-base', credentials: { source: 'default-chain' } }, 'the AWS settings', { variables: { region: 'AWS_REGION' } });
    expect(attempt).toThrow('AWS_REGION is not valid: it must be an AWS region such as us-east-1.');
  });

  it('accepts each kind', () => {
    expect(parseConnection({ kind: 'env' })).toEqual({ kind: 'env', prefix: 'HANDSFREE_SECRET_' });
    expect(parseConnection({ kind: 'keychain' })).toEqual({ kind: 'keychain', service: 'latchkey-secrets' });
    expect(parseConnection({ kind: 'gcp', projectId: 'my-project-1', credentials: { source: 'adc' } })).toMatchObject({ layout: 'native' });
    expect(parseConnection({ kind: 'azure', vaultName: 'kv-prod', credentials: { source: 'default' } })).toMatchObject({ dnsSuffix: 'vault.azure.net' });
    expect(parseConnection({ kind: 'azure', vaultName: 'kv-prod', credentials: { source: 'default' } })).not.toHaveProperty('disableInstanceDiscovery');
    expect(parseConnection({ kind: 'azure', vaultName: 'kv-prod', authorityHost: 'https://login.stack.example.com', disableInstanceDiscovery: true, credentials: { source: 'default' } })).toMatchObject({ disableInstanceDiscovery: true });
    expect(() => parseConnection({ kind: 'azure', vaultName: 'kv-prod', disableInstanceDiscovery: 'yes', credentials: { source: 'default' } })).toThrow('The disableInstanceDiscovery of this connection is not valid: it must be a boolean.');
  });
});
