import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Credential, RotationTarget, RotatorSettings } from '../../../electron/core/services/driver';
import { createPostgresDriver, postgresKind, type PostgresSettings } from '../../../electron/core/services/postgres/postgres-driver';
import { captureLogger } from '../../harness/log-capture';
import { describeWithPostgres, startPostgres, type PostgresServer } from '../../harness/postgres';

// The postgres driver against a real PostgreSQL 15 with log_statement=all: every step changes (or
// proves) the real server's state, and no plaintext password ever reaches the server's log.
describeWithPostgres('postgres driver (a real PostgreSQL 15)', () => {
  let server: PostgresServer;
  const { logger, lines } = captureLogger();
  const driver = createPostgresDriver({ logger });
  const plaintexts: string[] = [];
  const password = (label: string) => {
    const value = `pg-${label}-${randomBytes(9).toString('base64url')}`;
    plaintexts.push(value);
    return value;
  };
  const settings = (): PostgresSettings => postgresKind.fromUrl!(new URL(server.adminUrl)).settings;
  const target = (rotator: Partial<RotatorSettings>, admin: Credential | undefined = server.admin && { user: server.admin.user, secret: server.admin.password }): RotationTarget<PostgresSettings> => ({
    service: { name: 'pg-test', kind: 'postgres', settings: settings(), ...(admin === undefined ? {} : { admin }) },
    rotator: { strategy: 'single', self: false, graceSeconds: 0, ...rotator },
    context: { ref: 'file://shop/prod/POSTGRES_PASSWORD', phase: 'set', incident: false },
  });
  const createRole = async (role: string, value: string, extra = '') => {
    await server.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${value}' ${extra}`);
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    const log = await server.log();
    await server.destroy();
    // The roles' initial passwords were created by the test in plaintext SQL; every password the
    // driver sent must be absent from the statement log.
    for (const value of plaintexts) {
      expect(log).not.toContain(value);
      expect(lines.join('\n')).not.toContain(value);
    }
  });

  it('admin, single user: set makes only the new password work; undo puts the old one back', async () => {
    const old = `pg-old-${randomBytes(6).toString('hex')}`;
    await createRole('shop_app', old);
    const t = target({ user: 'shop_app' });
    const current = { user: 'shop_app', secret: old };
    const next = await driver.set(t, current, { user: 'shop_app', secret: password('single') });
    expect(await server.canLogin('shop_app', next.secret)).toBe(true);
    expect(await server.canLogin('shop_app', old)).toBe(false);
    await driver.test(t, next);
    expect(await driver.refuses(t, current)).toBe(true);
    await driver.retire(t, current, next);
    expect(await server.canLogin('shop_app', next.secret)).toBe(true);

    await driver.undo(t, current, next);
    expect(await server.canLogin('shop_app', old)).toBe(true);
    expect(await server.canLogin('shop_app', next.secret)).toBe(false);
    await driver.undo(t, current, next); // safe to repeat
    expect(await server.canLogin('shop_app', old)).toBe(true);

    const [row] = (await server.sql<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 'shop_app'")).rows;
    expect(row?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    const log = await server.log();
    expect(log).toMatch(/ALTER ROLE "shop_app" PASSWORD 'SCRAM-SHA-256\$4096:/);
  });

  it('self mode: the role changes its own password with its current one, no admin credential', async () => {
    const old = `pg-self-old-${randomBytes(6).toString('hex')}`;
    await createRole('shop_self', old);
    const t = target({ user: 'shop_self', self: true }, undefined);
    const current = { user: 'shop_self', secret: old };
    expect(await driver.check(t, current)).toEqual([
      expect.objectContaining({ name: 'reachable', outcome: 'passed' }),
      expect.objectContaining({ name: 'authenticated', outcome: 'passed' }),
      expect.objectContaining({ name: 'exists', outcome: 'passed' }),
      expect.objectContaining({ name: 'can change', outcome: 'passed' }),
    ]);
    expect(await server.canLogin('shop_self', old)).toBe(true); // the dry run changed nothing
    const next = await driver.set(t, current, { user: 'shop_self', secret: password('self') });
    expect(await server.canLogin('shop_self', next.secret)).toBe(true);
    expect(await server.canLogin('shop_self', old)).toBe(false);
    await driver.undo(t, current, next);
    expect(await server.canLogin('shop_self', old)).toBe(true);
    await driver.undo(t, current, next); // after undo the new one fails; the old one logs in and sets itself again
    expect(await server.canLogin('shop_self', old)).toBe(true);
  });

  it('alternating users: set changes the role not in use; retire disables the old one; undo disables the new one', async () => {
    const a = `pg-alt-a-${randomBytes(6).toString('hex')}`;
    await createRole('alt_a', a);
    await server.sql('CREATE ROLE alt_b LOGIN');
    const t = target({ strategy: 'alternating', user: 'alt_a', userB: 'alt_b' });
    expect((await driver.check(t, { user: 'alt_a', secret: a })).map((step) => step.outcome)).toEqual(['passed', 'passed', 'passed', 'passed']);
    const current = { user: 'alt_a', secret: a };
    const next = await driver.set(t, current, { user: 'alt_b', secret: password('alt') });
    expect(next.user).toBe('alt_b');
    expect(await server.canLogin('alt_a', a)).toBe(true); // zero downtime: both work until retire
    expect(await server.canLogin('alt_b', next.secret)).toBe(true);
    await driver.retire(t, current, next);
    expect(await server.canLogin('alt_a', a)).toBe(false);
    expect(await driver.refuses(t, current)).toBe(true);

    const again = await driver.set(t, next, { user: 'alt_a', secret: password('alt2') });
    await driver.undo(t, next, again);
    expect(await server.canLogin('alt_a', again.secret)).toBe(false);
    expect(await server.canLogin('alt_b', next.secret)).toBe(true);
  });

  it('faults: wrong admin password, a missing role, no permission, the server down — typed errors that name what to do', async () => {
    await createRole('victim', 'victim-pw-1');
    const wrongAdmin = target({ user: 'victim' }, { user: 'admin', secret: 'not-the-admin-password' });
    await expect(driver.set(wrongAdmin, { user: 'victim', secret: 'victim-pw-1' }, { user: 'victim', secret: password('wrong-admin') })).rejects.toMatchObject({
      kind: 'Unauthenticated',
      message: expect.stringContaining('latchkey services update pg-test --url-stdin'),
    });
    expect(await driver.check(wrongAdmin, { user: 'victim', secret: 'victim-pw-1' })).toEqual([
      expect.objectContaining({ name: 'reachable', outcome: 'passed' }),
      expect.objectContaining({ name: 'authenticated', outcome: 'failed', error: expect.objectContaining({ kind: 'Unauthenticated' }) }),
      expect.objectContaining({ name: 'exists', outcome: 'skipped' }),
      expect.objectContaining({ name: 'can change', outcome: 'skipped' }),
    ]);

    const missing = target({ user: 'nobody_here' });
    await expect(driver.set(missing, { user: 'nobody_here', secret: 'x' }, { user: 'nobody_here', secret: password('missing') })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('nobody_here') });
    expect((await driver.check(missing, { user: 'nobody_here', secret: 'x' })).find((step) => step.name === 'exists')).toMatchObject({ outcome: 'failed', error: { kind: 'NotFound' } });

    // A CREATEROLE admin may not change a superuser's password.
    await server.sql("CREATE ROLE weak_admin LOGIN CREATEROLE PASSWORD 'weak-admin-pw'");
    await server.sql("CREATE ROLE big_role LOGIN SUPERUSER PASSWORD 'big-pw-1'");
    const weak = target({ user: 'big_role' }, { user: 'weak_admin', secret: 'weak-admin-pw' });
    await expect(driver.set(weak, { user: 'big_role', secret: 'big-pw-1' }, { user: 'big_role', secret: password('denied') })).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('CREATEROLE') });
    expect((await driver.check(weak, { user: 'big_role', secret: 'big-pw-1' })).find((step) => step.name === 'can change')).toMatchObject({ outcome: 'failed', error: { kind: 'PermissionDenied' } });
    expect(await server.canLogin('big_role', 'big-pw-1')).toBe(true);

    await server.stop();
    try {
      const t = target({ user: 'victim' });
      await expect(driver.test(t, { user: 'victim', secret: 'victim-pw-1' })).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('pg-test is not reachable') });
      await expect(driver.refuses(t, { user: 'victim', secret: 'victim-pw-1' })).rejects.toMatchObject({ kind: 'BackendUnavailable' });
      expect(await driver.check(t, { user: 'victim', secret: 'victim-pw-1' })).toEqual([
        expect.objectContaining({ name: 'reachable', outcome: 'failed', error: expect.objectContaining({ kind: 'BackendUnavailable' }) }),
        expect.objectContaining({ outcome: 'skipped' }),
        expect.objectContaining({ outcome: 'skipped' }),
        expect.objectContaining({ outcome: 'skipped' }),
      ]);
    } finally {
      await server.start();
    }
    const messages = lines.join('\n');
    expect(messages).not.toContain('not-the-admin-password');
    expect(messages).not.toContain(server.admin.password);
  });
});
