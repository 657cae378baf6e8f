import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import type { ServiceDriver } from '../../../electron/core/services/driver';
import { realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { describeWithPostgres, startPostgres, type PostgresServer } from '../../harness/postgres';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// Faults of a rotation at a real Postgres, through the real core (files, keyring, journal): each ends with
// a clear error that names what to do, the old or the new credential working (never neither), and store
// and server in agreement once the next run has settled what was left.
describeWithPostgres('rotation at a real Postgres: faults', () => {
  let server: PostgresServer;
  let xdg: TempXdg;
  let core: Core;
  const { logger, lines } = captureLogger();
  let key = 'POSTGRES_PASSWORD';
  let ref = '';
  const seen: string[] = [];
  let role = '';
  let driver: ServiceDriver;
  let original: Pick<ServiceDriver, 'set' | 'test' | 'undo' | 'retire'>;

  const stored = async () => core.refs.get(ref);
  const journalFiles = async () => (await readdir(join(xdg.paths.stateDir, 'rotations')).catch(() => [])).filter((name) => name.endsWith('.json'));
  const rotate = () => core.rotation.rotate('shop', 'prod', key, { confirmed: true });
  /** A fresh secret and role whose password is the stored value, and a rotator on it. */
  const freshRole = async (service = 'pg-prod') => {
    role = `role_${randomBytes(4).toString('hex')}`;
    key = role.toUpperCase();
    ref = `file://shop/prod/${key}`;
    const value = `pg-fault-${randomBytes(9).toString('hex')}`;
    seen.push(value);
    await server.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${value}'`);
    await core.refs.set(ref, value, { confirmed: true });
    await core.services.rotators.set(ref, { service, user: role });
    return value;
  };

  beforeAll(async () => {
    server = await startPostgres();
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger, env: xdg.env });
    await core.projects.createProject('shop');
    await core.projects.createEnvironment('shop', 'prod');
    await core.services.registry.add('pg-prod', 'postgres', { url: server.adminUrl });
    const wrong = new URL(server.adminUrl);
    wrong.password = 'not-the-admin-password';
    await core.services.registry.add('pg-wrong', 'postgres', { url: wrong.toString() });
    await server.sql("CREATE ROLE weak_admin LOGIN CREATEROLE PASSWORD 'weak-admin-pw'");
    const weak = new URL(server.adminUrl);
    weak.username = 'weak_admin';
    weak.password = 'weak-admin-pw';
    await core.services.registry.add('pg-weak', 'postgres', { url: weak.toString() });
    driver = core.services.kinds.driver('postgres');
    original = { set: driver.set, test: driver.test, undo: driver.undo, retire: driver.retire };
  });
  beforeEach(() => {
    Object.assign(driver, original);
  });
  afterAll(async () => {
    Object.assign(driver, original);
    for (const rotator of await core.services.rotators.list()) await core.services.rotators.remove(rotator.ref);
    for (const service of await core.services.registry.list()) await core.services.registry.remove(service.name, { confirmed: true });
    const log = await server.log();
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
    await server.destroy();
    // Values Latchkey generated never reached the server's statement log or Latchkey's log.
    for (const value of seen.slice(0)) expect(lines.join('\n')).not.toContain(value);
    for (const value of seen.filter((candidate) => !candidate.startsWith('pg-fault-'))) expect(log).not.toContain(value);
  });

  it('wrong admin password: refused before anything changed; the message says how to store the right one', async () => {
    const old = await freshRole('pg-wrong');
    const result = await rotate();
    expect(result).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'Unauthenticated', message: expect.stringContaining('latchkey services update pg-wrong --url-stdin') } });
    expect(result.error?.message).toContain('The current value and the credential at pg-wrong were left in place.');
    expect(await stored()).toMatchObject({ value: old, version: '1' });
    expect(await server.canLogin(role, old)).toBe(true);
    expect(await journalFiles()).toEqual([]);
    expect(result.error?.message).not.toContain('not-the-admin-password');
  });

  it('a role that does not exist, and an admin without the right to change it: typed errors, nothing changed', async () => {
    key = 'NOBODY';
    ref = 'file://shop/prod/NOBODY';
    await core.refs.set(ref, 'pg-nobody-1', { confirmed: true });
    await core.services.rotators.set(ref, { service: 'pg-prod', user: 'nobody_at_all' });
    const missing = await rotate();
    expect(missing).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'NotFound', message: expect.stringContaining('has no role nobody_at_all') } });
    expect(await stored()).toMatchObject({ value: 'pg-nobody-1' });

    const value = `pg-super-${randomBytes(6).toString('hex')}`;
    key = 'SUPER';
    ref = 'file://shop/prod/SUPER';
    await server.sql(`CREATE ROLE super_app LOGIN SUPERUSER PASSWORD '${value}'`);
    await core.refs.set(ref, value, { confirmed: true });
    await core.services.rotators.set(ref, { service: 'pg-weak', user: 'super_app' });
    const denied = await rotate();
    expect(denied).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'PermissionDenied', message: expect.stringContaining('CREATEROLE') } });
    expect(await stored()).toMatchObject({ value });
    expect(await server.canLogin('super_app', value)).toBe(true);
    expect(await journalFiles()).toEqual([]);
  });

  it('a rotation reports its steps as they happen (the app shows them live)', async () => {
    const old = await freshRole();
    const steps: string[] = [];
    const result = await core.rotation.rotate('shop', 'prod', key, { confirmed: true, onStep: (step) => steps.push(`${step.step}@${step.service}`) });
    expect(result).toMatchObject({ ok: true, changedAt: 'pg-prod', oldRetired: true, oldRefused: true });
    expect(steps).toEqual(['created@pg-prod', 'set@pg-prod', 'tested@pg-prod', 'stored@pg-prod', 'retired@pg-prod', 'old-refused@pg-prod']);
    seen.push((await stored()).value);
    expect(await server.canLogin(role, old)).toBe(false);
  });

  it('the server goes down between set and test: the result says what state each side is in and the one command; that command finishes it', async () => {
    const old = await freshRole();
    driver.test = async (target, next) => {
      await server.stop();
      return original.test.call(driver, target, next);
    };
    let result;
    try {
      result = await rotate();
    } finally {
      Object.assign(driver, original);
      await server.start();
    }
    expect(result).toMatchObject({ ok: false, state: 'unchanged', changedAt: 'pg-prod', oldRetired: false, error: { kind: 'BackendUnavailable' } });
    expect(result.error?.message).toContain('could not be undone');
    expect(result.error?.message).toContain('The store still holds the old value (version 1);');
    expect(result.error?.message).toContain('pg-prod may already hold the new password, so the old one may no longer log in there');
    expect(result.error?.message).toContain(`latchkey rotators finish ${ref}`);
    // The server has the new password (single user: the old one no longer works) and the store the old value.
    expect(await stored()).toMatchObject({ value: old, version: '1' });
    expect(await server.canLogin(role, old)).toBe(false);
    expect(await journalFiles()).toHaveLength(1);

    const [settled] = await core.services.rotation.recover({ ref });
    expect(settled).toMatchObject({ ref, outcome: 'finished' });
    const now = await stored();
    seen.push(now.value);
    expect(now.version).toBe('2');
    expect(await server.canLogin(role, now.value)).toBe(true);
    expect(await server.canLogin(role, old)).toBe(false);
    expect(await journalFiles()).toEqual([]);
  });

  it('the store changes under the rotation (a concurrent write): the change at the server is undone and the other write kept', async () => {
    const old = await freshRole();
    driver.test = async (target, next) => {
      await original.test.call(driver, target, next);
      await core.refs.set(ref, 'someone-else-wrote-this', { confirmed: true });
    };
    const result = await rotate();
    expect(result).toMatchObject({ ok: false, oldRetired: false, error: { message: expect.stringContaining('was undone') } });
    expect(await server.canLogin(role, old)).toBe(true);
    expect(await stored()).toMatchObject({ value: 'someone-else-wrote-this' });
    expect(await journalFiles()).toEqual([]);
  });

  it('a value that is not in the rotator\'s form is refused before anything changes', async () => {
    await freshRole();
    await core.config.update((config) => {
      config.rotators.find((rotator) => rotator.key === key)!.format = 'url';
    });
    const result = await rotate();
    expect(result).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'InvalidInput', message: expect.stringContaining('not in the form its rotator expects (url)') } });
  });

  it('an incident item: no grace, the old credential is retired at once and tried once more', async () => {
    const old = await freshRole();
    await core.refs.set('file://shop/prod/PLAIN_TOKEN', 'plain-token-1', { confirmed: true });
    await core.rotation.setPolicy('shop', 'prod', 'PLAIN_TOKEN', { generator: 'hex', length: 32 }, { confirmed: true });
    const preview = await core.incidents.preview({ environments: [{ project: 'shop', environment: 'prod' }] });
    expect(preview.items.find((candidate) => candidate.ref === ref)).toMatchObject({ class: 'service', service: 'pg-prod', rotatable: true });
    expect(preview.items.find((candidate) => candidate.key === 'PLAIN_TOKEN')).toMatchObject({ class: 'generate', rotatable: true });
    expect(preview.items.find((candidate) => candidate.key === 'PLAIN_TOKEN')).not.toHaveProperty('service');

    const { report } = await core.incidents.run({ environments: [{ project: 'shop', environment: 'prod' }] }, { confirmation: { typedNames: ['prod'] }, exclude: preview.items.filter((candidate) => candidate.ref !== ref && candidate.key !== 'PLAIN_TOKEN').map((candidate) => candidate.ref) });
    const item = report.items.find((candidate) => candidate.ref === ref);
    expect(item).toMatchObject({ status: 'rotated', class: 'service', service: 'pg-prod', changed_at: 'pg-prod', old_retired: true, old_refused: true });
    const plain = report.items.find((candidate) => candidate.key === 'PLAIN_TOKEN');
    expect(plain).toMatchObject({ status: 'rotated', class: 'generate' });
    expect(plain).not.toHaveProperty('changed_at');
    const text = await core.incidents.openText(report.id);
    expect(text).toContain('CHANGED AT SERVICES (1)');
    expect(text).toContain('at pg-prod\n      old credential retired, and refused when tried again');
    expect(text).toMatch(/STORED COPY ONLY \(1\)\n {2}WARNING: only the stored copy changed — the old value still works wherever it is checked/);
    expect(text).toContain('PLAIN_TOKEN');
    const now = await stored();
    seen.push(now.value);
    expect(await server.canLogin(role, now.value)).toBe(true);
    expect(await server.canLogin(role, old)).toBe(false);
  });
});
