import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isLatchkeyError } from '../../../electron/core/errors';
import type { Credential, RotationTarget, RotatorSettings } from '../../../electron/core/services/driver';
import { createMysqlDriver } from '../../../electron/core/services/mysql/mysql-driver';
import { nativePasswordHash } from '../../../electron/core/services/mysql/native-password';
import { mysqlSettingsSchema, type MysqlSettings } from '../../../electron/core/services/mysql/mysql-settings';
import { captureLogger } from '../../harness/log-capture';
import { describeWithMariaDb, startMariaDb, type MariaDbServer } from '../../harness/mariadb';
import { createTestCertificates, opensslAvailable } from '../../harness/tls';

/**
 * The mysql driver on a real MariaDB 10.11 (one server for this file, general query log on): every
 * step changes what the server accepts, the old and new passwords are tried against the server itself,
 * and the general log — every statement the server received — never holds a plaintext password.
 */
let db: MariaDbServer;
let tlsDir: string;
const { logger, lines } = captureLogger();
const driver = createMysqlDriver({ logger });
const secrets: string[] = [];

const secret = (label: string) => {
  const value = `canary-${label}-${randomBytes(9).toString('base64url')}`;
  secrets.push(value);
  return value;
};

async function createUser(user: string, password: string, host = '%'): Promise<void> {
  await db.sql('CREATE USER ?@? IDENTIFIED BY PASSWORD ?', [user, host, nativePasswordHash(password)]);
}

function target(rotator: Partial<RotatorSettings>, options: { admin?: Credential | null; settings?: Partial<MysqlSettings> } = {}): RotationTarget<MysqlSettings> {
  const settings = mysqlSettingsSchema.parse({ host: '127.0.0.1', port: db.port, user: 'admin', ...options.settings });
  const admin = options.admin === undefined ? { user: db.admin.user, secret: db.admin.password } : options.admin;
  return {
    service: { name: 'mysql-test', kind: 'mysql', settings, ...(admin === null ? {} : { admin }) },
    rotator: { strategy: 'single', self: false, graceSeconds: 0, timeoutSeconds: 10, ...rotator },
    context: { ref: 'file://shop/prod/MYSQL_PASSWORD', project: 'shop', environment: 'prod', phase: 'set', incident: false },
  };
}

async function failure(work: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await work;
  } catch (error) {
    if (!isLatchkeyError(error)) throw error;
    return { kind: error.kind, message: error.message };
  }
  throw new Error('expected a failure');
}

describeWithMariaDb('mysql driver on a real MariaDB 10.11', () => {
  beforeAll(async () => {
    tlsDir = await mkdtemp(join(tmpdir(), 'latchkey-mysql-tls-'));
    const certificates = opensslAvailable() ? await createTestCertificates() : undefined;
    if (certificates !== undefined) await writeFile(join(tlsDir, 'ca.pem'), certificates.caPem);
    db = await startMariaDb(certificates === undefined ? {} : { tls: certificates });
    secrets.push(db.admin.password);
  });

  afterAll(async () => {
    // Nothing Latchkey sent reached the server's general log, the driver's log lines or its errors in plain text.
    const log = await db?.log();
    for (const value of secrets) {
      expect(log, 'general query log').not.toContain(value);
      expect(lines.join('\n'), 'driver log').not.toContain(value);
    }
    await db?.destroy();
    await rm(tlsDir, { recursive: true, force: true });
  });

  it('single user, admin mode: set sends only the hash, the new password works and the old one is refused; undo puts the old one back', async () => {
    const old = secret('single-old');
    const next = secret('single-new');
    await createUser('shop_app', old);
    const rotation = target({ user: 'shop_app' });

    const set = await driver.set(rotation, { secret: old }, { secret: next });
    expect(set).toEqual({ user: 'shop_app', secret: next });
    expect(await db.canLogin('shop_app', next)).toBe(true);
    expect(await db.canLogin('shop_app', old)).toBe(false);
    await driver.test(rotation, set);
    expect(await driver.refuses(rotation, { secret: old })).toBe(true);
    expect(await db.log()).toContain(`IDENTIFIED BY PASSWORD '${nativePasswordHash(next)}'`);

    await driver.undo(rotation, { secret: old }, set);
    expect(await db.canLogin('shop_app', old)).toBe(true);
    expect(await db.canLogin('shop_app', next)).toBe(false);
    // retire is a no-op for a single user: set already retired the old password.
    await driver.retire(rotation, { secret: old }, set);
  });

  it('self mode: the account changes its own password with SET PASSWORD = <hash>; set and undo are safe to repeat', async () => {
    const old = secret('self-old');
    const next = secret('self-new');
    await createUser('shop_self', old);
    const rotation = target({ user: 'shop_self', self: true }, { admin: null, settings: { user: undefined } });

    expect((await driver.check(rotation, { secret: old })).map((step) => [step.name, step.outcome])).toEqual([
      ['reachable', 'passed'],
      ['authenticated', 'passed'],
      ['server', 'passed'],
      ['exists', 'passed'],
      ['can change', 'passed'],
    ]);
    await driver.set(rotation, { secret: old }, { secret: next });
    // A crash after the server took the change: the same call again finds the new password in place.
    await expect(driver.set(rotation, { secret: old }, { secret: next })).resolves.toEqual({ user: 'shop_self', secret: next });
    expect(await db.canLogin('shop_self', next)).toBe(true);
    expect(await db.canLogin('shop_self', old)).toBe(false);
    expect(await db.log()).toContain(`SET PASSWORD = '${nativePasswordHash(next)}'`);

    await driver.undo(rotation, { secret: old }, { user: 'shop_self', secret: next });
    await driver.undo(rotation, { secret: old }, { user: 'shop_self', secret: next });
    expect(await db.canLogin('shop_self', old)).toBe(true);
    expect(await db.canLogin('shop_self', next)).toBe(false);
  });

  it('alternating users: set gives the user not in use the new password (both work), retire locks the old user, undo locks the new one', async () => {
    const a = secret('alt-a');
    const b = secret('alt-b-stale');
    const next = secret('alt-b-new');
    await createUser('shop_alt', a);
    await createUser('shop_alt_b', b);
    await db.sql("ALTER USER 'shop_alt_b'@'%' ACCOUNT LOCK");
    const rotation = target({ strategy: 'alternating', user: 'shop_alt', userB: 'shop_alt_b' });

    expect((await driver.check(rotation, { user: 'shop_alt', secret: a })).find((step) => step.name === 'exists')).toMatchObject({
      outcome: 'passed',
      detail: expect.stringContaining("'shop_alt'@'%' and 'shop_alt_b'@'%'"),
    });
    const set = await driver.set(rotation, { user: 'shop_alt', secret: a }, { user: 'shop_alt_b', secret: next });
    expect(set).toEqual({ user: 'shop_alt_b', secret: next });
    expect(await db.canLogin('shop_alt_b', next)).toBe(true);
    expect(await db.canLogin('shop_alt', a)).toBe(true);
    await driver.test(rotation, set);

    await driver.retire(rotation, { user: 'shop_alt', secret: a }, set);
    await driver.retire(rotation, { user: 'shop_alt', secret: a }, set);
    expect(await db.canLogin('shop_alt', a)).toBe(false);
    expect(await driver.refuses(rotation, { user: 'shop_alt', secret: a })).toBe(true);
    expect(await db.canLogin('shop_alt_b', next)).toBe(true);

    // The next rotation flips back to shop_alt, unlocking it; an undo locks it again.
    const again = secret('alt-a-new');
    await driver.set(rotation, set, { user: 'shop_alt', secret: again });
    expect(await db.canLogin('shop_alt', again)).toBe(true);
    await driver.undo(rotation, set, { user: 'shop_alt', secret: again });
    expect(await db.canLogin('shop_alt', again)).toBe(false);
    expect(await db.canLogin('shop_alt_b', next)).toBe(true);
  });

  it('check passes for an admin with CREATE USER and names the failing step otherwise: wrong admin password, no such user, no permission, another plugin, dual on MariaDB', async () => {
    await createUser('shop_check', secret('check'));
    const outcomes = async (rotation: RotationTarget<MysqlSettings>) =>
      (await driver.check(rotation, { secret: 'unused' })).map((step) => `${step.name}:${step.outcome}${step.error === undefined ? '' : `:${step.error.kind}`}`);

    expect(await outcomes(target({ user: 'shop_check' }))).toEqual(['reachable:passed', 'authenticated:passed', 'server:passed', 'exists:passed', 'can change:passed']);

    const wrongAdmin = await driver.check(target({ user: 'shop_check' }, { admin: { user: 'admin', secret: secret('wrong-admin') } }), { secret: 'unused' });
    expect(wrongAdmin.map((step) => `${step.name}:${step.outcome}`)).toEqual(['reachable:passed', 'authenticated:failed', 'server:skipped', 'exists:skipped', 'can change:skipped']);
    expect(wrongAdmin[1]?.error).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('mysql-test') });

    expect(await outcomes(target({ user: 'nobody_here' }))).toEqual(['reachable:passed', 'authenticated:passed', 'server:passed', 'exists:failed:NotFound', 'can change:skipped']);

    const limitedPassword = secret('limited-admin');
    await createUser('limited_admin', limitedPassword);
    await db.sql("GRANT SELECT ON mysql.global_priv TO 'limited_admin'@'%'");
    expect(await outcomes(target({ user: 'shop_check' }, { admin: { user: 'limited_admin', secret: limitedPassword } }))).toEqual([
      'reachable:passed',
      'authenticated:passed',
      'server:passed',
      'exists:passed',
      'can change:failed:PermissionDenied',
    ]);

    await db.sql("INSTALL SONAME 'auth_ed25519'").catch(() => undefined);
    await db.sql("CREATE USER 'shop_ed'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('not-a-canary')");
    const ed = await driver.check(target({ user: 'shop_ed' }), { secret: 'unused' });
    expect(ed.find((step) => step.name === 'exists')).toMatchObject({ outcome: 'failed', error: { kind: 'InvalidInput', message: expect.stringContaining('ed25519') } });
    expect(await failure(driver.set(target({ user: 'shop_ed' }), { secret: 'x' }, { secret: secret('ed-new') }))).toMatchObject({ kind: 'InvalidInput' });

    expect(await outcomes(target({ user: 'shop_check', strategy: 'dual' }))).toEqual(['reachable:passed', 'authenticated:passed', 'server:failed:InvalidInput', 'exists:skipped', 'can change:skipped']);

    // The service on its own (services test): the admin logs in, no account is looked at; without an admin, only reachability.
    const alone = await driver.check(target({}), undefined);
    expect(alone.map((step) => `${step.name}:${step.outcome}`)).toEqual(['reachable:passed', 'authenticated:passed', 'server:passed', 'can change:passed']);
    expect((await driver.check(target({ self: true }, { admin: null }), undefined)).map((step) => `${step.name}:${step.outcome}`)).toEqual(['reachable:passed']);
  });

  it('set fails with a typed error and changes nothing: wrong admin password, no such user, no permission', async () => {
    const old = secret('faults-old');
    await createUser('shop_faults', old);
    const next = secret('faults-new');
    expect(await failure(driver.set(target({ user: 'shop_faults' }, { admin: { user: 'admin', secret: secret('bad-admin') } }), { secret: old }, { secret: next }))).toMatchObject({
      kind: 'Unauthenticated',
    });
    expect(await failure(driver.set(target({ user: 'shop_nobody' }), { secret: old }, { secret: next }))).toMatchObject({ kind: 'NotFound', message: expect.stringContaining("'shop_nobody'@'%'") });
    const weak = secret('weak-admin');
    await createUser('weak_admin', weak);
    const denied = await failure(driver.set(target({ user: 'shop_faults' }, { admin: { user: 'weak_admin', secret: weak } }), { secret: old }, { secret: next }));
    expect(denied).toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('SELECT ON mysql.global_priv') });
    await db.sql("GRANT SELECT ON mysql.global_priv TO 'weak_admin'@'%'");
    expect(await failure(driver.set(target({ user: 'shop_faults' }, { admin: { user: 'weak_admin', secret: weak } }), { secret: old }, { secret: next }))).toMatchObject({
      kind: 'PermissionDenied',
      message: expect.stringContaining('CREATE USER'),
    });
    expect(await db.canLogin('shop_faults', old)).toBe(true);
  });

  it('the server going down between set and test: test says BackendUnavailable, and passes once the server is back', async () => {
    const old = secret('down-old');
    const next = secret('down-new');
    await createUser('shop_down', old);
    const rotation = target({ user: 'shop_down' });
    const set = await driver.set(rotation, { secret: old }, { secret: next });
    await db.kill();
    try {
      expect(await failure(driver.test(rotation, set))).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('cannot be reached') });
      expect(await failure(driver.refuses(rotation, { secret: old }))).toMatchObject({ kind: 'BackendUnavailable' });
      const down = await driver.check(rotation, { secret: old });
      expect(down[0]).toMatchObject({ name: 'reachable', outcome: 'failed', error: { kind: 'BackendUnavailable' } });
    } finally {
      await db.start();
    }
    await driver.test(rotation, set);
    expect(await db.canLogin('shop_down', next)).toBe(true);
  });

  it.skipIf(!opensslAvailable())('TLS: verifies the server against the CA file (ssl-mode=VERIFY_IDENTITY), for an account that REQUIREs SSL; a wrong CA is refused', async () => {
    const old = secret('tls-old');
    const next = secret('tls-new');
    await createUser('shop_tls', old);
    await db.sql("ALTER USER 'shop_tls'@'%' REQUIRE SSL");
    const rotation = target({ user: 'shop_tls' }, { settings: { tls: { verify: true, caFile: join(tlsDir, 'ca.pem') } } });
    const set = await driver.set(rotation, { secret: old }, { secret: next });
    await driver.test(rotation, set);
    // Without TLS the account cannot log in at all: what test proves is the TLS login.
    expect(await failure(driver.test(target({ user: 'shop_tls' }), set))).toMatchObject({ kind: 'Unauthenticated' });

    const otherCa = await createTestCertificates();
    await writeFile(join(tlsDir, 'other-ca.pem'), otherCa.caPem);
    expect(await failure(driver.test(target({ user: 'shop_tls' }, { settings: { tls: { verify: true, caFile: join(tlsDir, 'other-ca.pem') } } }), set))).toMatchObject({
      kind: 'BackendUnavailable',
      message: expect.stringContaining('TLS'),
    });
  });
}, { keyring: false });
