import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

// `latchkey env snapshot|snapshots|restore` and `latchkey incident undo` as a user runs them: the built
// binary, real files in a temporary XDG tree, the data key in gnome-keyring.

const CANARY = `cli-snap-${randomBytes(4).toString('hex')}`;

describeWithKeyring('latchkey env snapshot, snapshots, restore and incident undo (the built CLI, real files, real keyring)', () => {
  let xdg: TempXdg;
  let core: Core;
  const run = (args: string[]) => runLatchkey(args, { env: xdg.env });
  const get = async (ref: string) => (await core.refs.get(ref)).value;
  const json = <T>(text: string) => JSON.parse(text) as T;

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env: xdg.env });
    await core.projects.createProject('shop');
    for (const environment of ['dev', 'prod']) await core.projects.createEnvironment('shop', environment);
    for (const key of ['API_KEY', 'DB_PASSWORD']) {
      await core.refs.set(`file://shop/dev/${key}`, `${CANARY}-dev-${key}`);
      await core.refs.set(`file://shop/prod/${key}`, `${CANARY}-prod-${key}`, { confirmed: true, metadata: { [ROTATION_METADATA_KEY]: 'password-32-p90' } });
    }
  });
  afterAll(async () => {
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('takes a snapshot with a note and lists it', async () => {
    const taken = await run(['env', 'snapshot', '--project', 'shop', '--env', 'dev', '--note', 'before the release', '--json']);
    expect(taken).toMatchObject({ code: 0 });
    expect(json(taken.stdout)).toMatchObject({ id: expect.stringMatching(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/), keys: 2, created_at: expect.any(String), note: 'before the release', reason: 'manual' });
    const listed = await run(['env', 'snapshots', '--project', 'shop', '--env', 'dev']);
    expect(listed.stdout).toContain('before the release');
    expect(listed.stdout).toContain('taken by hand');
  });

  it('a wrong .env import says how to undo it; the restore previews by key, refuses without --yes, then restores', async () => {
    const file = join(xdg.root, 'wrong.env');
    await writeFile(file, `API_KEY=${CANARY}-wrong\nSTRAY=${CANARY}-stray\n`, { mode: 0o600 });
    const imported = await run(['env', 'import', '--project', 'shop', '--env', 'dev', file, '--yes']);
    await rm(file);
    expect(imported).toMatchObject({ code: 0 });
    const hint = /undo it with: (latchkey env restore --project shop --env dev --snapshot (\S+) --delete-new)/.exec(imported.stdout);
    expect(hint, imported.stdout).not.toBeNull();
    const snapshotId = hint?.[2] as string;

    const dry = await run(['env', 'restore', '--project', 'shop', '--env', 'dev', '--snapshot', snapshotId, '--delete-new', '--dry-run', '--json']);
    expect(dry).toMatchObject({ code: 0 });
    expect(json(dry.stdout)).toMatchObject({ changed: ['API_KEY'], recreated: [], deleted: ['STRAY'], unchanged: ['DB_PASSWORD'] });
    expect(dry.stdout).not.toContain(CANARY);
    expect(await get('file://shop/dev/API_KEY')).toBe(`${CANARY}-wrong`);

    const refused = await run(['env', 'restore', '--project', 'shop', '--env', 'dev', '--snapshot', snapshotId, '--delete-new']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('will change (1): API_KEY');
    expect(refused.stderr).toContain('nothing was restored; run again with --yes');
    expect(await get('file://shop/dev/API_KEY')).toBe(`${CANARY}-wrong`);

    const restored = await run(['env', 'restore', '--project', 'shop', '--env', 'dev', '--snapshot', snapshotId, '--delete-new', '--yes', '--json']);
    expect(restored).toMatchObject({ code: 0 });
    const result = json<{ changed: string[]; recreated: string[]; deleted: string[]; unchanged: string[]; before_snapshot_id: string; status: string }>(restored.stdout);
    expect(result).toMatchObject({ status: 'completed', changed: ['API_KEY'], recreated: [], deleted: ['STRAY'], unchanged: ['DB_PASSWORD'] });
    expect(await get('file://shop/dev/API_KEY')).toBe(`${CANARY}-dev-API_KEY`);
    await expect(core.refs.get('file://shop/dev/STRAY')).rejects.toMatchObject({ kind: 'NotFound' });
    expect(restored.stdout).not.toContain(CANARY);

    const list = json<{ snapshots: { id: string; reason: string }[] }>((await run(['env', 'snapshots', '--project', 'shop', '--env', 'dev', '--json'])).stdout);
    expect(list.snapshots.map((snapshot) => snapshot.reason)).toEqual(['env.restore', 'env.import', 'manual']);
    expect(list.snapshots[0]?.id).toBe(result.before_snapshot_id);
  });

  it('restores to a moment, and says what it cannot', async () => {
    const at = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await core.refs.set('file://shop/dev/DB_PASSWORD', `${CANARY}-changed`);
    const preview = await run(['env', 'restore', '--project', 'shop', '--env', 'dev', '--at', at, '--dry-run']);
    expect(preview).toMatchObject({ code: 0 });
    expect(preview.stdout).toContain('will change (1): DB_PASSWORD');
    expect(preview.stdout).toContain('(exact)');
    const restored = await run(['env', 'restore', '--project', 'shop', '--env', 'dev', '--at', at, '--yes']);
    expect(restored).toMatchObject({ code: 0 });
    expect(await get('file://shop/dev/DB_PASSWORD')).toBe(`${CANARY}-dev-DB_PASSWORD`);
  });

  it('bad usage exits 2 and an unknown snapshot exits 3, with no value in any message', async () => {
    const base = ['env', 'restore', '--project', 'shop', '--env', 'dev'];
    expect(await run([...base, '--yes'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--snapshot ID or --at TIME') });
    expect(await run([...base, '--at', 'yesterday', '--snapshot', '20260101T000000Z-00000000'])).toMatchObject({ code: 2 });
    expect(await run([...base, '--at', 'yesterday'])).toMatchObject({ code: 2, stderr: expect.stringContaining('2026-12-06T10:00:00Z') });
    expect(await run([...base, '--snapshot', '20260101T000000Z-00000000', '--delete', 'X', '--delete-new'])).toMatchObject({ code: 2 });
    const unknown = await run([...base, '--snapshot', '20260101T000000Z-00000000', '--dry-run', '--json']);
    expect(unknown.code).toBe(3);
    expect(json<{ error: { kind: string } }>(unknown.stderr).error.kind).toBe('NotFound');
    expect(await run([...base, '--snapshot', '../../etc/passwd', '--dry-run'])).toMatchObject({ code: 3 });
  });

  it('incident undo: a dry run by key, refused without --yes on a protected environment, then the values from before come back', async () => {
    const rotated = await run(['incident', 'rotate', '--project', 'shop', '--env', 'prod', '--yes', '--json']);
    expect(rotated).toMatchObject({ code: 0 });
    const reportId = json<{ report_id: string }>(rotated.stdout).report_id;
    expect(await get('file://shop/prod/API_KEY')).not.toBe(`${CANARY}-prod-API_KEY`);

    const dry = await run(['incident', 'undo', reportId, '--dry-run', '--json']);
    expect(dry).toMatchObject({ code: 0 });
    expect(json(dry.stdout)).toMatchObject({ report_id: reportId, typeToConfirm: ['prod'], environments: [{ environment: 'prod', changed: ['API_KEY', 'DB_PASSWORD'] }] });
    expect(await run(['incident', 'undo', reportId])).toMatchObject({ code: 2, stderr: expect.stringContaining('run again with --yes') });

    const undone = await run(['incident', 'undo', reportId, '--yes']);
    expect(undone).toMatchObject({ code: 0 });
    expect(undone.stdout).toContain('changed (2): API_KEY, DB_PASSWORD');
    expect(await get('file://shop/prod/API_KEY')).toBe(`${CANARY}-prod-API_KEY`);
    expect(await get('file://shop/prod/DB_PASSWORD')).toBe(`${CANARY}-prod-DB_PASSWORD`);
    expect(undone.stdout + undone.stderr).not.toContain(CANARY);
  });
});
