import { chmod, lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrivateTree } from '../../../electron/core/fs/private-files';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

describe('PrivateTree.append / readTail / lines / write without fsync (real files)', () => {
  let xdg: TempXdg;
  let tree: PrivateTree;
  beforeEach(async () => {
    xdg = await createTempXdg();
    tree = new PrivateTree(join(xdg.paths.stateDir, 'store'));
    await tree.ensureDir();
  });
  afterEach(() => xdg.cleanup());

  it('appends to a file created 0600, and reads its tail and size', async () => {
    await tree.append(['log'], 'one\n');
    await Promise.all(Array.from({ length: 20 }, (_, index) => tree.append(['log'], `line ${index}\n`)));
    expect((await lstat(join(tree.root, 'log'))).mode & 0o777).toBe(0o600);
    const text = await readFile(join(tree.root, 'log'), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(21);
    const tail = await tree.readTail(['log'], 8);
    expect(tail.size).toBe(Buffer.byteLength(text));
    expect(tail.data.toString()).toBe(text.slice(-8));
    expect((await tree.readTail(['log'], 1_000_000)).data.toString()).toBe(text);
    await expect(tree.readTail(['missing'], 10)).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('refuses to append to or read a group-readable file or a symlink', async () => {
    await tree.append(['log'], 'x\n');
    await chmod(join(tree.root, 'log'), 0o644);
    await expect(tree.append(['log'], 'y\n')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('chmod 600') });
    await expect(tree.readTail(['log'], 10)).rejects.toMatchObject({ kind: 'PermissionDenied' });
    const outside = join(xdg.root, 'outside');
    await writeFile(outside, 'untouched');
    await symlink(outside, join(tree.root, 'link'));
    await expect(tree.append(['link'], 'y\n')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('symbolic link') });
    expect(await readFile(outside, 'utf8')).toBe('untouched');
  });

  it('streams the lines of a file (the last one without a line end too), stops early, and refuses what read refuses', async () => {
    const collect = async (source: AsyncIterable<string>, stopAfter = Infinity) => {
      const got: string[] = [];
      for await (const line of source) {
        got.push(line);
        if (got.length >= stopAfter) break;
      }
      return got;
    };
    await tree.append(['log'], `${Array.from({ length: 5000 }, (_, index) => `line ${index}`).join('\n')}\nunfinished`);
    const all = await collect(tree.lines(['log']));
    expect(all).toHaveLength(5001);
    expect(all.slice(0, 2)).toEqual(['line 0', 'line 1']);
    expect(all.at(-1)).toBe('unfinished');
    expect(await collect(tree.lines(['log']), 3)).toEqual(['line 0', 'line 1', 'line 2']);
    await expect(collect(tree.lines(['missing']))).rejects.toMatchObject({ kind: 'NotFound' });
    await chmod(join(tree.root, 'log'), 0o644);
    await expect(collect(tree.lines(['log']))).rejects.toMatchObject({ kind: 'PermissionDenied' });
    const outside = join(xdg.root, 'outside-lines');
    await writeFile(outside, 'not ours\n');
    await symlink(outside, join(tree.root, 'link'));
    await expect(collect(tree.lines(['link']))).rejects.toMatchObject({ kind: 'PermissionDenied' });
  });

  it('write with fsync: false is still atomic and private', async () => {
    await tree.write(['head'], 'a', { fsync: false });
    await tree.write(['head'], 'b', { fsync: false });
    expect((await tree.read(['head'])).toString()).toBe('b');
    expect((await lstat(join(tree.root, 'head'))).mode & 0o777).toBe(0o600);
  });
});
