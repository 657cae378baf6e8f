import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { MAX_PASSPHRASE_LENGTH, MIN_PASSPHRASE_LENGTH } from '../../../shared/lock';
import { invalidInput, LatchkeyError, unauthenticated } from '../errors';
import type { FileLocks } from '../fs/locks';
import type { PrivateTree } from '../fs/private-files';

/**
 * The optional app passphrase that unlocks Latchkey. Only a scrypt hash is kept
 * (`$XDG_STATE_HOME/latchkey/lock/passphrase.json`, 0600). Wrong guesses are slowed down: after
 * FREE_ATTEMPTS failures each further attempt must wait twice as long as the one before (up to
 * MAX_DELAY_MS), and the count survives a restart of the app.
 */
export const FREE_ATTEMPTS = 3;
export const BASE_DELAY_MS = 5_000;
export const MAX_DELAY_MS = 5 * 60_000;

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
/** ~32 MiB and ~100 ms per guess on a laptop: cheap once, expensive a million times. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

const DIR = 'lock';
const HASH_FILE = 'passphrase.json';
const ATTEMPTS_FILE = 'attempts.json';
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

const hashSchema = z.strictObject({
  v: z.literal(1),
  kdf: z.literal('scrypt'),
  N: z.number().int().min(2 ** 10).max(2 ** 20).refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: base64url.length(22),
  hash: base64url.length(43),
});
const attemptsSchema = z.strictObject({ failures: z.number().int().min(0), lastFailureAt: z.number().int().min(0) });
type Attempts = z.infer<typeof attemptsSchema>;

export function throttleDelayMs(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_MS);
}

function derive(passphrase: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => scryptCallback(passphrase.normalize('NFC'), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export interface PassphraseStore {
  isSet(): Promise<boolean>;
  /** Sets or replaces the passphrase; replacing it needs the current one. */
  set(passphrase: string, current?: string): Promise<void>;
  clear(current: string): Promise<void>;
  /** Resolves when `passphrase` is the one set; Unauthenticated (with retryAfterMs when throttled) otherwise. */
  verify(passphrase: string): Promise<void>;
}

export function createPassphraseStore(deps: { tree: PrivateTree; locks: FileLocks; now: () => Date; cost?: ScryptCost }): PassphraseStore {
  const { tree, locks } = deps;
  const cost = deps.cost ?? DEFAULT_SCRYPT_COST;
  const hashPath = [DIR, HASH_FILE];
  const attemptsPath = [DIR, ATTEMPTS_FILE];

  const readJson = async <T>(parts: string[], schema: z.ZodType<T>, what: string): Promise<T | undefined> => {
    if (!(await tree.exists(...parts))) return undefined;
    let json: unknown;
    try {
      json = JSON.parse((await tree.read(parts)).toString('utf8'));
    } catch (error) {
      if (error instanceof LatchkeyError) throw error;
      json = undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw invalidInput(`${tree.resolve(...parts)} (${what}) is damaged. Delete it to ${what === 'the passphrase hash' ? 'remove the passphrase and unlock through the OS keychain' : 'reset the count of wrong passphrases'}.`);
    return parsed.data;
  };
  const readHash = () => readJson(hashPath, hashSchema, 'the passphrase hash');
  const readAttempts = async (): Promise<Attempts> => (await readJson(attemptsPath, attemptsSchema, 'the count of wrong passphrases')) ?? { failures: 0, lastFailureAt: 0 };

  const checkShape = (passphrase: string) => {
    if (passphrase.length < MIN_PASSPHRASE_LENGTH || passphrase.length > MAX_PASSPHRASE_LENGTH) {
      throw invalidInput(`A passphrase has ${MIN_PASSPHRASE_LENGTH} to ${MAX_PASSPHRASE_LENGTH} characters.`);
    }
  };

  /** Checks `passphrase` against the stored hash, counting failures; runs under the lock directory's lock. */
  const verifyLocked = async (passphrase: string): Promise<void> => {
    const stored = await readHash();
    if (stored === undefined) throw invalidInput('No app passphrase is set; Latchkey unlocks through the OS keychain.');
    const attempts = await readAttempts();
    const now = deps.now().getTime();
    const waitMs = attempts.lastFailureAt + throttleDelayMs(attempts.failures) - now;
    if (waitMs > 0) {
      throw unauthenticated(`Too many wrong passphrases. Try again in ${Math.ceil(waitMs / 1000)} s.`, { retryAfterMs: waitMs });
    }
    const expected = Buffer.from(stored.hash, 'base64url');
    const actual = await derive(passphrase, Buffer.from(stored.salt, 'base64url'), stored);
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) {
      if (attempts.failures > 0) await tree.remove(attemptsPath);
      return;
    }
    const failures = attempts.failures + 1;
    await tree.write(attemptsPath, JSON.stringify({ failures, lastFailureAt: now }));
    const delay = throttleDelayMs(failures);
    throw unauthenticated(
      delay === 0 ? 'That passphrase is not right.' : `That passphrase is not right. Wait ${Math.ceil(delay / 1000)} s before the next try.`,
      delay === 0 ? {} : { retryAfterMs: delay },
    );
  };

  const withLock = async <T>(work: () => Promise<T>): Promise<T> => {
    await tree.ensureDir(DIR);
    return locks.withLock(tree.resolve(...hashPath), work);
  };
  /** Checking needs a passphrase to check against; without one nothing is created, not even the lock. */
  const withLockIfSet = async <T>(work: () => Promise<T>): Promise<T> => {
    if ((await readHash()) === undefined) throw invalidInput('No app passphrase is set; Latchkey unlocks through the OS keychain.');
    return withLock(work);
  };

  return {
    isSet: async () => (await readHash()) !== undefined,

    verify: (passphrase) => withLockIfSet(() => verifyLocked(passphrase)),

    set: (passphrase, current) =>
      withLock(async () => {
        checkShape(passphrase);
        if ((await readHash()) !== undefined) {
          if (current === undefined) throw unauthenticated('Enter the current passphrase to change it.');
          await verifyLocked(current);
        }
        const salt = randomBytes(16);
        const hash = await derive(passphrase, salt, cost);
        await tree.write(hashPath, `${JSON.stringify({ v: 1, kdf: 'scrypt', ...cost, salt: salt.toString('base64url'), hash: hash.toString('base64url') })}\n`);
      }),

    clear: (current) =>
      withLockIfSet(async () => {
        await verifyLocked(current);
        await tree.remove(hashPath);
        await tree.remove(attemptsPath);
      }),
  };
}
