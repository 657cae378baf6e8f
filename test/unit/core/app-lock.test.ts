import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import type { Keychain } from '../../../electron/core/keychain';
import { createLogger } from '../../../electron/core/log';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

/** The app lock over a real core (temp XDG tree, in-memory keychain), driven by a controllable clock. */
const CHEAP_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
const PASSPHRASE = 'canary-passphrase-4e1d77';
const VALUE = 'canary-lock-value-93b2c0';
const MINUTE = 60_000;

function countingKeychain(): Keychain & { reads: number; entries: Map<string, string> } {
  const inner = createMemoryKeychain();
  const keychain = {
    entries: inner.entries,
    setPassword: (service: string, account: string, password: string) => inner.setPassword(service, account, password),
    deletePassword: (service: string, account: string) => inner.deletePassword(service, account),
    findAccounts: (service: string) => inner.findAccounts(service),
    reads: 0,
    getPassword: async (service: string, account: string) => {
      keychain.reads += 1;
      return inner.getPassword(service, account);
    },
  };
  return keychain;
}

describe('app lock (controllable clock)', () => {
  let xdg: TempXdg;
  let clock: { now: number };
  let keychain: ReturnType<typeof countingKeychain>;
  let logLines: string[];
  const makeCore = (): Core =>
    createCore({
      paths: xdg.paths,
      keychain,
      now: () => new Date(clock.now),
      passphraseCost: CHEAP_SCRYPT,
      logger: createLogger({ sink: (line) => logLines.push(line), level: 'debug' }),
    });
  const advance = (ms: number) => (clock.now += ms);

  beforeEach(async () => {
    xdg = await createTempXdg();
    clock = { now: Date.parse('2026-01-01T09:00:00Z') };
    keychain = countingKeychain();
    logLines = [];
  });
  afterEach(() => xdg.cleanup());

  it('locks after 5 idle minutes by default, and activity resets the timer', async () => {
    const core = makeCore();
    await core.lock.start();
    expect((await core.lock.status()).idleTimeoutMinutes).toBe(5);
    advance(4 * MINUTE);
    core.lock.recordActivity();
    advance(4 * MINUTE + 59_000);
    expect(await core.lock.checkIdle()).toBe(false);
    advance(1_000);
    expect(await core.lock.checkIdle()).toBe(true);
    expect(await core.lock.status()).toMatchObject({ locked: true, reason: 'idle', method: 'keychain' });
  });

  it('keeps a configured idle timeout in lock.json, read again at start', async () => {
    const core = makeCore();
    await core.lock.start();
    await core.lock.setIdleTimeout(1);
    expect(JSON.parse(await readFile(join(xdg.paths.configDir, 'lock.json'), 'utf8'))).toEqual({ version: 1, idleTimeoutMinutes: 1 });
    const restarted = makeCore();
    await restarted.lock.start();
    advance(MINUTE);
    expect(await restarted.lock.checkIdle()).toBe(true);
    await expect(core.lock.setIdleTimeout(0)).rejects.toMatchObject({ kind: 'InvalidInput' });
  });

  it('drops every registered credential and refuses secret I/O while locked', async () => {
    const core = makeCore();
    await core.lock.start();
    await core.projects.createProject('demo');
    await core.projects.createEnvironment('demo', 'dev');
    await core.secrets.create('demo', 'dev', 'API_KEY', VALUE);
    const forgotten: string[] = [];
    core.credentialCaches.register('vault token', () => void forgotten.push('vault token'));

    const readsBefore = keychain.reads;
    await core.secrets.reveal('demo', 'dev', 'API_KEY');
    expect(keychain.reads).toBe(readsBefore); // the key is cached while unlocked

    await core.lock.lock('manual');
    expect(forgotten).toEqual(['vault token']);
    await expect(core.secrets.reveal('demo', 'dev', 'API_KEY')).rejects.toMatchObject({ kind: 'Locked' });
    await expect(core.refs.get('file://demo/dev/API_KEY')).rejects.toMatchObject({ kind: 'Locked' });
    await expect(core.secrets.create('demo', 'dev', 'OTHER', 'x')).rejects.toMatchObject({ kind: 'Locked' });

    await core.lock.unlock({});
    const readsAfterUnlock = keychain.reads;
    expect(readsAfterUnlock).toBeGreaterThan(readsBefore); // unlocking read the key from the keychain again
    expect((await core.secrets.reveal('demo', 'dev', 'API_KEY')).value).toBe(VALUE);
    expect(logLines.join('\n')).not.toContain(VALUE);
  });

  it('does not cache a key that was being read when the app locked', async () => {
    const core = makeCore();
    await core.lock.start();
    await core.refs.set('file://demo/dev/API_KEY', VALUE);
    core.forgetKeys();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowGet = keychain.getPassword;
    keychain.getPassword = async (service, account) => {
      await gate;
      return slowGet(service, account);
    };
    const pending = core.secrets.reveal('demo', 'dev', 'API_KEY');
    await new Promise((resolve) => setTimeout(resolve, 10));
    await core.lock.lock('os-lock');
    release();
    await pending.catch(() => undefined);
    keychain.getPassword = slowGet;
    await core.lock.unlock({});
    const reads = keychain.reads;
    await core.secrets.reveal('demo', 'dev', 'API_KEY');
    expect(keychain.reads).toBe(reads + 1);
  });

  it('unlocks through the keychain only when it still holds the store key', async () => {
    const core = makeCore();
    await core.lock.start();
    await core.refs.set('file://demo/dev/API_KEY', VALUE);
    await core.lock.lock('suspend');
    const saved = new Map(keychain.entries);
    keychain.entries.clear();
    await expect(core.lock.unlock({})).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('missing from the OS keychain') });
    expect(core.lock.isLocked()).toBe(true);
    for (const [key, value] of saved) keychain.entries.set(key, value);
    await core.lock.unlock({});
    expect(core.lock.isLocked()).toBe(false);
  });

  it('with a passphrase: starts locked, unlocks only with it, keeps only a scrypt hash (0600)', async () => {
    const first = makeCore();
    await first.lock.start();
    await expect(first.lock.setPassphrase('short')).rejects.toMatchObject({ kind: 'InvalidInput' });
    await first.lock.setPassphrase(PASSPHRASE);

    const core = makeCore();
    await core.lock.start();
    expect(await core.lock.status()).toMatchObject({ locked: true, reason: 'startup', method: 'passphrase' });
    await expect(core.lock.unlock({})).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(core.lock.unlock({ passphrase: 'wrong passphrase' })).rejects.toMatchObject({ kind: 'Unauthenticated' });
    expect(core.lock.isLocked()).toBe(true);
    await core.lock.unlock({ passphrase: PASSPHRASE });
    expect(core.lock.isLocked()).toBe(false);

    const file = join(xdg.paths.stateDir, 'lock', 'passphrase.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['N', 'hash', 'kdf', 'p', 'r', 'salt', 'v']);
    expect(stored.kdf).toBe('scrypt');
    for (const entry of await readdir(xdg.root, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) expect(await readFile(join(entry.parentPath, entry.name), 'utf8')).not.toContain(PASSPHRASE);
    }
    expect(logLines.join('\n')).not.toContain(PASSPHRASE);
  });

  it('slows down repeated wrong passphrases, also across a restart', async () => {
    const core = makeCore();
    await core.lock.start();
    await core.lock.setPassphrase(PASSPHRASE);
    await core.lock.lock('manual');
    for (let i = 0; i < 2; i += 1) await expect(core.lock.unlock({ passphrase: `wrong-${i}-xxxx` })).rejects.toMatchObject({ kind: 'Unauthenticated' });
    await expect(core.lock.unlock({ passphrase: 'wrong-2-xxxx' })).rejects.toMatchObject({ kind: 'Unauthenticated', retryAfterMs: 5_000 });
    // Even the right passphrase waits out the delay.
    await expect(core.lock.unlock({ passphrase: PASSPHRASE })).rejects.toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('Too many') });

    const restarted = makeCore();
    await restarted.lock.start();
    await expect(restarted.lock.unlock({ passphrase: PASSPHRASE })).rejects.toMatchObject({ kind: 'Unauthenticated', retryAfterMs: 5_000 });
    advance(5_000);
    await expect(restarted.lock.unlock({ passphrase: 'wrong-3-xxxx' })).rejects.toMatchObject({ retryAfterMs: 10_000 });
    advance(9_999);
    await expect(restarted.lock.unlock({ passphrase: PASSPHRASE })).rejects.toMatchObject({ retryAfterMs: 1 });
    advance(1);
    await restarted.lock.unlock({ passphrase: PASSPHRASE });
    expect(restarted.lock.isLocked()).toBe(false);
    // A success resets the count.
    await restarted.lock.lock('manual');
    await expect(restarted.lock.unlock({ passphrase: 'wrong-4-xxxx' })).rejects.toMatchObject({ kind: 'Unauthenticated', retryAfterMs: undefined });
  });

  it('changes or removes the passphrase only with the current one', async () => {
    const core = makeCore();
    await core.lock.start();
    await core.lock.setPassphrase(PASSPHRASE);
    await expect(core.lock.setPassphrase('another passphrase')).rejects.toMatchObject({ kind: 'Unauthenticated' });
    await expect(core.lock.setPassphrase('another passphrase', 'not the current one')).rejects.toMatchObject({ kind: 'Unauthenticated' });
    await core.lock.setPassphrase('another passphrase', PASSPHRASE);
    await expect(core.lock.clearPassphrase(PASSPHRASE)).rejects.toMatchObject({ kind: 'Unauthenticated' });
    advance(MINUTE);
    await core.lock.clearPassphrase('another passphrase');
    expect((await core.lock.status()).method).toBe('keychain');
  });

  it('tells subscribers when it locks and unlocks', async () => {
    const core = makeCore();
    await core.lock.start();
    const seen: unknown[] = [];
    core.lock.subscribe((state) => seen.push(state));
    await core.lock.lock('os-lock');
    await core.lock.lock('idle');
    await core.lock.unlock({});
    expect(seen).toEqual([{ locked: true, reason: 'os-lock' }, { locked: false }]);
  });
});
