import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where Latchkey keeps its files. Linux follows the XDG base directory specification; macOS and
 * Windows use their usual application-data folders unless XDG variables are set.
 */
export interface LatchkeyPaths {
  /** Encrypted secret files, audit log, reports: `$XDG_STATE_HOME/latchkey`. */
  stateDir: string;
  /** Projects, environments, connections (never secret values): `$XDG_CONFIG_HOME/latchkey`. */
  configDir: string;
}

type Env = Record<string, string | undefined>;

export function resolvePaths(env: Env = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): LatchkeyPaths {
  // The spec says relative XDG values are invalid and must be ignored.
  const xdg = (name: string) => {
    const value = env[name];
    return value !== undefined && value !== '' && isAbsolute(value) ? value : undefined;
  };
  const xdgState = xdg('XDG_STATE_HOME');
  const xdgConfig = xdg('XDG_CONFIG_HOME');

  if (platform === 'darwin' && xdgState === undefined && xdgConfig === undefined) {
    const base = join(home, 'Library', 'Application Support', 'Latchkey');
    return { stateDir: join(base, 'state'), configDir: join(base, 'config') };
  }
  if (platform === 'win32' && xdgState === undefined && xdgConfig === undefined) {
    const local = env.LOCALAPPDATA ?? join(home, 'AppData', 'Local');
    const roaming = env.APPDATA ?? join(home, 'AppData', 'Roaming');
    return { stateDir: join(local, 'Latchkey', 'state'), configDir: join(roaming, 'Latchkey', 'config') };
  }
  return {
    stateDir: join(xdgState ?? join(home, '.local', 'state'), 'latchkey'),
    configDir: join(xdgConfig ?? join(home, '.config'), 'latchkey'),
  };
}
