import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { startRedis, type RedisServer } from '../../harness/redis';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

// A Redis ACL rotator through the built `latchkey` binary on a real redis-server: a URL value whose
// password changes at the server, a grace period that keeps the old password valid, and an incident that
// retires it at once and records that the server refused it.
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function logsIn(port: number, user: string, password: string): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', username: user, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

describeWithKeyring('latchkey rotators with a Redis ACL user (the built CLI, a real redis-server)', () => {
  let server: RedisServer;
  let xdg: TempXdg;
  let core: Core;
  const admin = `redis-cli-admin-${randomBytes(8).toString('hex')}`;
  const old = `redis-cli-old-${randomBytes(8).toString('hex')}`;
  const ref = 'file://shop/prod/REDIS_URL';
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
  const json = <T>(text: string) => JSON.parse(text) as T;
  const passwordIn = async () => decodeURIComponent(/^redis:\/\/shop:([^@]+)@/.exec((await core.refs.get(ref)).value)![1]!);

  beforeAll(async () => {
    server = await startRedis();
    const setup = new Redis({ port: server.port, host: '127.0.0.1' });
    await setup.call('ACL', 'SETUSER', 'admin', 'on', `#${sha256(admin)}`, '~*', '&*', '+@all');
    await setup.call('ACL', 'SETUSER', 'shop', 'on', `#${sha256(old)}`, '~shop:*', '+@read', '+@write', '+ping');
    setup.disconnect();
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env: xdg.env });
    await core.projects.createProject('shop');
    await core.projects.createEnvironment('shop', 'prod');
    await core.refs.set(ref, `redis://shop:${old}@127.0.0.1:${server.port}/0`, { confirmed: true });
  });
  afterAll(async () => {
    await core.services.rotators.remove(ref).catch(() => undefined);
    await core.services.registry.remove('redis-prod', { confirmed: true }).catch(() => undefined);
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
    await server.stop();
  });

  it('rotate with a grace period: both passwords work until it ends; the URL keeps everything but the password', async () => {
    expect(await run(['services', 'add', 'redis-prod', '--kind', 'redis', '--url-stdin'], `redis://admin:${admin}@127.0.0.1:${server.port}`)).toMatchObject({ code: 0 });
    expect(await run(['rotators', 'set', ref, '--service', 'redis-prod', '--user', 'shop', '--grace', '600'])).toMatchObject({ code: 0, stdout: expect.stringContaining('value: url') });
    const tested = await run(['rotators', 'test', ref, '--json']);
    expect(json<{ steps: { outcome: string }[] }>(tested.stdout).steps.map((step) => step.outcome)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);

    const rotated = await run(['rotate', ref, '--json']);
    expect(rotated.code).toBe(0);
    const [row] = json<{ ok: boolean; changed_at: string; old_retired: string }[]>(rotated.stdout);
    expect(row).toMatchObject({ ok: true, changed_at: 'redis-prod', old_retired: expect.stringMatching(/^\d{4}-/) });
    const next = await passwordIn();
    expect((await core.refs.get(ref)).value).toBe(`redis://shop:${encodeURIComponent(next)}@127.0.0.1:${server.port}/0`);
    expect(await logsIn(server.port, 'shop', next)).toBe(true);
    expect(await logsIn(server.port, 'shop', old)).toBe(true);
  });

  it('an incident retires the old password at once (no grace: it is compromised) and records that the server refused it', async () => {
    const before = await passwordIn();
    // The earlier rotation's old password is still in its grace period: the incident's rotation retires it first.
    const incident = await run(['incident', 'rotate', '--project', 'shop', '--env', 'prod', '--yes', '--json']);
    expect(incident.code).toBe(0);
    const output = json<{ items: { ref: string; status: string; changed_at: string | null; old_retired: boolean | string }[]; report: { text: string } }>(incident.stdout);
    expect(output.items).toEqual([expect.objectContaining({ ref, status: 'rotated', changed_at: 'redis-prod', old_retired: true })]);
    const now = await passwordIn();
    expect(await logsIn(server.port, 'shop', now)).toBe(true);
    expect(await logsIn(server.port, 'shop', before)).toBe(false);
    expect(await logsIn(server.port, 'shop', old)).toBe(false);
    const report = await run(['incident', 'show', (json<{ report_id: string }>(incident.stdout)).report_id]);
    expect(report.stdout).toContain('CHANGED AT SERVICES (1)');
    expect(report.stdout).toContain('old credential retired, and refused when tried again');
    for (const value of [old, before, now, admin]) {
      expect(incident.stdout + incident.stderr + report.stdout).not.toContain(value);
    }
  });
});
