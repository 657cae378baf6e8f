import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { AUDIT_FILE } from '../../../electron/core/audit/audit-log';
import { ESCROW_DIRECTORY } from '../../../electron/core/rotation/local-escrow';
import { ORIGINS_FILE } from '../../../electron/core/rotation/origin-records';
import { rollbackCommand, rotateCommand } from '../../../electron/core/rotation/commands';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { forgetStoreKey } from '../../harness/store-key';
import { captureLogger } from '../../harness/log-capture';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// Rotation, rollback, restore, the schedule and incident mode through createCore: the real local store
// (encrypted files in a temporary XDG tree, the data key in gnome-keyring), the real audit log and
// incident reports; and a keychain:// secret, whose previous value goes to the store's escrow.

const CANARY = `fs-rotation-canary-${randomBytes(4).toString('hex')}`;
const DAY = 24 * 60 * 60 * 1000;

describeWithKeyring('rotation over the real local store and keyring (createCore)', () => {
  let xdg: TempXdg;
  let core: Core;
  let clock = new Date('2025-03-01T09:00:00Z');
  const logs = captureLogger();
  const keychain = realKeychain();
  const service = `test-rot-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain, logger: logs.logger, now: () => clock, env: xdg.env });
    await core.projects.createProject('shop');
    for (const name of ['dev', 'prod']) await core.projects.createEnvironment('shop', name);
  });
  afterAll(async () => {
    for (const account of await keychain.findAccounts(service)) await keychain.deletePassword(service, account);
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await core.close();
    await xdg.cleanup();
  });

  const value = async (environment: string, key: string) => (await core.secrets.reveal('shop', environment, key)).value;
  const everythingWritten = async () => [await readFile(join(xdg.paths.stateDir, AUDIT_FILE), 'utf8'), ...logs.lines].join('\n');

  it('rotates one secret of a protected environment (confirmed), keeps both versions, rolls back and restores', async () => {
    await core.secrets.create('shop', 'prod', 'API_KEY', `${CANARY}-original`, { confirmed: true });
    await expect(core.rotation.rotate('shop', 'prod', 'API_KEY')).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    // Typed in, no policy: the person's to rotate; nothing is written.
    expect(await core.rotation.rotate('shop', 'prod', 'API_KEY', { confirmed: true })).toMatchObject({ ok: false, state: 'unchanged', rule: { class: 'by-hand' } });
    expect(await core.secrets.history('shop', 'prod', 'API_KEY')).toHaveLength(1);
    await core.rotation.setPolicy('shop', 'prod', 'API_KEY', { generator: 'password' }, { confirmed: true });

    const rotated = await core.rotation.rotate('shop', 'prod', 'API_KEY', { confirmed: true });
    expect(rotated).toMatchObject({ ok: true, state: 'rotated', version: '2', previousVersion: '1' });
    const newValue = await value('prod', 'API_KEY');
    expect(newValue).not.toBe(`${CANARY}-original`);
    expect(newValue).toHaveLength(32);
    expect((await core.secrets.history('shop', 'prod', 'API_KEY')).map((version) => [version.version, version.current])).toEqual([
      ['2', true],
      ['1', false],
    ]);

    const rolledBack = await core.rotation.rollback('shop', 'prod', 'API_KEY', { confirmed: true });
    expect(rolledBack).toMatchObject({ ok: true, version: '3', restoredFrom: '1' });
    expect(await value('prod', 'API_KEY')).toBe(`${CANARY}-original`);

    const restored = await core.rotation.restore('shop', 'prod', 'API_KEY', '2', { confirmed: true });
    expect(restored).toMatchObject({ ok: true, version: '4', restoredFrom: '2' });
    expect(await value('prod', 'API_KEY')).toBe(newValue);
    await expect(core.rotation.restore('shop', 'prod', 'API_KEY', '4', { confirmed: true })).resolves.toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });

    const entries = await core.audit.query({ actions: ['secret.rotate', 'secret.rollback', 'secret.restore'], outcomes: ['ok'] });
    expect(entries.map((entry) => [entry.action, entry.environment, entry.version])).toEqual([
      ['secret.rotate', 'prod', '2'],
      ['secret.rollback', 'prod', '3'],
      ['secret.restore', 'prod', '4'],
    ]);
    const written = await everythingWritten();
    expect(written).not.toContain(CANARY);
    expect(written).not.toContain(newValue);
  });

  it('stores a policy in the secret metadata, rotates by it, and schedules by the secret, environment or default period', async () => {
    await core.secrets.create('shop', 'dev', 'SIGNING_KEY', `${CANARY}-signing`);
    await core.secrets.create('shop', 'dev', 'DB_PASSWORD', `${CANARY}-db`);
    await core.rotation.setPolicy('shop', 'dev', 'SIGNING_KEY', { generator: 'hex', length: 64, periodDays: 30 });
    expect(await core.rotation.policy('shop', 'dev', 'SIGNING_KEY')).toMatchObject({ text: 'hex-64-p30', periodDays: 30, canStore: true });
    expect(await core.rotation.policy('shop', 'dev', 'DB_PASSWORD')).toMatchObject({ policy: { generator: 'manual' }, periodDays: 90, rule: { class: 'by-hand' } });
    expect((await core.rotation.policy('shop', 'dev', 'DB_PASSWORD')).text).toBeUndefined();

    await core.rotation.setEnvironmentPeriod('shop', 'dev', 60);
    clock = new Date(clock.getTime() + 25 * DAY);
    let schedule = await core.rotation.schedule('shop', { environments: ['dev'] });
    const status = () => Object.fromEntries(schedule.items.map((item) => [item.key, item.status]));
    expect(status()).toEqual({ DB_PASSWORD: 'ok', SIGNING_KEY: 'due-soon' });
    clock = new Date(clock.getTime() + 40 * DAY);
    schedule = await core.rotation.schedule('shop', { environments: ['dev'] });
    expect(status()).toEqual({ DB_PASSWORD: 'overdue', SIGNING_KEY: 'overdue' });
    expect(schedule.counts).toEqual([{ project: 'shop', environment: 'dev', overdue: 2, dueSoon: 0 }]);

    const rotated = await core.rotation.rotate('shop', 'dev', 'SIGNING_KEY');
    expect(rotated.ok).toBe(true);
    expect(await value('dev', 'SIGNING_KEY')).toMatch(/^[0-9a-f]{64}$/);
    schedule = await core.rotation.schedule('shop', { environments: ['dev'] });
    expect(status()).toEqual({ DB_PASSWORD: 'overdue', SIGNING_KEY: 'ok' });
  });

  it('an incident over two environments, cancelled part-way: the report says what is left, and the re-run finishes only that', async () => {
    for (let index = 0; index < 12; index += 1) {
      const environment = index % 2 === 0 ? 'dev' : 'prod';
      await core.secrets.create('shop', environment, `BULK_${index}`, `${CANARY}-bulk-${index}`, { confirmed: true });
      await core.rotation.setPolicy('shop', environment, `BULK_${index}`, { generator: 'password' }, { confirmed: true });
    }
    await core.rotation.setPolicy('shop', 'dev', 'DB_PASSWORD', { generator: 'manual' });
    const before = new Map<string, { value: string; versions: number }>();
    for (const environment of ['dev', 'prod']) {
      for (const item of await core.secrets.list('shop', environment)) {
        before.set(`${environment}/${item.key}`, { value: await value(environment, item.key), versions: (await core.secrets.history('shop', environment, item.key)).length });
      }
    }

    const targets = { environments: [{ project: 'shop', environment: 'dev' }, { project: 'shop', environment: 'prod' }] };
    const preview = await core.incidents.preview(targets);
    expect(preview.typeToConfirm).toEqual(['prod']);
    expect(preview.items.find((item) => item.key === 'DB_PASSWORD')).toMatchObject({ class: 'by-hand', rotatable: false, reason: 'Its policy says it is rotated by hand.' });
    expect(preview.rotatable).toBe(before.size - 1);
    await expect(core.incidents.run(targets, { confirmation: { typedNames: [] } })).rejects.toMatchObject({ kind: 'ConfirmationRequired' });

    // Cancelled after four rotations: the ones in flight finish, nothing is half-done.
    const controller = new AbortController();
    const first = await core.incidents.run(
      { ...targets, signal: controller.signal },
      { confirmation: { typedNames: ['prod'] }, concurrency: 2, onProgress: (update) => (update.done >= 4 ? controller.abort() : undefined) },
    );
    expect(first.report.status).toBe('cancelled');
    const doneFirst = first.report.items.filter((item) => item.status === 'rotated').map((item) => `${item.environment}/${item.key}`);
    expect(doneFirst.length).toBeGreaterThanOrEqual(4);
    expect(doneFirst.length).toBeLessThan(before.size - 1);
    expect(await core.incidents.openText(first.report.id)).toContain(`latchkey incident resume ${first.report.id}`);

    const second = await core.incidents.resume(first.report.id, { confirmation: { typedNames: ['prod'] } });
    expect(second.report.status).toBe('completed');
    expect(second.report.runs).toHaveLength(2);
    for (const [name, old] of before) {
      const [environment, key] = name.split('/') as [string, string];
      const versions = (await core.secrets.history('shop', environment, key)).length;
      if (key === 'DB_PASSWORD') {
        expect(await value(environment, key)).toBe(old.value);
        expect(versions).toBe(old.versions);
      } else {
        // Rotated exactly once over both runs.
        expect(await value(environment, key)).not.toBe(old.value);
        expect(versions).toBe(old.versions + 1);
      }
    }
    expect((await core.incidents.list()).map((summary) => [summary.id, summary.status])).toEqual([[first.report.id, 'completed']]);
    expect(await core.incidents.openText(first.report.id)).toContain('COMPLETED');
    const outcomes = (await core.audit.query({ actions: ['incident.run'] })).map((entry) => entry.outcome);
    expect(outcomes).toEqual(['started', 'cancelled', 'started', 'ok']);
    expect(await everythingWritten()).not.toContain(CANARY);
  });

  it('a keychain:// secret (no versions, no metadata): by hand until a generator is chosen; then Latchkey\'s own value, recorded in the state folder; escrow and rollback', async () => {
    await keychain.setPassword(service, 'GITHUB_TOKEN', `${CANARY}-keychain`);
    const ref = `keychain://${service}/GITHUB_TOKEN`;
    const refused = await rotateCommand(core.rotation.refDeps, [ref]);
    expect(refused.json).toEqual([{ ref, ok: false, class: 'by-hand', changed_at: null, old_retired: false, error: { kind: 'InvalidInput', message: expect.stringContaining('rotated by hand') } }]);
    expect(await keychain.getPassword(service, 'GITHUB_TOKEN')).toBe(`${CANARY}-keychain`);

    const rotated = await rotateCommand(core.rotation.refDeps, [ref], { policy: 'password-32' });
    expect(rotated.json).toEqual([{ ref, ok: true, class: 'generate', changed_at: null, old_retired: false }]);
    const next = (await keychain.getPassword(service, 'GITHUB_TOKEN')) as string;
    expect(next).not.toBe(`${CANARY}-keychain`);
    // One escrowed value: its sealed file (and, next to it, its version mark against rollback).
    expect((await readdir(join(xdg.paths.stateDir, 'store', ESCROW_DIRECTORY))).filter((name) => name.endsWith('.secret'))).toHaveLength(1);
    // The escrow is not a project.
    expect((await core.projects.list()).map((project) => project.name)).toEqual(['shop']);
    // The keychain keeps no metadata: that Latchkey made this value is recorded, value-free, in the state folder.
    const originsFile = join(xdg.paths.stateDir, ORIGINS_FILE);
    expect((await stat(originsFile)).mode & 0o777).toBe(0o600);
    const origins = await readFile(originsFile, 'utf8');
    expect(JSON.parse(origins)).toEqual({ v: 1, records: { [ref]: expect.stringMatching(/^g1-[0-9a-f]{16}$/) } });
    expect(origins).not.toContain(next);
    // So its next rotation needs no policy.
    expect((await rotateCommand(core.rotation.refDeps, [ref])).json).toEqual([{ ref, ok: true, class: 'generate', changed_at: null, old_retired: false }]);
    const third = (await keychain.getPassword(service, 'GITHUB_TOKEN')) as string;

    const rolledBack = await rollbackCommand(core.rotation.refDeps, ref);
    expect(rolledBack.exitCode).toBe(0);
    expect(await keychain.getPassword(service, 'GITHUB_TOKEN')).toBe(next);
    // Encrypted at rest like every other secret of the store; its mark holds no value either.
    for (const escrowFile of await readdir(join(xdg.paths.stateDir, 'store', ESCROW_DIRECTORY))) {
      const escrowBytes = await readFile(join(xdg.paths.stateDir, 'store', ESCROW_DIRECTORY, escrowFile), 'utf8');
      for (const value of [CANARY, next, third]) expect(escrowBytes).not.toContain(value);
    }

    // A value typed in over Latchkey's own is the person's again.
    await keychain.setPassword(service, 'GITHUB_TOKEN', `${CANARY}-typed-later`);
    expect((await rotateCommand(core.rotation.refDeps, [ref])).json).toEqual([expect.objectContaining({ ok: false, class: 'by-hand' })]);
    expect(await keychain.getPassword(service, 'GITHUB_TOKEN')).toBe(`${CANARY}-typed-later`);
  });
});
