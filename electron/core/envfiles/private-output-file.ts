import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { invalidInput, notFound, permissionDenied } from '../errors';
import { writeFileAtomically } from '../fs/atomic-write';
import type { LatchkeyPaths } from '../paths';

/**
 * Files that hold secret values written where the person chose (a `.env` export, `latchkey inject`'s
 * output, a session export): created 0o600 and owned by whoever runs Latchkey (the temporary file is
 * created with that mode, then renamed over the target), never through a symlink, and never inside
 * Latchkey's own state or config folders — an export over `audit.jsonl` or `store/keyinfo.json` would
 * replace the audit trail with plaintext values or break the store.
 *
 * Every writer of such a file goes through `core.outputFiles` (createOutputFiles), which knows those
 * folders; nothing else in core writes to a path from outside.
 */
export interface OutputFiles {
  /** Refuses a path that may not be written (see above); the file is not touched. */
  check(path: string): Promise<void>;
  /** check(), then writes `text` atomically, 0o600, durable (file and folder fsynced). */
  write(path: string, text: string): Promise<void>;
}

export function createOutputFiles(paths: LatchkeyPaths): OutputFiles {
  const check = async (path: string): Promise<string> => {
    const target = await physicalTarget(path);
    for (const own of [paths.stateDir, paths.configDir]) {
      if (isInside(target, await physicalPath(own))) {
        throw permissionDenied(
          `Refusing to write ${path}: it is inside Latchkey's own folder ${own}, where it would replace Latchkey's files (the store, its key marker, ` +
            'the audit log, the configuration). Choose a file elsewhere, e.g. in your project.',
        );
      }
    }
    try {
      const stats = await lstat(target);
      if (stats.isSymbolicLink()) {
        throw permissionDenied(`Refusing to write ${path}: it is a symbolic link, and the secrets would land wherever it points. Remove the link or choose another file.`);
      }
      if (!stats.isFile()) throw permissionDenied(`Refusing to write ${path}: it is not a regular file.`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return target;
  };
  return {
    async check(path) {
      await check(path);
    },
    async write(path, text) {
      const target = await check(path);
      await writeFileAtomically(target, text, { fsync: true });
    },
  };
}

/**
 * Where the kernel would put `path`: its folder resolved physically (fs/promises' realpath is realpath(3),
 * so a symlinked folder and `link/..` resolve as the kernel resolves them, not as the text reads), then
 * its own name.
 */
async function physicalTarget(path: string): Promise<string> {
  if (path === '' || path.includes('\0')) throw invalidInput('Name the file to write.');
  const name = basename(path);
  if (name === '' || name === '.' || name === '..' || /[\\/]$/.test(path)) throw invalidInput(`${path} names a folder; name the file to write in it.`);
  const folder = path.slice(0, path.length - name.length) || '.';
  try {
    return join(await realpath(folder), name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`The folder of ${path} does not exist. Create it first, or choose another file.`);
    if (code === 'ENOTDIR') throw invalidInput(`The folder of ${path} is not a folder.`);
    throw error;
  }
}

/** A folder's physical path, through its nearest existing ancestor when it does not exist (yet). */
async function physicalPath(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(path) === path) throw error;
    return join(await physicalPath(dirname(path)), basename(path));
  }
}

function isInside(target: string, folder: string): boolean {
  // macOS and Windows file systems ignore case by default: compare as they do.
  const fold = (text: string) => (process.platform === 'darwin' || process.platform === 'win32' ? text.toLowerCase() : text);
  const rel = relative(fold(folder), fold(target));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
