import { constants } from 'node:fs';
import { once } from 'node:events';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { invalidInput, notFound, permissionDenied } from '../errors';
import { fsyncFolder, writeFileAtomically } from './atomic-write';

/**
 * File I/O for everything Latchkey keeps on disk. Directories are 0o700 and files 0o600 from the moment
 * they exist (created with those modes, never loosened then tightened); writes are atomic (temp file in
 * the same directory, fsync, rename, fsync of the directory); a symlink, a foreign owner or a group- or
 * world-accessible entry is refused with a message that says how to fix it.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const checksModes = process.platform !== 'win32';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Refuses `path` unless it is a real (non-symlink) entry of the expected type, owned by us, private. */
async function assertPrivate(path: string, expect: 'dir' | 'file'): Promise<void> {
  const stats = await lstat(path);
  if (stats.isSymbolicLink()) {
    throw permissionDenied(
      `Refusing to use ${path}: it is a symbolic link. Latchkey keeps secrets only in real directories and files it created. ` +
        `Move the link away (mv '${path}' '${path}.moved') and run Latchkey again.`,
    );
  }
  if (expect === 'dir' ? !stats.isDirectory() : !stats.isFile()) {
    throw permissionDenied(`Refusing to use ${path}: expected a ${expect === 'dir' ? 'directory' : 'regular file'}. Move it away and try again.`);
  }
  if (!checksModes) return;
  if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) {
    throw permissionDenied(`Refusing to use ${path}: it belongs to another user (uid ${stats.uid}). Only files you own are trusted.`);
  }
  if ((stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
    const wanted = expect === 'dir' ? '700' : '600';
    throw permissionDenied(
      `Refusing to use ${path}: it is accessible by group or others (mode ${mode}). ` +
        `Fix it with: chmod ${wanted} '${path}' — then check that nobody else read it.`,
    );
  }
}

/**
 * Checks the private directories `levels` (top down, Latchkey's own folder first) and the private files
 * `files` in them, all at once: each check is one lstat that does not depend on another. The failure
 * reported is the one the checks made one after the other would have met first: the topmost folder's,
 * then the files'. A missing folder is NotFound; a missing file is no failure: false in the result.
 */
async function checkLevels(levels: string[], files: string[]): Promise<boolean[]> {
  const results = await Promise.allSettled([...levels.map((level) => assertPrivate(level, 'dir')), ...files.map((file) => assertPrivate(file, 'file'))]);
  levels.forEach((level, index) => {
    const result = results[index]!;
    if (result.status === 'fulfilled') return;
    if (isMissing(result.reason)) throw notFound(`${level} does not exist.`);
    throw result.reason;
  });
  return files.map((_, index) => {
    const result = results[levels.length + index]!;
    if (result.status === 'fulfilled') return true;
    if (isMissing(result.reason)) return false;
    throw result.reason;
  });
}

/**
 * What the kernel says about a file's content: its inode, size and change time. Any write, truncate,
 * rename over it or mode change gives a new stamp (to the file system clock's tick, a few ms at most),
 * and the change time cannot be set back by the file's owner, so an unchanged stamp means the content is
 * still what was last seen.
 */
export interface FileStamp {
  ino: bigint;
  size: bigint;
  ctimeNs: bigint;
}

const stampOf = (stats: { ino: bigint; size: bigint; ctimeNs: bigint }): FileStamp => ({ ino: stats.ino, size: stats.size, ctimeNs: stats.ctimeNs });

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.ctimeNs === b.ctimeNs;
}

/**
 * A directory tree Latchkey owns: `root` and everything below it are private. Paths handed to it are
 * always joined from validated names, and checked again here to stay under the root.
 *
 * `ownedFrom`, an ancestor of `root`, is where Latchkey's own folder starts (the store's root is
 * `$XDG_STATE_HOME/latchkey/store`; Latchkey owns `$XDG_STATE_HOME/latchkey`): every level from there
 * down is checked too, so a symlinked or loosened state directory is refused like a symlinked store.
 */
export class PrivateTree {
  private readonly owned: string[];

  constructor(
    readonly root: string,
    options: { ownedFrom?: string } = {},
  ) {
    const from = options.ownedFrom ?? root;
    const rel = relative(from, root);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${from} is not an ancestor of ${root}`);
    // The levels from `ownedFrom` down to `root`, `root` included.
    this.owned = [from, ...rel.split(sep).filter(Boolean).map((_, index, parts) => join(from, ...parts.slice(0, index + 1)))];
  }

  /** Every level from Latchkey's own folder down to `path`, each of which must be a private directory. */
  private levels(path: string): string[] {
    return [...this.owned, ...relative(this.root, path).split(sep).filter(Boolean).map((_, index, parts) => join(this.root, ...parts.slice(0, index + 1)))];
  }

  resolve(...parts: string[]): string {
    const path = join(this.root, ...parts);
    const rel = relative(this.root, path);
    const escapes = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
    if (escapes || parts.some((part) => part.includes('\0'))) {
      throw invalidInput(`The name ${JSON.stringify(parts.join('/'))} would leave Latchkey's folder; use plain names.`);
    }
    return path;
  }

  /**
   * Creates `root/...parts` and checks every level from Latchkey's own folder down. Levels are checked
   * and created one at a time (0o700), top down, so nothing is ever created through a symlink.
   */
  async ensureDir(...parts: string[]): Promise<string> {
    const path = this.resolve(...parts);
    const levels = this.levels(path);
    // Above Latchkey's own folder (e.g. ~/.local/state) is the user's; create it if missing, as XDG says, 0o700.
    await mkdir(dirname(levels[0]!), { recursive: true, mode: PRIVATE_DIR_MODE });
    for (const level of levels) {
      try {
        await assertPrivate(level, 'dir');
      } catch (error) {
        if (!isMissing(error)) throw error;
        await mkdir(level, { mode: PRIVATE_DIR_MODE }).catch((mkdirError: NodeJS.ErrnoException) => {
          if (mkdirError.code !== 'EEXIST') throw mkdirError;
        });
        await assertPrivate(level, 'dir');
      }
    }
    return path;
  }

  /** Checks the directories from Latchkey's own folder down to `parts`; NotFound when one is missing. */
  async checkDir(...parts: string[]): Promise<string> {
    const path = this.resolve(...parts);
    await checkLevels(this.levels(path), []);
    return path;
  }

  /**
   * Checks the directories down to the file `parts` and the file itself; whether the file exists (a
   * missing file is no error: the caller creates it). What checkDir and assertPrivate do one after the
   * other, at once.
   */
  private async checkFile(parts: string[]): Promise<{ path: string; exists: boolean }> {
    const path = this.resolve(...parts);
    const [exists] = await checkLevels(this.levels(dirname(path)), [path]);
    return { path, exists: exists ?? false };
  }

  async exists(...parts: string[]): Promise<boolean> {
    try {
      await lstat(this.resolve(...parts));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /**
   * Atomically replaces (or creates) a private file. The parent directories must exist. `fsync: false`
   * keeps the atomic rename but skips the flushes, for files whose loss in a crash is harmless.
   */
  async write(parts: string[], data: string | Buffer, options: { fsync?: boolean } = {}): Promise<void> {
    const durable = options.fsync ?? true;
    // A missing file is the normal case of a create; anything else (symlink, wrong mode) stops the write.
    const { path } = await this.checkFile(parts);
    await writeFileAtomically(path, data, { fsync: durable });
  }

  /** Reads a private file; NotFound when it does not exist, PermissionDenied when it is not private. */
  async read(parts: string[]): Promise<Buffer> {
    const path = this.resolve(...parts);
    try {
      await this.checkDir(...parts.slice(0, -1));
      await assertPrivate(path, 'file');
      // O_NOFOLLOW: a symlink swapped in after the check is still not followed.
      const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isMissing(error)) throw notFound(`${path} does not exist.`);
      throw error;
    }
  }

  /**
   * The lines of a private text file, read as a stream (a long log never sits in memory whole), without
   * their line ends; a last line without one is given too. NotFound when it does not exist.
   */
  async *lines(parts: string[]): AsyncGenerator<string> {
    const path = this.resolve(...parts);
    let handle;
    try {
      await this.checkDir(...parts.slice(0, -1));
      await assertPrivate(path, 'file');
      handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (error) {
      if (isMissing(error)) throw notFound(`${path} does not exist.`);
      throw error;
    }
    // The stream closes the file when it ends or is destroyed (a reader that stops early).
    const stream = handle.createReadStream({ encoding: 'utf8' });
    const reader = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      yield* reader;
    } finally {
      reader.close();
      stream.destroy();
      if (!stream.closed) await once(stream, 'close');
    }
  }

  /** The file's stamp (see FileStamp); undefined when it does not exist. Follows no symlink. */
  async stamp(parts: string[]): Promise<FileStamp | undefined> {
    try {
      return stampOf(await lstat(this.resolve(...parts), { bigint: true }));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * Appends to a private file (created 0o600 when missing) and fsyncs it. O_APPEND makes every write land
   * at the current end, so appenders in several processes never overwrite each other; callers that need
   * whole lines in order hold a FileLocks lock around it.
   */
  async append(parts: string[], data: string | Buffer): Promise<FileStamp> {
    const { path, exists } = await this.checkFile(parts);
    const created = !exists;
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);
    const handle = await open(path, flags, PRIVATE_FILE_MODE);
    let stamp: FileStamp;
    try {
      await handle.writeFile(data);
      await handle.sync();
      stamp = stampOf(await handle.stat({ bigint: true }));
    } finally {
      await handle.close();
    }
    if (created) await fsyncFolder(dirname(path));
    return stamp;
  }

  /** The size of a private file and its last `maxBytes` bytes; NotFound when it does not exist. */
  async readTail(parts: string[], maxBytes: number): Promise<{ size: number; data: Buffer }> {
    const path = this.resolve(...parts);
    try {
      await this.checkDir(...parts.slice(0, -1));
      await assertPrivate(path, 'file');
      const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        const { size } = await handle.stat();
        const length = Math.min(size, Math.max(0, maxBytes));
        const data = Buffer.alloc(length);
        let offset = 0;
        while (offset < length) {
          const { bytesRead } = await handle.read(data, offset, length - offset, size - length + offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
        }
        return { size, data: data.subarray(0, offset) };
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isMissing(error)) throw notFound(`${path} does not exist.`);
      throw error;
    }
  }

  /**
   * Cuts a private file back to `size` bytes and fsyncs it — for dropping what an interrupted append left
   * after the last complete record (never acknowledged, so nothing anyone relied on).
   */
  async truncate(parts: string[], size: number): Promise<void> {
    const path = this.resolve(...parts);
    await this.checkDir(...parts.slice(0, -1));
    await assertPrivate(path, 'file');
    const handle = await open(path, constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      await handle.truncate(size);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Renames a private file within its folder (e.g. to keep it aside as evidence); fsyncs the folder. */
  async rename(parts: string[], newName: string): Promise<string> {
    const from = this.resolve(...parts);
    const to = this.resolve(...parts.slice(0, -1), newName);
    await this.checkDir(...parts.slice(0, -1));
    await assertPrivate(from, 'file');
    if (await this.exists(...parts.slice(0, -1), newName)) throw invalidInput(`${to} already exists; Latchkey will not replace it.`);
    await rename(from, to);
    await fsyncFolder(dirname(to));
    return to;
  }

  async remove(parts: string[]): Promise<boolean> {
    const path = this.resolve(...parts);
    try {
      // Removing through a symlinked folder would delete something outside the tree.
      await this.checkDir(...parts.slice(0, -1));
      await lstat(path);
    } catch (error) {
      if (isMissing(error) || (error as { kind?: string }).kind === 'NotFound') return false;
      throw error;
    }
    await rm(path, { recursive: true, force: true });
    await fsyncFolder(dirname(path));
    return true;
  }

  /** Lists the entries of a private directory (empty when it does not exist). */
  async list(...parts: string[]): Promise<{ name: string; isDirectory: boolean }[]> {
    let dir: string;
    try {
      dir = await this.checkDir(...parts);
    } catch (error) {
      if ((error as { kind?: string }).kind === 'NotFound') return [];
      throw error;
    }
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
  }
}
