import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { permissionDenied } from '../errors';

/**
 * Writes a file that holds secret values somewhere the person chose (a project's .env): created 0o600
 * (the temporary file is created with that mode, then renamed over the target), never through a symlink.
 */
/** Refuses a path that is a symlink or not a regular file; a missing file is fine. */
export async function checkOutputPath(path: string): Promise<void> {
  try {
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) {
      throw permissionDenied(`Refusing to write ${path}: it is a symbolic link, and the secrets would land wherever it points. Remove the link or choose another file.`);
    }
    if (!stats.isFile()) throw permissionDenied(`Refusing to write ${path}: it is not a regular file.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export async function writePrivateOutputFile(path: string, text: string): Promise<void> {
  await checkOutputPath(path);
  await writeFileAtomic(path, text, { mode: 0o600, fsync: true });
  if (process.platform !== 'win32') {
    const handle = await open(dirname(path), constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
