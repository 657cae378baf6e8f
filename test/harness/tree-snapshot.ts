import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Everything observable about a directory tree: each entry's relative path, type and mode, a file's
 * size, inode and modification time (an atomic rewrite changes the inode even when the bytes are the
 * same) and, unless told not to, its content hash; a link's target. Two equal snapshots mean nothing
 * was written.
 */
export type TreeSnapshot = Record<string, string>;

export async function snapshotTree(root: string, options: { hashContent?: boolean } = {}): Promise<TreeSnapshot> {
  const hashContent = options.hashContent ?? true;
  const snapshot: TreeSnapshot = {};
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      const path = join(dir, name);
      const stats = await lstat(path);
      const mode = (stats.mode & 0o7777).toString(8);
      const rel = relative(root, path);
      if (stats.isSymbolicLink()) snapshot[rel] = `link ${mode} -> ${await readlink(path)}`;
      else if (stats.isDirectory()) {
        snapshot[rel] = `dir ${mode}`;
        await walk(path);
      } else {
        const hash = hashContent ? createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16) : '-';
        snapshot[rel] = `file ${mode} ${stats.size} ${hash} ino=${stats.ino} mtime=${stats.mtimeMs}`;
      }
    }
  };
  await walk(root);
  return snapshot;
}
