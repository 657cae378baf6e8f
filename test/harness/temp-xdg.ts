import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePaths, type LatchkeyPaths } from '../../electron/core/paths';

/** A throwaway XDG tree (state, config, home) for one test file; removed by cleanup(). */
export interface TempXdg {
  root: string;
  env: Record<string, string>;
  paths: LatchkeyPaths;
  cleanup(): Promise<void>;
}

/** `base`: where to make the tree (default the OS temp folder); a tmpfs such as /dev/shm makes fsync free. */
export async function createTempXdg(base: string = tmpdir()): Promise<TempXdg> {
  const root = await mkdtemp(join(base, 'latchkey-test-'));
  const env = {
    HOME: join(root, 'home'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
  };
  return {
    root,
    env,
    paths: resolvePaths(env, 'linux', env.HOME),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
