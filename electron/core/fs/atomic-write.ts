import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces (or creates) a file atomically: a temporary file in the same folder — created exclusively,
 * 0o600, never through a symlink — is written, optionally fsynced, and renamed over `path`; then the
 * folder is fsynced. The new file belongs to whoever runs Latchkey, with mode 0o600, whatever the old
 * one was (write-file-atomic, used before, copied the old owner and mode and followed symlinks).
 * A temporary left by a killed process is private and ends in `.tmp`, so no listing takes it for data.
 */
export async function writeFileAtomically(path: string, data: string | Buffer, options: { fsync: boolean }): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    try {
      await handle.writeFile(data);
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  if (options.fsync) await fsyncFolder(dirname(path));
}

/** The file name a temporary of writeFileAtomically was for (a killed write leaves one), or undefined when `name` is not one. */
export function targetOfTemporary(name: string): string | undefined {
  return /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(name)?.[1];
}

export async function fsyncFolder(path: string): Promise<void> {
  if (process.platform === 'win32') return; // folders cannot be opened for fsync on Windows
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
