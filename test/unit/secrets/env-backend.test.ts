import { describe, expect, it } from 'vitest';
import { EnvBackend } from '../../../electron/core/secrets/backends/env-backend';

describe('env backend', () => {
  it("maps keys to variables by the seed's rule", () => {
    const backend = new EnvBackend({ env: {} });
    expect(backend.pathForKey('github_token_user_123')).toBe('HANDSFREE_SECRET_GITHUB_TOKEN_USER_123');
    expect(new EnvBackend({ env: {}, keyPrefix: 'APP_' }).pathForKey('db.pass-word')).toBe('APP_DB_PASS_WORD');
  });

  it('reads and writes the given environment object only', async () => {
    const env: Record<string, string | undefined> = { HANDSFREE_SECRET_A: 'a' };
    const backend = new EnvBackend({ env });
    expect((await backend.get('HANDSFREE_SECRET_A')).value).toBe('a');
    await backend.set('HANDSFREE_SECRET_B', 'b');
    expect(env.HANDSFREE_SECRET_B).toBe('b');
    expect(process.env.HANDSFREE_SECRET_B).toBeUndefined();
  });

  it('an empty variable is a value; a missing one is NotFound', async () => {
    const backend = new EnvBackend({ env: { EMPTY: '' } });
    expect((await backend.get('EMPTY')).value).toBe('');
    await expect(backend.get('MISSING')).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('MISSING') });
  });

  it('refuses names that are not variables, NUL in values, and versions', async () => {
    const backend = new EnvBackend({ env: {} });
    await expect(backend.get('1ABC')).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(backend.get('A=B')).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(backend.set('A', 'x\0y')).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(backend.get('A', { version: '1' })).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(() => new EnvBackend({ env: {}, keyPrefix: '9X' })).toThrow(/variable name/);
  });
});
