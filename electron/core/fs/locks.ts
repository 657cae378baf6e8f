import fs from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { backendUnavailable, notFound } from '../errors';
import { PRIVATE_DIR_MODE } from './private-files';

// proper-lockfile makes its lock directory with mkdir(path) — 0o777 less the umask, so 0o755 or even
// 0o777 — next to private files. Ours are made 0o700 whatever the umask, like every other folder.
const lockFs = { ...fs, mkdir: (path: fs.PathLike, callback: (error: NodeJS.ErrnoException | null) => void) => fs.mkdir(path, { mode: PRIVATE_DIR_MODE }, callback) };

/**
 * Mutual exclusion for read-modify-write of files that the app and the CLI may both change. Within a
 * process, callers queue per path (no retry storms); across processes, proper-lockfile holds a lock
 * directory next to the file, which goes stale — and may be taken over — when its holder dies.
 */
export class FileLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async withLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(lockPath) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.acrossProcesses(lockPath, work));
    this.tails.set(lockPath, run);
    try {
      return await run;
    } finally {
      if (this.tails.get(lockPath) === run) this.tails.delete(lockPath);
    }
  }

  private async acrossProcesses<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
    // proper-lockfile retries every error; a missing folder would be retried for ~40 s and then
    // reported as a lock held by someone else.
    await stat(dirname(lockPath)).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? notFound(`${dirname(lockPath)} does not exist.`, { cause: error }) : error;
    });
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(lockPath, {
        realpath: false,
        fs: lockFs,
        lockfilePath: `${lockPath}.lock`,
        stale: 5_000,
        retries: { retries: 200, factor: 1.3, minTimeout: 5, maxTimeout: 200, randomize: true },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      throw backendUnavailable(`Another Latchkey process holds ${lockPath} and did not release it. Try again in a few seconds.`, {
        cause: error,
        retryAfterMs: 5_000,
      });
    }
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  }
}
