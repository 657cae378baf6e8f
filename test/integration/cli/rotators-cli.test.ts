import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { SERVICES_KEYCHAIN_SERVICE } from '../../../electron/core/services/services-registry';
import { realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { describeWithPostgres, startPostgres, type PostgresServer } from '../../harness/postgres';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

// Rotation at the source through the built `latchkey` binary: a real PostgreSQL 15 (log_statement=all),
// real files and the real keyring. After `latchkey rotate`, the database refuses the old password and
// accepts the new one — and no password ever appears in the server's statement log or the CLI's output.
describeWithPostgres('latchkey services, rotators and rotate at a real Postgres (the built CLI)', () => {
  let server: PostgresServer;
  let xdg: TempXdg;
  let core: Core;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
  const json = <T>(text: string) => JSON.parse(text) as T;
  const get = async (ref: string) => (await core.refs.get(ref)).value;
  const secrets: string[] = [];
  const password = (label: string) => {
    const value = `cli-pg-${label}-${randomBytes(8).toString('hex')}`;
    secrets.push(value);
    return value;
  };
  let urlOld: string;

  beforeAll(async () => {
    server = await startPostgres();
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env: xdg.env });
    await core.projects.createProject('shop');
    await core.projects.createEnvironment('shop', 'prod');
    const initial = password('initial');
    await server.sqlUnlogged(`CREATE ROLE shop_app LOGIN PASSWORD '${initial}'`);
    await core.refs.set('file://shop/prod/POSTGRES_PASSWORD', initial, { confirmed: true });
    urlOld = password('url');
    await server.sqlUnlogged(`CREATE ROLE shop_url LOGIN PASSWORD '${urlOld}'`);
    await core.refs.set('file://shop/prod/DATABASE_URL', `postgres://shop_url:${urlOld}@127.0.0.1:${server.port}/postgres?sslmode=disable&application_name=shop`, { confirmed: true });
    const altOld = password('alt');
    await server.sqlUnlogged(`CREATE ROLE shop_a LOGIN PASSWORD '${altOld}'`);
    await server.sql('CREATE ROLE shop_b LOGIN');
    await core.refs.set('file://shop/prod/ALT_URL', `postgres://shop_a:${altOld}@127.0.0.1:${server.port}/postgres`, { confirmed: true });
  });
  afterAll(async () => {
    const services = await core.services.registry.list().catch(() => []);
    for (const service of services) for (const rotator of service.rotators) await core.services.rotators.remove(`file://${rotator.project}/${rotator.environment}/${rotator.key}`).catch(() => undefined);
    for (const service of services) await core.services.registry.remove(service.name, { confirmed: true }).catch(() => undefined);
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
    await server.destroy();
  });

  it('services add reads the admin URL from stdin, keeps the password out of config, and services test logs in', async () => {
    const added = await run(['services', 'add', 'pg-prod', '--kind', 'postgres', '--url-stdin', '--json'], server.adminUrl);
    expect(added).toMatchObject({ code: 0 });
    expect(json(added.stdout)).toMatchObject({ name: 'pg-prod', kind: 'postgres', location: `127.0.0.1:${server.port}/postgres as admin`, credentials: 'stored' });
    const config = await readFile(`${xdg.env.XDG_CONFIG_HOME}/latchkey/config.json`, 'utf8');
    expect(config).toContain('"pg-prod"');
    expect(config).not.toContain(server.admin.password);
    const account = (JSON.parse(config) as { services: { credentialsAccount: string }[] }).services[0]!.credentialsAccount;
    expect(JSON.parse((await realKeychain().getPassword(SERVICES_KEYCHAIN_SERVICE, account))!)).toEqual({ user: 'admin', secret: server.admin.password });

    const tested = await run(['services', 'test', 'pg-prod', '--json']);
    expect(tested.code).toBe(0);
    expect(json<{ steps: { name: string; outcome: string }[] }>(tested.stdout).steps).toEqual([
      expect.objectContaining({ name: 'reachable', outcome: 'passed' }),
      expect.objectContaining({ name: 'authenticated', outcome: 'passed' }),
    ]);
    expect(json<unknown[]>((await run(['services', 'ls', '--json'])).stdout)).toHaveLength(1);
    expect(await run(['services', 'add', 'pg-prod', '--kind', 'postgres', '--url-stdin'], server.adminUrl)).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') });
    expect(await run(['services', 'add', 'pg-x', '--kind', 'postgres', '--url-stdin'], 'not a url')).toMatchObject({ code: 3, stderr: expect.stringContaining('not a valid URL') });
  });

  it('rotate with a Postgres rotator: the server refuses the old password and accepts the new; --json names the service', async () => {
    const ref = 'file://shop/prod/POSTGRES_PASSWORD';
    const old = await get(ref);
    expect(await run(['rotators', 'set', ref, '--service', 'pg-prod', '--role', 'shop_app', '--json'])).toMatchObject({ code: 0 });
    const shown = await run(['rotators', 'show', ref, '--json']);
    expect(json(shown.stdout)).toMatchObject({ ref, kind: 'postgres', service: 'pg-prod', user: 'shop_app', strategy: 'single', format: 'password', graceSeconds: 0 });

    const dryRun = await run(['rotators', 'test', ref, '--json']);
    expect(dryRun.code).toBe(0);
    expect(json<{ steps: { outcome: string }[] }>(dryRun.stdout).steps.map((step) => step.outcome)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(await server.canLogin('shop_app', old)).toBe(true); // the dry run changed nothing

    const rotated = await run(['rotate', ref, '--json']);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(json(rotated.stdout)).toEqual([{ ref, ok: true, version: '2', changed_at: 'pg-prod', old_retired: true }]);
    const fresh = await get(ref);
    secrets.push(fresh);
    expect(fresh).not.toBe(old);
    expect(await server.canLogin('shop_app', fresh)).toBe(true);
    expect(await server.canLogin('shop_app', old)).toBe(false);
    expect(rotated.stdout).not.toContain(fresh);

    const text = await run(['rotate', ref]);
    expect(text).toMatchObject({ code: 0, stdout: expect.stringContaining(`rotated  ${ref}  → version 3  at pg-prod (old credential retired)`) });
    const third = await get(ref);
    secrets.push(third);
    expect(await server.canLogin('shop_app', third)).toBe(true);
    expect(await server.canLogin('shop_app', fresh)).toBe(false);
    // A value that rotated at its service cannot be rolled back to a password the database no longer takes.
    expect(await run(['rollback', ref, '--json'])).toMatchObject({ code: 3, stdout: expect.stringContaining('rotates at pg-prod') });
  });

  it('a URL value: only its password changes, everything else stays byte for byte', async () => {
    const ref = 'file://shop/prod/DATABASE_URL';
    expect(await run(['rotators', 'set', ref, '--service', 'pg-prod', '--role', 'shop_url'])).toMatchObject({ code: 0, stdout: expect.stringContaining('value: url') });
    expect(json((await run(['rotate', ref, '--json'])).stdout)).toEqual([{ ref, ok: true, version: '2', changed_at: 'pg-prod', old_retired: true }]);
    const value = await get(ref);
    const match = /^postgres:\/\/shop_url:([^@]+)@127\.0\.0\.1:(\d+)\/postgres\?sslmode=disable&application_name=shop$/.exec(value);
    expect(match?.[2]).toBe(String(server.port));
    const fresh = decodeURIComponent(match![1]!);
    secrets.push(fresh);
    expect(await server.canLogin('shop_url', fresh)).toBe(true);
    expect(await server.canLogin('shop_url', urlOld)).toBe(false);
  });

  it('alternating users with a grace period: the flip keeps the old role working until finish retires it', async () => {
    const ref = 'file://shop/prod/ALT_URL';
    const before = await get(ref);
    const oldPassword = decodeURIComponent(/:([^:@]+)@/.exec(before)![1]!);
    expect(await run(['rotators', 'set', ref, '--service', 'pg-prod', '--role', 'shop_a', '--strategy', 'alternating', '--role-b', 'shop_b', '--grace', '3600'])).toMatchObject({ code: 0 });
    const rotated = json<{ old_retired: string }[]>((await run(['rotate', ref, '--json'])).stdout)[0]!;
    expect(rotated).toMatchObject({ ok: true, changed_at: 'pg-prod', old_retired: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(Date.parse(rotated.old_retired) - Date.now()).toBeGreaterThan(3500 * 1000);
    const after = await get(ref);
    const [, user, secret] = /^postgres:\/\/([^:]+):([^@]+)@/.exec(after)!;
    secrets.push(decodeURIComponent(secret!));
    expect(user).toBe('shop_b');
    expect(await server.canLogin('shop_b', decodeURIComponent(secret!))).toBe(true);
    expect(await server.canLogin('shop_a', oldPassword)).toBe(true); // the grace period

    const waiting = await run(['rotators', 'finish', '--json']);
    expect(json(waiting.stdout)).toEqual([expect.objectContaining({ ref, outcome: 'waiting' })]);
    expect(await server.canLogin('shop_a', oldPassword)).toBe(true);
    const finished = await run(['rotators', 'finish', ref, '--now', '--json']);
    expect(json(finished.stdout)).toEqual([expect.objectContaining({ ref, outcome: 'retired', message: expect.stringContaining('is refused there') })]);
    expect(await server.canLogin('shop_a', oldPassword)).toBe(false);
    expect(await server.canLogin('shop_b', decodeURIComponent(secret!))).toBe(true);
  });

  it('self mode: a service without an admin credential; the role changes its own password', async () => {
    const ref = 'file://shop/prod/SELF_PASSWORD';
    const initial = password('self');
    await server.sqlUnlogged(`CREATE ROLE shop_self LOGIN PASSWORD '${initial}'`);
    await core.refs.set(ref, initial, { confirmed: true });
    const added = await run(['services', 'add', 'pg-self', '--kind', 'postgres', '--url-stdin', '--json'], `postgres://127.0.0.1:${server.port}/postgres`);
    expect(json(added.stdout)).toMatchObject({ name: 'pg-self', credentials: 'not set' });
    expect(await run(['rotators', 'set', ref, '--service', 'pg-self', '--role', 'shop_self'])).toMatchObject({ code: 0 });
    const refused = await run(['rotate', ref, '--json']);
    expect(refused.code).toBe(1);
    expect(json<{ error: { kind: string; message: string } }[]>(refused.stdout)[0]!.error).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('or attach the rotator with --self') });
    expect(await run(['rotators', 'set', ref, '--service', 'pg-self', '--role', 'shop_self', '--self'])).toMatchObject({ code: 0, stdout: expect.stringContaining('(changes itself)') });
    expect(json((await run(['rotate', ref, '--json'])).stdout)).toEqual([{ ref, ok: true, version: '2', changed_at: 'pg-self', old_retired: true }]);
    const fresh = await get(ref);
    secrets.push(fresh);
    expect(await server.canLogin('shop_self', fresh)).toBe(true);
    expect(await server.canLogin('shop_self', initial)).toBe(false);
  });

  it('no password reaches the server statement log, the audit trail or the configuration', async () => {
    const log = await server.log();
    const audit = await readFile(`${xdg.env.XDG_STATE_HOME}/latchkey/audit.jsonl`, 'utf8');
    const config = await readFile(`${xdg.env.XDG_CONFIG_HOME}/latchkey/config.json`, 'utf8');
    // The test set the first passwords with statement logging off, so every password must be absent.
    expect(secrets.length).toBeGreaterThanOrEqual(9);
    for (const value of secrets) expect(log).not.toContain(value);
    for (const value of [...secrets, server.admin.password]) {
      expect(audit).not.toContain(value);
      expect(config).not.toContain(value);
    }
    expect(audit).toContain('"service":"pg-prod"');
  });
});
