import * as fs from 'node:fs';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { conflict, isLatchkeyError } from '../errors';
import { PRIVATE_DIR_MODE, type PrivateTree } from '../fs/private-files';

/**
 * One run per incident report at a time, across processes (the app and any number of `latchkey`s). The
 * lock is a directory next to the report (proper-lockfile: created atomically, kept fresh while held,
 * taken over once stale when its holder died); beside it, `<id>.run.owner.json` says who holds it, so the
 * second run is refused with the process, host and start time of the first.
 */
export interface ReportLock {
  release(): Promise<void>;
}

const ownerSchema = z.object({ pid: z.number().int().positive(), host: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/), since: z.iso.datetime() }).strict();
type Owner = z.infer<typeof ownerSchema>;

/** A holder that stops refreshing the lock for this long has died; its lock may be taken over. */
const STALE_MS = 10_000;

export interface LockReportOptions {
  /** Called when the lock was lost while held (the process was stopped too long); the run should stop. */
  onLost?: () => void;
  now?: () => Date;
}

export async function lockReport(tree: PrivateTree, dir: string, id: string, options: LockReportOptions = {}): Promise<ReportLock> {
  await tree.ensureDir(dir);
  const target = tree.resolve(dir, `${id}.run`);
  const ownerFile = [dir, `${id}.run.owner.json`];
  const attempt = (retries: number) =>
    lockfile.lock(target, {
      realpath: false,
      lockfilePath: `${target}.lock`,
      stale: STALE_MS,
      retries: retries === 0 ? 0 : { retries, minTimeout: 1_000, maxTimeout: 1_000 },
      // SECURITY: the lock directory is created private, whatever the umask.
      fs: { ...fs, mkdir: (path: fs.PathLike, callback: (error: NodeJS.ErrnoException | null) => void) => fs.mkdir(path, PRIVATE_DIR_MODE, callback) },
      onCompromised: () => options.onLost?.(),
    });
  let release: () => Promise<void>;
  try {
    release = await attempt(0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readOwner(tree, ownerFile);
    // A holder on this machine that no longer runs left a lock that goes stale soon: wait for it.
    if (owner === undefined || owner.host !== hostname() || isRunning(owner.pid)) throw heldBy(id, owner);
    try {
      release = await attempt(Math.ceil(STALE_MS / 1_000) + 2);
    } catch (retryError) {
      if ((retryError as NodeJS.ErrnoException).code !== 'ELOCKED') throw retryError;
      throw heldBy(id, await readOwner(tree, ownerFile));
    }
  }
  const owner: Owner = { pid: process.pid, host: hostname(), since: (options.now ?? (() => new Date()))().toISOString() };
  await tree.write(ownerFile, `${JSON.stringify(owner)}\n`, { fsync: false });
  return {
    async release() {
      await tree.remove(ownerFile).catch(() => undefined);
      await release().catch(() => undefined);
    },
  };
}

/** Whether a run holds the report now (for tidying a report that no run is writing). */
export async function isReportLocked(tree: PrivateTree, dir: string, id: string): Promise<boolean> {
  const target = tree.resolve(dir, `${id}.run`);
  return lockfile.check(target, { realpath: false, lockfilePath: `${target}.lock`, stale: STALE_MS });
}

async function readOwner(tree: PrivateTree, parts: string[]): Promise<Owner | undefined> {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse((await tree.read(parts)).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (isLatchkeyError(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function heldBy(id: string, owner: Owner | undefined) {
  const who = owner === undefined ? 'another Latchkey process' : `process ${owner.pid} on ${owner.host}, since ${owner.since}`;
  return conflict(`Incident ${id} is being run by ${who}. Wait for that run to finish (or stop it), then try again; one run per report at a time.`, { retryAfterMs: 5_000 });
}
