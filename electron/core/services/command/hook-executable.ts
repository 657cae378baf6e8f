import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, resolve, sep } from 'node:path';
import { invalidInput, notFound, permissionDenied } from '../../errors';

/**
 * Where a command rotator's hook is. It is resolved once, when the rotator is attached: an absolute
 * path is kept, a path with a directory in it (`./rotate.sh`, `bin/rotate`) is made absolute from the
 * current directory, a bare name is looked up on PATH. The rotator stores the absolute path, so a later
 * change of directory or PATH never runs something else.
 */
export async function resolveHookExecutable(input: string, options: { cwd: string; path: string | undefined }): Promise<string> {
  if (input.trim() === '' || input.includes('\0')) throw invalidInput('--command needs the path of an executable, e.g. ./rotate.sh or /usr/local/bin/rotate-temporal.');
  if (isAbsolute(input)) return checkHookExecutable(input);
  if (input.includes('/') || input.includes(sep)) return checkHookExecutable(resolve(options.cwd, input));
  for (const directory of (options.path ?? '').split(delimiter)) {
    // Only absolute PATH entries: an empty or relative one would mean "the current directory".
    if (!isAbsolute(directory)) continue;
    const candidate = resolve(directory, input);
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw notFound(`No executable named ${input} on PATH. Give its path (./${input} or an absolute path).`);
}

/** Refuses what cannot run: missing, a directory, not executable. Returns the path. */
export async function checkHookExecutable(path: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`The rotation hook ${path} does not exist. Restore it, or attach the rotator again with --command.`);
    throw permissionDenied(`The rotation hook ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the permissions of its folders.`);
  }
  if (!info.isFile()) throw invalidInput(`The rotation hook ${path} is not a file.`);
  if (process.platform !== 'win32') {
    try {
      await access(path, constants.X_OK);
    } catch {
      throw permissionDenied(`The rotation hook ${path} is not executable. Make it so: chmod +x ${path}`);
    }
  }
  return path;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    if (process.platform !== 'win32') await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
