import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { AUDIT_FILE } from '../../../electron/core/audit/audit-log';
import { rotateDueCommand } from '../../../electron/core/rotation/commands';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// Snapshots, restore (to a snapshot and to a moment) and undo over the real local store: encrypted
// files in a temporary XDG tree, the data key in gnome-keyring, the real audit log — through createCore.

const CANARY = `snap-canary-${randomBytes(4).toString('hex')}`;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describeWithKeyring('snapshots and restore on the real local store (createCore, real keyring)', () => {
  let xdg: TempXdg;
  let core: Core;
  let clock = new Date('2026-03-01T09:00:00Z');
  const logs = captureLogger();
  const keychain = realKeychain();
  const tick = (ms = MINUTE) => (clock = new Date(clock.getTime() + ms));

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain, logger: logs.logger, now: () => clock, env: xdg.env });
    await core.projects.createProject('shop');
    for (const name of ['dev', 'prod', 'pit', 'many']) await core.projects.createEnvironment('shop', name);
  });
  afterAll(async () => {
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await core.close();
    await xdg.cleanup();
  });

  const value = async (environment: string, key: string) => (await core.secrets.reveal('shop', environment, key)).value;
  const keys = async (environment: string) => (await core.secrets.list('shop', environment)).map((item) => item.key).sort();
  const set = (environment: string, key: string, text: string) => core.refs.set(`file://shop/${environment}/${key}`, text);
  const environmentId = async (environment: string) => (await core.projects.find('shop', environment)).environment.id;

  /** Every file Latchkey wrote, as text: no canary may be in any of them in plain text. */
  const everything = async (): Promise<string> => {
    const texts: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else texts.push(await readFile(path, 'utf8'));
      }
    };
    await walk(xdg.root);
    return [...texts, ...logs.lines].join('\n');
  };

  it('a snapshot by hand: a private file per snapshot, values sealed, listed with its note, audited', async () => {
    await set('dev', 'API_KEY', `${CANARY}-api-1`);
    await set('dev', 'DB_PASSWORD', `${CANARY}-db-1`);
    tick();
    const taken = await core.snapshots.take('shop', 'dev', { note: 'before the migration' });
    expect(taken).toMatchObject({ reason: 'manual', note: 'before the migration', keys: 2, escrowed: 2, unreadable: 0, backend: 'file' });

    const dir = join(xdg.paths.stateDir, 'snapshots', await environmentId('dev'));
    expect((await lstat(dir)).mode & 0o777).toBe(0o700);
    const file = join(dir, `${taken.id}.json`);
    expect((await lstat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { keys: { key: string; version: string; escrowed: boolean }[]; escrow: { alg: string } };
    expect(saved.keys).toEqual([
      { key: 'API_KEY', version: '1', version_created_at: expect.any(String), escrowed: true },
      { key: 'DB_PASSWORD', version: '1', version_created_at: expect.any(String), escrowed: true },
    ]);
    expect(saved.escrow.alg).toBe('A256GCM');
    expect(await everything()).not.toContain(CANARY);

    const listed = await core.snapshots.list('shop', 'dev');
    expect(listed.snapshots.map((snapshot) => snapshot.id)).toEqual([taken.id]);
    expect(listed.retention).toEqual({ count: 50, days: 90 });
    const entries = await core.audit.query({ actions: ['env.snapshot'] });
    expect(entries.at(-1)).toMatchObject({ outcome: 'ok', project: 'shop', environment: 'dev', snapshot_id: taken.id, counts: { total: 2 } });
  });

  it('a wrong .env import is snapshotted first and undone from that snapshot: changed keys back, created keys deleted', async () => {
    tick();
    await set('dev', 'KEEP', `${CANARY}-keep`);
    tick();
    const imported = await core.environments.applyImport('shop', 'dev', `API_KEY=${CANARY}-wrong\nNEW_ONE=${CANARY}-new\n`, { confirmation: { assumeYes: true } });
    expect(imported.results.map((result) => [result.key, result.action])).toEqual([
      ['NEW_ONE', 'created'],
      ['API_KEY', 'updated'],
    ]);
    expect(imported.snapshot_id).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect((await core.snapshots.list('shop', 'dev')).snapshots[0]).toMatchObject({ id: imported.snapshot_id, reason: 'env.import', keys: 3 });
    tick();
    await set('dev', 'KEEP', `${CANARY}-keep-2`); // changed after the import: not part of its undo

    const touched = imported.results.map((result) => result.key);
    const target = { snapshot: imported.snapshot_id as string };
    const preview = await core.snapshots.preview('shop', 'dev', target, { keys: touched, delete: ['NEW_ONE'] });
    expect(preview).toMatchObject({ changed: ['API_KEY'], recreated: [], created_since: ['NEW_ONE'], deleted: ['NEW_ONE'], unchanged: [], unavailable: [] });
    expect(JSON.stringify(preview)).not.toContain(CANARY);

    await expect(core.snapshots.restore('shop', 'dev', target, { keys: touched, delete: ['NEW_ONE'] })).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    const undone = await core.snapshots.restore('shop', 'dev', target, { keys: touched, delete: ['NEW_ONE'], confirmation: { assumeYes: true } });
    expect(undone).toMatchObject({ status: 'completed', changed: ['API_KEY'], deleted: ['NEW_ONE'], recreated: [], kept_new: [] });
    expect(await value('dev', 'API_KEY')).toBe(`${CANARY}-api-1`);
    expect(await value('dev', 'KEEP')).toBe(`${CANARY}-keep-2`);
    expect(await keys('dev')).toEqual(['API_KEY', 'DB_PASSWORD', 'KEEP']);
    // Written as a new version: the import's version stays in the history.
    expect((await core.secrets.history('shop', 'dev', 'API_KEY')).map((version) => version.version)).toEqual(['3', '2', '1']);
    // The restore took its own snapshot first, so it can be undone too.
    expect((await core.snapshots.list('shop', 'dev')).snapshots.find((snapshot) => snapshot.id === undone.before_snapshot_id)).toMatchObject({ reason: 'env.restore' });

    const entries = await core.audit.query({ actions: ['env.restore', 'secret.restore', 'secret.delete'] });
    const audit = entries.map((entry) => [entry.action, entry.outcome, entry.ref ?? '', entry.snapshot_id]);
    expect(audit[0]).toEqual(['env.restore', 'started', '', imported.snapshot_id]);
    // Keys are restored concurrently: their entries come in either order, between the two of the run.
    expect(audit.slice(1, 3)).toEqual(
      expect.arrayContaining([
        ['secret.restore', 'ok', 'file://shop/dev/API_KEY', imported.snapshot_id],
        ['secret.delete', 'ok', 'file://shop/dev/NEW_ONE', imported.snapshot_id],
      ]),
    );
    expect(audit[3]).toEqual(['env.restore', 'ok', '', imported.snapshot_id]);
    expect(entries.at(-1)?.counts).toMatchObject({ total: 2, changed: 1, deleted: 1 });
    expect(await everything()).not.toContain(CANARY);
  });

  it('restores a protected environment to a snapshot: preview by key, typed name, new keys deleted only when ticked; a re-run changes nothing', async () => {
    await core.projects.updateEnvironment('shop', 'prod', { protected: true }, { confirmed: true });
    const setProd = (key: string, text: string) => core.refs.set(`file://shop/prod/${key}`, text, { confirmed: true });
    for (const key of ['A', 'B', 'C', 'D']) await setProd(key, `${CANARY}-${key}-1`);
    tick();
    const snapshot = await core.snapshots.take('shop', 'prod');
    tick();
    await setProd('A', `${CANARY}-A-2`);
    await core.refs.remove('file://shop/prod/B', { confirmed: true });
    await setProd('E', `${CANARY}-E-1`);
    await setProd('F', `${CANARY}-F-1`);

    const target = { snapshot: snapshot.id };
    const preview = await core.snapshots.preview('shop', 'prod', target);
    expect(preview).toMatchObject({ changed: ['A'], recreated: ['B'], unchanged: ['C', 'D'], created_since: ['E', 'F'], deleted: [], typeToConfirm: ['prod'] });
    expect(preview.items.find((item) => item.key === 'A')).toEqual({ key: 'A', action: 'change', source: 'snapshot', version: '1' });

    await expect(core.snapshots.restore('shop', 'prod', target, { confirmation: { typedNames: ['dev'] } })).rejects.toMatchObject({ kind: 'ConfirmationRequired', message: expect.stringContaining('prod is protected') });
    const progress: number[] = [];
    const restored = await core.snapshots.restore('shop', 'prod', target, { delete: ['F'], confirmation: { typedNames: ['prod'] }, onProgress: (update) => progress.push(update.done) });
    expect(restored).toMatchObject({ status: 'completed', changed: ['A'], recreated: ['B'], deleted: ['F'], unchanged: ['C', 'D'], kept_new: ['E'] });
    expect(progress.at(-1)).toBe(3);
    expect(await keys('prod')).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(await value('prod', 'A')).toBe(`${CANARY}-A-1`);
    expect(await value('prod', 'B')).toBe(`${CANARY}-B-1`);

    const again = await core.snapshots.restore('shop', 'prod', target, { confirmation: { typedNames: ['prod'] } });
    expect(again).toMatchObject({ status: 'completed', changed: [], recreated: [], deleted: [], unchanged: ['A', 'B', 'C', 'D'], kept_new: ['E'] });
    // The snapshot taken before the first restore undoes it: F comes back, A gets its later value again.
    const undo = await core.snapshots.restore('shop', 'prod', { snapshot: restored.before_snapshot_id }, { delete: 'all-new', confirmation: { assumeYes: true } });
    expect(undo).toMatchObject({ changed: ['A'], recreated: ['F'], deleted: ['B'] });
    expect(await value('prod', 'A')).toBe(`${CANARY}-A-2`);
    expect(await value('prod', 'F')).toBe(`${CANARY}-F-1`);
  });

  it("restores a value the local store's history no longer keeps (pinned by the snapshot's escrow)", async () => {
    await set('dev', 'CHURN', `${CANARY}-churn-0`);
    tick();
    const snapshot = await core.snapshots.take('shop', 'dev');
    for (let index = 1; index <= 12; index += 1) await set('dev', 'CHURN', `${CANARY}-churn-${index}`);
    const kept = (await core.secrets.history('shop', 'dev', 'CHURN')).map((version) => version.version);
    expect(kept).not.toContain('1');
    const restored = await core.snapshots.restore('shop', 'dev', { snapshot: snapshot.id }, { keys: ['CHURN'], confirmation: { assumeYes: true } });
    expect(restored).toMatchObject({ status: 'completed', changed: ['CHURN'] });
    expect(await value('dev', 'CHURN')).toBe(`${CANARY}-churn-0`);
  });

  describe('a point in time', () => {
    let t0: Date;
    let t1: Date;
    beforeAll(async () => {
      await set('pit', 'STABLE', `${CANARY}-stable`);
      await set('pit', 'CHANGED', `${CANARY}-changed-1`);
      await set('pit', 'GONE', `${CANARY}-gone`);
      tick();
      await core.snapshots.take('shop', 'pit');
      tick();
      t0 = new Date(clock);
      tick();
      await set('pit', 'CHANGED', `${CANARY}-changed-2`);
      await set('pit', 'LATER', `${CANARY}-later`);
      await core.refs.remove('file://shop/pit/GONE');
      tick();
      t1 = new Date(clock);
      tick();
    });

    it('is exact from the version history where it reaches back, and says which keys came from a snapshot', async () => {
      const preview = await core.snapshots.preview('shop', 'pit', { at: t0.toISOString() });
      expect(preview).toMatchObject({ changed: ['CHANGED'], recreated: ['GONE'], unchanged: ['STABLE'], created_since: ['LATER'] });
      expect(preview.target).toMatchObject({ kind: 'time', at: t0.toISOString(), exact: false });
      expect(preview.items.find((item) => item.key === 'CHANGED')).toMatchObject({ source: 'history', version: '1' });
      expect(preview.items.find((item) => item.key === 'GONE')).toMatchObject({ source: 'snapshot' });
      expect(preview.notes[0]).toMatch(/^Best effort: 1 key\(s\) \(GONE\) come from snapshot /);

      const now = await core.snapshots.preview('shop', 'pit', { at: t1.toISOString() });
      expect(now).toMatchObject({ changed: [], recreated: [], created_since: [], unchanged: ['CHANGED', 'LATER', 'STABLE'] });
      expect(now.target).toMatchObject({ exact: true });
      await expect(core.snapshots.preview('shop', 'pit', { at: new Date(clock.getTime() + DAY).toISOString() })).rejects.toMatchObject({ kind: 'InvalidInput' });
    });

    it('restores to that moment', async () => {
      const restored = await core.snapshots.restore('shop', 'pit', { at: t0.toISOString() }, { delete: 'all-new', confirmation: { assumeYes: true } });
      expect(restored).toMatchObject({ status: 'completed', changed: ['CHANGED'], recreated: ['GONE'], deleted: ['LATER'] });
      expect(await value('pit', 'CHANGED')).toBe(`${CANARY}-changed-1`);
      expect(await value('pit', 'GONE')).toBe(`${CANARY}-gone`);
      expect(await keys('pit')).toEqual(['CHANGED', 'GONE', 'STABLE']);
    });
  });

  it('prunes by the rule, never silently: the list names what was pruned and why, and the audit log records it', async () => {
    await set('many', 'K', `${CANARY}-k`);
    const ids: string[] = [];
    // Three snapshots 100 days old, then 50 more.
    for (let index = 0; index < 3; index += 1) {
      ids.push((await core.snapshots.take('shop', 'many')).id);
      tick(MINUTE);
    }
    tick(100 * DAY);
    for (let index = 0; index < 50; index += 1) {
      ids.push((await core.snapshots.take('shop', 'many')).id);
      tick(MINUTE);
    }
    const list = await core.snapshots.list('shop', 'many');
    expect(list.snapshots).toHaveLength(50);
    expect(list.snapshots.map((snapshot) => snapshot.id)).toEqual(ids.slice(3).reverse());
    expect(list.pruned.map((entry) => [entry.id, entry.why, entry.why_text])).toEqual([
      [ids[2], 'age', 'older than 90 days'],
      [ids[1], 'age', 'older than 90 days'],
      [ids[0], 'age', 'older than 90 days'],
    ]);
    ids.push((await core.snapshots.take('shop', 'many')).id);
    const after = await core.snapshots.list('shop', 'many');
    expect(after.snapshots).toHaveLength(50);
    expect(after.pruned[0]).toMatchObject({ id: ids[3], why: 'count', why_text: 'more than 50 newer snapshots' });
    const files = await readdir(join(xdg.paths.stateDir, 'snapshots', await environmentId('many')));
    expect(files.filter((name) => name.endsWith('.json') && name !== 'pruned.json')).toHaveLength(50);
    const pruned = await core.audit.query({ actions: ['env.prune-snapshots'], environment: 'many' });
    expect(pruned.map((entry) => entry.snapshot_id)).toEqual([ids[0], ids[1], ids[2], ids[3]]);
  });

  it('copies, Mycelium imports and rotate --due take their snapshot first', async () => {
    await set('dev', 'COPIED', `${CANARY}-copied`);
    await core.environments.copy('shop', 'dev', 'pit', ['COPIED'], { confirmation: { assumeYes: true } });
    expect((await core.snapshots.list('shop', 'pit')).snapshots[0]).toMatchObject({ reason: 'env.copy' });

    const mycelium = join(xdg.root, 'shop.json');
    await writeFile(mycelium, JSON.stringify({ project_name: 'shop', postgres_password: `${CANARY}-pg`, redis_password: null, temporal_admin_password: null }), { mode: 0o600 });
    const imported = await core.environments.importMycelium('shop', 'dev', mycelium);
    await rm(mycelium);
    expect((await core.snapshots.list('shop', 'dev')).snapshots[0]).toMatchObject({ id: imported.snapshot_id, reason: 'import.mycelium' });

    await core.projects.createEnvironment('shop', 'due');
    await core.refs.set('file://shop/due/OLD', `${CANARY}-old`, { metadata: { [ROTATION_METADATA_KEY]: 'password-32-p30' } });
    tick(40 * DAY);
    await core.projects.createEnvironment('shop', 'fresh');
    await core.refs.set('file://shop/fresh/NEW', `${CANARY}-new`, { metadata: { [ROTATION_METADATA_KEY]: 'password-32-p365' } });
    const rotated = await rotateDueCommand(core.rotation.refDeps, await core.rotation.environments({ project: 'shop', environments: ['due', 'fresh'] }));
    expect(rotated.json.map((row) => [row.ref, row.ok])).toEqual([['file://shop/due/OLD', true]]);
    // Only the environment that had something due was snapshotted.
    expect((await core.snapshots.list('shop', 'due')).snapshots.map((snapshot) => snapshot.reason)).toEqual(['rotate.due']);
    expect((await core.snapshots.list('shop', 'fresh')).snapshots).toEqual([]);
    expect(await everything()).not.toContain(CANARY);
  });

  it('an incident is snapshotted first; its undo puts stored-only values back, leaves a secret changed since alone, and can run again', async () => {
    await core.projects.createEnvironment('shop', 'inc');
    const policy = { metadata: { [ROTATION_METADATA_KEY]: 'password-32-p90' } };
    for (const key of ['A', 'B', 'C']) await core.refs.set(`file://shop/inc/${key}`, `${CANARY}-inc-${key}`, policy);
    tick();
    const { report } = await core.incidents.run({ environments: [{ project: 'shop', environment: 'inc' }] }, { confirmation: { assumeYes: true } });
    expect(report.counts).toMatchObject({ rotated: 3 });
    const before = (await core.snapshots.list('shop', 'inc')).snapshots[0];
    expect(before).toMatchObject({ reason: 'incident', report_id: report.id, keys: 3 });
    tick();
    await set('inc', 'C', `${CANARY}-inc-C-by-hand`);

    const preview = await core.snapshots.previewIncidentUndo(report.id);
    expect(preview.environments).toHaveLength(1);
    expect(preview.environments[0]).toMatchObject({ environment: 'inc', changed: ['A', 'B'], target: { kind: 'incident', report_id: report.id, snapshot_id: before?.id } });
    expect(preview.environments[0]?.left_out).toEqual([{ key: 'C', reason: expect.stringContaining('it was changed since the incident (now at version 3, the incident wrote 2)') }]);
    expect(JSON.stringify(preview)).not.toContain(CANARY);

    await expect(core.snapshots.undoIncident(report.id)).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    const undone = await core.snapshots.undoIncident(report.id, { confirmation: { assumeYes: true } });
    expect(undone.environments[0]).toMatchObject({ status: 'completed', changed: ['A', 'B'], left_out: [{ key: 'C' }] });
    expect(await value('inc', 'A')).toBe(`${CANARY}-inc-A`);
    expect(await value('inc', 'B')).toBe(`${CANARY}-inc-B`);
    expect(await value('inc', 'C')).toBe(`${CANARY}-inc-C-by-hand`);
    const again = await core.snapshots.undoIncident(report.id, { confirmation: { assumeYes: true } });
    expect(again.environments[0]).toMatchObject({ changed: [], unchanged: ['A', 'B'] });
    const audit = await core.audit.query({ actions: ['incident.undo'] });
    expect(audit.map((entry) => [entry.outcome, entry.report_id])).toEqual([
      ['started', report.id],
      ['ok', report.id],
      ['started', report.id],
      ['ok', report.id],
    ]);
  });

  it('deleting an environment removes its snapshots with it', async () => {
    await core.projects.createEnvironment('shop', 'doomed');
    await set('doomed', 'X', `${CANARY}-x`);
    await core.snapshots.take('shop', 'doomed');
    const dir = join(xdg.paths.stateDir, 'snapshots', await environmentId('doomed'));
    expect((await readdir(dir)).length).toBeGreaterThan(0);
    await core.projects.deleteEnvironment('shop', 'doomed', { confirmed: true });
    await expect(lstat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('left no value in any file or log line', async () => {
    expect(await everything()).not.toContain(CANARY);
    expect(await readFile(join(xdg.paths.stateDir, AUDIT_FILE), 'utf8')).not.toContain(CANARY);
  });
});
