import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECRET_KEY } from '../../../shared/names';
import { checkRoundTrip, connectionBindingPaths, fileBindingPaths } from '../../../electron/core/secrets/binding-paths';
import { parseConnection } from '../../../electron/core/secrets/connections/parse-connection';

const vault = (layout: 'native' | 'handsfree') => parseConnection({ kind: 'vault', address: 'https://vault.example.com:8200', layout, auth: { method: 'token' } });
const aws = (layout: 'native' | 'handsfree', prefix?: string) => parseConnection({ kind: 'aws', region: 'us-east-1', layout, ...(prefix === undefined ? {} : { prefix }), credentials: { source: 'default-chain' } });
const gcp = (layout: 'native' | 'handsfree') => parseConnection({ kind: 'gcp', projectId: 'my-project-123', layout, credentials: { source: 'adc' } });
const azure = parseConnection({ kind: 'azure', vaultName: 'kv-prod', credentials: { source: 'default' } });
const env = parseConnection({ kind: 'env' });
const keychain = parseConnection({ kind: 'keychain' });

describe('binding paths: where each backend keeps an environment\'s keys', () => {
  it('the local store: <project>/<environment>/<KEY>', () => {
    const paths = fileBindingPaths('app', 'dev');
    expect([paths.listPrefix, paths.pathOf('API_KEY'), paths.keyOf('app/dev/API_KEY'), paths.keyOf('app/devx/API_KEY'), paths.location]).toEqual([
      'app/dev/',
      'app/dev/API_KEY',
      'API_KEY',
      undefined,
      'file://app/dev/',
    ]);
  });

  it('Vault, native: a folder on the mount; sub-folders are not keys', () => {
    const paths = connectionBindingPaths(vault('native'), 'app/staging/');
    expect(paths.location).toBe('secret/data/app/staging/');
    expect(paths.pathOf('DB.PASSWORD')).toBe('app/staging/DB.PASSWORD');
    expect(paths.keyOf('app/staging/DB.PASSWORD')).toBe('DB.PASSWORD');
    expect(paths.keyOf('app/staging/deeper/KEY')).toBeUndefined();
    expect(() => connectionBindingPaths(vault('native'), 'app//x/')).toThrow(/Vault secret path/);
    expect(() => connectionBindingPaths(vault('native'), 'app#value')).toThrow(/#field/);
  });

  it('Vault, HandsFree layout: "_" and "." become "/", and come back as "_"', () => {
    const paths = connectionBindingPaths(vault('handsfree'), '');
    expect(paths.pathOf('github_token_user_123')).toBe('github/token/user/123');
    expect(paths.keyOf('github/token/user/123')).toBe('github_token_user_123');
    expect(paths.keyOf('secret/odd_name#value')).toBeUndefined();
    const nested = connectionBindingPaths(vault('handsfree'), 'app_staging/');
    expect([nested.listPrefix, nested.location, nested.pathOf('API_KEY')]).toEqual(['app/staging/', 'secret/data/app/staging/', 'app/staging/API/KEY']);
  });

  it('AWS: the connection prefix, then the environment prefix; deeper names are not keys', () => {
    const paths = connectionBindingPaths(aws('native'), 'app/prod/');
    expect([paths.listPrefix, paths.pathOf('API_KEY'), paths.location]).toEqual(['app/prod/', 'app/prod/API_KEY', 'us-east-1 · app/prod/']);
    expect(paths.keyOf('app/prod/sub/API_KEY')).toBeUndefined();
    const handsfree = connectionBindingPaths(aws('handsfree'), '');
    expect([handsfree.listPrefix, handsfree.pathOf('github_token_user_123')]).toEqual(['handsfree/', 'handsfree/github_token_user_123']);
    expect(connectionBindingPaths(aws('native', 'team/'), 'prod/').pathOf('K')).toBe('team/prod/K');
    expect(() => connectionBindingPaths(aws('native'), 'app prod')).toThrow(/AWS prefix/);
  });

  it('Google, native: ids cannot hold "/" or "."', () => {
    const paths = connectionBindingPaths(gcp('native'), 'app_prod_');
    expect([paths.pathOf('API_KEY'), paths.keyOf('app_prod_API_KEY'), paths.location]).toEqual(['app_prod_API_KEY', 'API_KEY', 'my-project-123 · app_prod_*']);
    expect(() => connectionBindingPaths(gcp('native'), 'app/prod/')).toThrow(/Google prefix/);
  });

  it('Google, HandsFree layout: <prefix>-<normalised key>, full resource names, read back with "_"', () => {
    const paths = connectionBindingPaths(gcp('handsfree'), '');
    expect(paths.pathOf('github_token_user_123')).toBe('projects/my-project-123/secrets/handsfree-github-token-user-123');
    expect(paths.keyOf('projects/my-project-123/secrets/handsfree-github-token-user-123')).toBe('github_token_user_123');
    expect(paths.keyOf('projects/my-project-123/secrets/other-thing')).toBeUndefined();
    expect(paths.listPrefix).toBe('projects/my-project-123/secrets/handsfree-');
  });

  it('Azure: letters, digits and "-" only, read back with "_"; the connection must name its vault', () => {
    const paths = connectionBindingPaths(azure, 'app-');
    expect([paths.listPrefix, paths.pathOf('DB_PASSWORD'), paths.keyOf('kv-prod/app-DB-PASSWORD'), paths.location]).toEqual(['kv-prod/app-', 'kv-prod/app-DB-PASSWORD', 'DB_PASSWORD', 'kv-prod · app-*']);
    expect(() => connectionBindingPaths(parseConnection({ kind: 'azure', credentials: { source: 'default' } }), '')).toThrow(/names no vault/);
    expect(connectionBindingPaths(parseConnection({ kind: 'azure', vaultUrl: 'https://kv-one.vault.azure.net', credentials: { source: 'default' } }), '').listPrefix).toBe('kv-one/');
  });

  it('env: the seed\'s variable names; keychain: accounts of the service', () => {
    const variables = connectionBindingPaths(env, 'app_');
    expect([variables.listPrefix, variables.pathOf('API_KEY'), variables.keyOf('HANDSFREE_SECRET_APP_API_KEY'), variables.location]).toEqual([
      'HANDSFREE_SECRET_APP_',
      'HANDSFREE_SECRET_APP_API_KEY',
      'API_KEY',
      'HANDSFREE_SECRET_APP_*',
    ]);
    const entries = connectionBindingPaths(keychain, 'app/dev/');
    expect([entries.listPrefix, entries.pathOf('API_KEY'), entries.keyOf('latchkey-secrets/app/dev/API_KEY')]).toEqual(['latchkey-secrets/app/dev/', 'latchkey-secrets/app/dev/API_KEY', 'API_KEY']);
  });

  it('a key a backend cannot keep as written is refused, naming the key to use', () => {
    const paths = connectionBindingPaths(azure, '');
    expect(() => checkRoundTrip(paths, 'DB.PASSWORD', 'Azure Key Vault')).toThrow('it would be stored and listed as "DB_PASSWORD"');
    expect(() => checkRoundTrip(connectionBindingPaths(env, ''), 'api_key', 'Environment variables')).toThrow('"API_KEY"');
    expect(() => checkRoundTrip(paths, 'DB_PASSWORD', 'Azure Key Vault')).not.toThrow();
  });

  it('every connection kind: whatever key is written, the key listed back is stable (it maps to itself)', () => {
    const layouts = [
      connectionBindingPaths(vault('native'), 'app/'),
      connectionBindingPaths(vault('handsfree'), 'app/'),
      connectionBindingPaths(aws('native'), 'app/'),
      connectionBindingPaths(aws('handsfree'), ''),
      connectionBindingPaths(gcp('native'), 'app_'),
      connectionBindingPaths(gcp('handsfree'), 'app_'),
      connectionBindingPaths(azure, 'app-'),
      connectionBindingPaths(env, ''),
      connectionBindingPaths(keychain, 'app/'),
    ];
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,5}([_.-][A-Za-z0-9]{1,5}){0,3}$/);
    fc.assert(
      fc.property(key, (written) => {
        for (const paths of layouts) {
          const listed = paths.keyOf(paths.pathOf(written));
          if (listed === undefined) continue;
          expect(SECRET_KEY.test(listed)).toBe(true);
          expect(paths.keyOf(paths.pathOf(listed))).toBe(listed);
          expect(paths.pathOf(listed)).toBe(paths.pathOf(written));
        }
      }),
    );
  });
});
