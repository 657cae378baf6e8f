import { describe, expect, it } from 'vitest';
import { handsfreeAwsName, handsfreeEnvName, handsfreeGcpLabels, handsfreeGcpSecretId, handsfreeVaultPath } from '../../../electron/core/secrets/handsfree-layout';

// The examples are the HandsFree server's own (its key layout per backend).
describe('HandsFree layout', () => {
  it('env: HANDSFREE_SECRET_ + key upper-cased, "-", "." and "/" turned into "_"', () => {
    expect(handsfreeEnvName('github_token_user_123')).toBe('HANDSFREE_SECRET_GITHUB_TOKEN_USER_123');
    expect(handsfreeEnvName('a-b.c/d')).toBe('HANDSFREE_SECRET_A_B_C_D');
  });

  it('Vault: "_" and "." become "/"', () => {
    expect(handsfreeVaultPath('github_token_user_123')).toBe('github/token/user/123');
    expect(handsfreeVaultPath('a.b_c')).toBe('a/b/c');
  });

  it('AWS: prefix + key, prefix configurable', () => {
    expect(handsfreeAwsName('github_token_user_123')).toBe('handsfree/github_token_user_123');
    expect(handsfreeAwsName('k', 'team/')).toBe('team/k');
  });

  it('Google: <prefix>-<key> lower-cased, runs outside [a-z0-9-] as one "-", no leading or trailing "-"', () => {
    expect(handsfreeGcpSecretId('github_token_user_123')).toBe('handsfree-github-token-user-123');
    expect(handsfreeGcpSecretId('__GitHub..Token__')).toBe('handsfree-github-token');
    expect(handsfreeGcpSecretId('a--b')).toBe('handsfree-a--b');
    expect(handsfreeGcpSecretId('x', 'team')).toBe('team-x');
    expect(() => handsfreeGcpSecretId('___')).toThrow(/no letters or digits/);
  });

  it('Google labels: lower-case, [a-z0-9_-], at most 63 characters; a key must start with a letter', () => {
    expect(handsfreeGcpLabels({ Scopes: 'Repo,User', expires_at: '2026-12-31', long: 'x'.repeat(100) })).toEqual({ scopes: 'repo_user', expires_at: '2026-12-31', long: 'x'.repeat(63) });
    expect(() => handsfreeGcpLabels({ '9lives': 'x' })).toThrow(/start with a letter/);
    expect(() => handsfreeGcpLabels({ 'A B': 'x', a_b: 'y' })).toThrow(/same Google label/);
  });
});
