import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential, RotationTarget, RotatorSettings } from '../../../electron/core/services/driver';
import { createRedisAclDriver, redisKind, type RedisServiceSettings } from '../../../electron/core/services/redis/redis-acl-driver';
import { captureLogger } from '../../harness/log-capture';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../../harness/redis';

// The redis ACL driver on real redis-server processes: a master with an ACL file and a replica, and a
// Cluster of 3 masters with a replica each. Every node gets the change, the plaintext never reaches the
// servers except in AUTH (which MONITOR and SLOWLOG redact), and a node that misses the change is named.
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ADMIN = `redis-admin-${randomBytes(8).toString('hex')}`;

async function client(port: number, user?: string, password?: string): Promise<Redis> {
  const made = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(user === undefined ? {} : { username: user, password }) });
  made.on('error', () => undefined);
  await made.connect();
  return made;
}

/** true when `user` logs in on the server at `port` with `password`. */
async function logsIn(port: number, user: string, password: string): Promise<boolean> {
  try {
    (await client(port, user, password)).disconnect();
    return true;
  } catch (error) {
    if (/WRONGPASS|Connection is closed/.test(String((error as Error).message))) return false;
    throw error;
  }
}

async function acl(port: number, ...args: string[]): Promise<unknown> {
  const admin = await client(port);
  try {
    return await admin.call('ACL', ...args);
  } finally {
    admin.disconnect();
  }
}

const { logger, lines } = captureLogger();
const driver = createRedisAclDriver({ logger });
const plaintexts: string[] = [];
const fresh = (label: string) => {
  const value = `redis-${label}-${randomBytes(9).toString('base64url')}`;
  plaintexts.push(value);
  return value;
};

function targetOf(url: string, rotator: Partial<RotatorSettings>, admin: Credential | undefined = { user: 'admin', secret: ADMIN }): RotationTarget<RedisServiceSettings> {
  const settings = redisKind.settingsSchema.parse({ ...redisKind.fromUrl!(new URL(url)).settings, commandTimeoutSeconds: 1, connectTimeoutSeconds: 2 });
  return {
    service: { name: 'redis-test', kind: 'redis', settings, ...(admin === undefined ? {} : { admin }) },
    rotator: { strategy: 'dual', self: false, graceSeconds: 0, ...rotator },
    context: { ref: 'file://shop/prod/REDIS_PASSWORD', phase: 'set', incident: false },
  };
}

describe('redis ACL driver: a master with an ACL file and a replica (real redis-server)', () => {
  /** Waits until the master lists its replica (after a start or restart of either). */
  const replicaListed = async () => {
    for (let tries = 0; ; tries += 1) {
      const info = await client(master.port);
      const listed = String(await info.info('replication')).includes(`port=${replica.port},state=online`);
      info.disconnect();
      if (listed) return;
      if (tries > 200) throw new Error('the replica never registered with the master');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  let dir: string;
  let master: RedisServer;
  let replica: RedisServer;
  let aclFile: string;
  const monitored: string[] = [];
  let monitor: Redis;
  const old = `redis-old-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'latchkey-acl-'));
    aclFile = join(dir, 'users.acl');
    await writeFile(aclFile, ['user default on nopass ~* &* +@all', `user admin on #${sha256(ADMIN)} ~* &* +@all`, `user shop on #${sha256(old)} ~* +@all`, 'user weak on nopass ~* +@all -@admin', ''].join('\n'));
    master = await startRedis({ args: ['--aclfile', aclFile, '--slowlog-log-slower-than', '0'] });
    replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port), '--slowlog-log-slower-than', '0'] });
    for (const line of [['admin', 'on', `#${sha256(ADMIN)}`, '~*', '&*', '+@all'], ['shop', 'on', `#${sha256(old)}`, '~*', '+@all'], ['weak', 'on', 'nopass', '~*', '+@all', '-@admin']]) {
      await acl(replica.port, 'SETUSER', ...line);
    }
    await replicaListed();
    monitor = await (await client(master.port)).monitor();
    monitor.on('monitor', (_time: string, args: string[]) => monitored.push(args.join(' ')));
  });
  afterAll(async () => {
    monitor.disconnect();
    const slowlogs = await Promise.all([master.port, replica.port].map(async (port) => JSON.stringify(await (await client(port)).call('SLOWLOG', 'GET', '1000'))));
    await replica.stop();
    await master.stop();
    await rm(dir, { recursive: true, force: true });
    for (const value of plaintexts) {
      expect(monitored.join('\n')).not.toContain(value);
      for (const slowlog of slowlogs) expect(slowlog).not.toContain(value);
      expect(lines.join('\n')).not.toContain(value);
    }
    // MONITOR saw the logins of the test step (the only place a plaintext travels), redacted; it never shows ACL commands.
    expect(monitored.join('\n')).toMatch(/AUTH \(redacted\) \(redacted\)/);
  });

  it('check, set on master and replica (both passwords valid), test, retire (the old one refused everywhere), ACL SAVE', async () => {
    const target = targetOf(`redis://admin:${ADMIN}@127.0.0.1:${master.port}`, { user: 'shop' });
    expect((await driver.check(target, { user: 'shop', secret: old })).map((step) => [step.name, step.outcome])).toEqual([
      ['reachable', 'passed'],
      ['authenticated', 'passed'],
      ['nodes', 'passed'],
      ['exists', 'passed'],
      ['can change', 'passed'],
    ]);
    const current = { user: 'shop', secret: old };
    const next = await driver.set(target, current, { user: 'shop', secret: fresh('next') });
    for (const port of [master.port, replica.port]) {
      expect(await logsIn(port, 'shop', next.secret)).toBe(true);
      expect(await logsIn(port, 'shop', old)).toBe(true); // zero downtime until retire
    }
    await driver.test(target, next);
    await driver.retire(target, current, next);
    for (const port of [master.port, replica.port]) {
      expect(await logsIn(port, 'shop', old)).toBe(false);
      expect(await logsIn(port, 'shop', next.secret)).toBe(true);
    }
    expect(await driver.refuses(target, current)).toBe(true);
    await driver.retire(target, current, next); // safe to repeat
    // ACL SAVE wrote the hash (never the plaintext) to the ACL file, and a restart keeps the change.
    const saved = await readFile(aclFile, 'utf8');
    expect(saved).toContain(`#${sha256(next.secret)}`);
    expect(saved).not.toContain(next.secret);
    await master.restart();
    expect(await logsIn(master.port, 'shop', next.secret)).toBe(true);
    expect(await logsIn(master.port, 'shop', old)).toBe(false);
    await replicaListed();

    // undo takes a new password back and leaves the current one.
    const again = await driver.set(target, next, { user: 'shop', secret: fresh('undone') });
    await driver.undo(target, next, again);
    await driver.undo(target, next, again);
    expect(await logsIn(replica.port, 'shop', again.secret)).toBe(false);
    expect(await logsIn(replica.port, 'shop', next.secret)).toBe(true);
    plaintexts.push(old);
  });

  it('a replica that does not take the change is named, and the master is put back', async () => {
    const target = targetOf(`redis://admin:${ADMIN}@127.0.0.1:${master.port}`, { user: 'shop' });
    const current = { user: 'shop', secret: plaintexts.find((value) => value.startsWith('redis-next-'))! };
    // The replica lets the admin read ACL users but not change them: the master takes the change, the replica refuses it.
    await acl(replica.port, 'SETUSER', 'admin', '-acl|setuser');
    const refused = fresh('refused');
    try {
      await expect(driver.set(target, current, { user: 'shop', secret: refused })).rejects.toMatchObject({
        kind: 'PermissionDenied',
        message: expect.stringMatching(new RegExp(`did not reach 127\\.0\\.0\\.1:${replica.port} \\(replica\\).*it was taken back from the other nodes, so the old password is the only one everywhere`)),
      });
    } finally {
      await acl(replica.port, 'SETUSER', 'admin', '+acl|setuser');
    }
    for (const port of [master.port, replica.port]) {
      expect(await logsIn(port, 'shop', refused)).toBe(false);
      expect(await logsIn(port, 'shop', current.secret)).toBe(true);
    }

    // A replica that does not answer is named too, and nothing changes anywhere.
    const pause = await client(replica.port);
    await pause.call('CLIENT', 'PAUSE', '2500', 'ALL');
    pause.disconnect();
    const paused = fresh('paused');
    await expect(driver.set(target, current, { user: 'shop', secret: paused })).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining(`127.0.0.1:${replica.port}`) });
    expect(await logsIn(master.port, 'shop', paused)).toBe(false);
    expect(await logsIn(master.port, 'shop', current.secret)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2600));
    expect(await logsIn(replica.port, 'shop', current.secret)).toBe(true);
    expect(await logsIn(replica.port, 'shop', paused)).toBe(false);
  });

  it('faults: a missing user is never created; a wrong admin password and an admin without +acl are refused before any change', async () => {
    const missing = targetOf(`redis://admin:${ADMIN}@127.0.0.1:${master.port}`, { user: 'ghost' });
    await expect(driver.set(missing, { user: 'ghost', secret: 'x' }, { user: 'ghost', secret: fresh('ghost') })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('has no ACL user ghost') });
    expect(await acl(master.port, 'GETUSER', 'ghost')).toBeNull();
    expect(await acl(replica.port, 'GETUSER', 'ghost')).toBeNull();

    const wrong = targetOf(`redis://admin:nope@127.0.0.1:${master.port}`, { user: 'shop' }, { user: 'admin', secret: 'not-the-admin-password' });
    await expect(driver.set(wrong, { user: 'shop', secret: 'x' }, { user: 'shop', secret: fresh('wrong') })).rejects.toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('latchkey services update redis-test --url-stdin') });

    const weak = targetOf(`redis://weak@127.0.0.1:${master.port}`, { user: 'shop' }, { user: 'weak', secret: 'anything' });
    const steps = await driver.check(weak, { user: 'shop', secret: 'x' });
    expect(steps.find((step) => step.outcome === 'failed')).toMatchObject({ error: { kind: 'PermissionDenied' } });
  });

  it('self mode: a user allowed to run ACL SETUSER changes its own password with its current one', async () => {
    const selfOld = `redis-selfy-${randomBytes(6).toString('hex')}`;
    for (const port of [master.port, replica.port]) await acl(port, 'SETUSER', 'selfy', 'on', `#${sha256(selfOld)}`, '~*', '+@all');
    const target = targetOf(`redis://127.0.0.1:${master.port}`, { user: 'selfy', self: true }, undefined);
    const current = { user: 'selfy', secret: selfOld };
    expect((await driver.check(target, current)).every((step) => step.outcome === 'passed')).toBe(true);
    const next = await driver.set(target, current, { user: 'selfy', secret: fresh('selfy') });
    await driver.test(target, next);
    await driver.retire(target, current, next);
    expect(await driver.refuses(target, current)).toBe(true);
    for (const port of [master.port, replica.port]) expect(await logsIn(port, 'selfy', next.secret)).toBe(true);
    plaintexts.push(selfOld);
  });
});

describe('redis ACL driver: a Cluster of 3 masters with a replica each (real redis-server)', () => {
  let cluster: RedisCluster;
  const old = `redis-cluster-old-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    cluster = await startRedisCluster(3, { replicas: 1 });
    for (const port of cluster.ports) {
      await acl(port, 'SETUSER', 'admin', 'on', `#${sha256(ADMIN)}`, '~*', '&*', '+@all');
      await acl(port, 'SETUSER', 'shop', 'on', `#${sha256(old)}`, '~*', '+@all');
    }
  }, 120_000);
  afterAll(async () => {
    await cluster.stop();
  });

  it('changes the password on every master and replica, and retires the old one on every node', async () => {
    expect(cluster.ports).toHaveLength(6);
    const target = targetOf(`redis://admin:${ADMIN}@127.0.0.1:${cluster.ports[0]!}`, { user: 'shop' });
    const steps = await driver.check(target, { user: 'shop', secret: old });
    expect(steps.every((step) => step.outcome === 'passed')).toBe(true);
    const current = { user: 'shop', secret: old };
    const next = await driver.set(target, current, { user: 'shop', secret: fresh('cluster') });
    await driver.test(target, next);
    await driver.retire(target, current, next);
    for (const port of cluster.ports) {
      expect(await logsIn(port, 'shop', next.secret)).toBe(true);
      expect(await logsIn(port, 'shop', old)).toBe(false);
    }
    expect(await driver.refuses(target, current)).toBe(true);
  });
});
