import { z } from 'zod';
import { ENVIRONMENT_NAME, PROJECT_NAME, VARIABLE_NAME } from '../../../shared/names';
import type { PrivateTree } from '../fs/private-files';
import type { Logger } from '../log';

/**
 * Which programs `latchkey run --watch` keeps running with an environment's secrets, so the app can
 * say "a rotation of DB_PASSWORD restarts node (pid 4242)". Each watched run writes
 * `$XDG_STATE_HOME/latchkey/runs/<pid>.json` (0600: names only — project, environment, variable names,
 * the program's file name) and removes it when it ends. A run killed with SIGKILL cannot remove its
 * file: a file whose process is gone is not listed, and is removed by the next listing.
 */
export interface WatchedRun {
  pid: number;
  project: string;
  environment: string;
  /** The program's file name (never its arguments). */
  command: string;
  keys: string[];
  startedAt: string;
}

const watchedRunSchema = z
  .object({
    pid: z.number().int().positive(),
    project: z.string().regex(PROJECT_NAME),
    environment: z.string().regex(ENVIRONMENT_NAME),
    command: z.string().min(1).max(200),
    keys: z.array(z.string().regex(VARIABLE_NAME)).max(20_000),
    startedAt: z.iso.datetime(),
  })
  .strict();

const FILE = /^([1-9][0-9]{0,9})\.json$/;

/** Whether a process exists (a signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createWatchedRuns(deps: { tree: PrivateTree; logger: Logger; alive?: (pid: number) => boolean }) {
  const alive = deps.alive ?? isAlive;
  return {
    /** Records (or updates, after a restart) this process's watched run. */
    async record(run: WatchedRun): Promise<void> {
      await deps.tree.ensureDir();
      await deps.tree.write([`${run.pid}.json`], JSON.stringify(watchedRunSchema.parse(run)), { fsync: false });
    },

    async remove(pid: number): Promise<void> {
      await deps.tree.remove([`${pid}.json`]);
    },

    /** The watched runs of one environment whose process is still running. */
    async list(project: string, environment: string): Promise<WatchedRun[]> {
      const runs: WatchedRun[] = [];
      for (const entry of await deps.tree.list()) {
        const pid = Number(FILE.exec(entry.name)?.[1]);
        if (entry.isDirectory || !Number.isInteger(pid) || pid <= 0) continue;
        if (!alive(pid)) {
          await deps.tree.remove([entry.name]).catch(() => undefined);
          continue;
        }
        let parsed: WatchedRun | undefined;
        try {
          const result = watchedRunSchema.safeParse(JSON.parse((await deps.tree.read([entry.name])).toString('utf8')));
          parsed = result.success && result.data.pid === pid ? result.data : undefined;
        } catch {
          parsed = undefined;
        }
        // A file another writer damaged (or a half-written one of an older version) says nothing reliable.
        if (parsed === undefined) {
          deps.logger.warn('run: an unreadable watched-run file was skipped', { file: entry.name });
          continue;
        }
        if (parsed.project === project && parsed.environment === environment) runs.push(parsed);
      }
      return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    },
  };
}

export type WatchedRuns = ReturnType<typeof createWatchedRuns>;
