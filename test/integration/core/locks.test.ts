import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileLocks } from '../../../electron/core/fs/locks';

// Issue 15, item 17: lock directories were 0777 under umask 000 and 0755 under 022, next to 0600 files
// (and a 0755 lock folder inside the store made the store's own checks refuse it). They are 0700 always.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-locks-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it.each([0o000, 0o022, 0o002])('a lock directory is 0700 under umask %o (real proper-lockfile)', async (umask) => {
  const previous = process.umask(umask);
  try {
    const target = join(dir, `file-${umask}`);
    const mode = await new FileLocks().withLock(target, async () => (await stat(`${target}.lock`)).mode & 0o777);
    expect(mode.toString(8)).toBe('700');
  } finally {
    process.umask(previous);
  }
});
