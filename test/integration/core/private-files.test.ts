import { chmod, lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrivateTree } from '../../../electron/core/fs/private-files';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

const mode = async (path: string) => (await lstat(path)).mode & 0o777;

describe('PrivateTree on real files', () => {
  let xdg: TempXdg;
  let tree: PrivateTree;
  beforeEach(async () => {
    xdg = await createTempXdg();
    tree = new PrivateTree(join(xdg.paths.stateDir, 'store'));
  });
  afterEach(() => xdg.cleanup());

  it('creates directories 0700 and files 0600, and reads back what it wrote', async () => {
    await tree.ensureDir('demo', 'dev');
    await tree.write(['demo', 'dev', 'A.secret'], 'payload');
    expect(await mode(tree.root)).toBe(0o700);
    expect(await mode(join(tree.root, 'demo'))).toBe(0o700);
    expect(await mode(join(tree.root, 'demo', 'dev'))).toBe(0o700);
    expect(await mode(join(tree.root, 'demo', 'dev', 'A.secret'))).toBe(0o600);
    expect((await tree.read(['demo', 'dev', 'A.secret'])).toString()).toBe('payload');
    // No temporary file is left next to it.
    expect(await readdir(join(tree.root, 'demo', 'dev'))).toEqual(['A.secret']);
  });

  it('refuses a group-readable file and says how to fix it', async () => {
    await tree.ensureDir('p');
    await tree.write(['p', 'K.secret'], 'x');
    await chmod(join(tree.root, 'p', 'K.secret'), 0o640);
    await expect(tree.read(['p', 'K.secret'])).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('chmod 600') });
  });

  it('refuses a world-readable directory', async () => {
    await tree.ensureDir('p');
    await chmod(join(tree.root, 'p'), 0o755);
    await expect(tree.ensureDir('p')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('chmod 700') });
  });

  it('refuses to write through a symlinked file, and writes nothing outside the tree', async () => {
    await tree.ensureDir('p');
    const outside = join(xdg.root, 'outside.txt');
    await writeFile(outside, 'untouched');
    await symlink(outside, join(tree.root, 'p', 'K.secret'));
    await expect(tree.write(['p', 'K.secret'], 'new')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('symbolic link') });
    await expect(tree.read(['p', 'K.secret'])).rejects.toMatchObject({ kind: 'PermissionDenied' });
    expect(await readFile(outside, 'utf8')).toBe('untouched');
  });

  it('write and append check every folder and the file at once, and report the topmost problem, as checks in order would', async () => {
    await tree.ensureDir('p', 'q');
    const outside = join(xdg.root, 'outside.txt');
    await writeFile(outside, 'untouched');
    await symlink(outside, join(tree.root, 'p', 'q', 'K.log'));
    // Only the file is wrong: the file is named.
    await expect(tree.append(['p', 'q', 'K.log'], 'line\n')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining(`${join(tree.root, 'p', 'q', 'K.log')}: it is a symbolic link`) });
    // A loosened folder above it as well: the folder is named, for write and append alike.
    await chmod(join(tree.root, 'p'), 0o755);
    for (const attempt of [() => tree.append(['p', 'q', 'K.log'], 'line\n'), () => tree.write(['p', 'q', 'K.log'], 'new')]) {
      await expect(attempt()).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining(`${join(tree.root, 'p')}: it is accessible by group or others`) });
    }
    // A missing folder is NotFound naming the topmost missing level.
    await chmod(join(tree.root, 'p'), 0o700);
    await expect(tree.append(['p', 'gone', 'deeper', 'K.log'], 'line\n')).rejects.toMatchObject({ kind: 'NotFound', message: `${join(tree.root, 'p', 'gone')} does not exist.` });
    expect(await readFile(outside, 'utf8')).toBe('untouched');
  });

  it('refuses a symlinked store directory', async () => {
    const real = join(xdg.root, 'elsewhere');
    await mkdir(real, { mode: 0o700 });
    await mkdir(xdg.paths.stateDir, { recursive: true, mode: 0o700 });
    await symlink(real, tree.root);
    await expect(tree.ensureDir('p')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('symbolic link') });
  });

  it('refuses names that would leave the tree', () => {
    expect(() => tree.resolve('..', 'escape')).toThrow(/would leave/);
    expect(() => tree.resolve('a', '../../..')).toThrow(/would leave/);
    expect(() => tree.resolve('a\0b')).toThrow(/would leave/);
  });

  it('reports a missing file as NotFound', async () => {
    await tree.ensureDir('p');
    await expect(tree.read(['p', 'missing'])).rejects.toMatchObject({ kind: 'NotFound' });
  });
});
