import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../electron/core/log';
import { openSessionRedis, REDIS_PASSWORD_SERVICE } from '../../../electron/core/sessions/connection';
import { SessionStore } from '../../../electron/core/sessions/store';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { startRedis, type RedisServer } from '../../harness/redis';
import { startSentinel, type Sentinel } from '../../harness/redis-extra';

const quiet = createLogger({ sink: () => undefined });

describe('a Sentinel-managed master (real redis-server in sentinel mode)', () => {
  let master: RedisServer;
  let sentinel: Sentinel;
  beforeAll(async () => {
    master = await startRedis();
    sentinel = await startSentinel(master.port);
  });
  afterAll(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  it('asks the sentinel for the master and administers sessions there', async () => {
    const redis = await openSessionRedis({ mode: 'sentinel', sentinel: { masterName: sentinel.masterName, sentinels: [{ host: '127.0.0.1', port: sentinel.port }] } }, { logger: quiet });
    try {
      const store = new SessionStore({ redis, logger: quiet });
      const session = await store.create({ userId: 'u', deviceId: 'd' });
      expect(await store.validate(session.token)).toMatchObject({ valid: true });
      const client = await redis.ready();
      expect(await client.info('server')).toContain(`tcp_port:${master.port}`);
      expect(await store.revokeDevice('d')).toMatchObject({ revoked: 1 });
    } finally {
      await redis.close();
    }
  });

  it('reports an unknown master name as BackendUnavailable', async () => {
    const failure = await openSessionRedis({ mode: 'sentinel', sentinel: { masterName: 'no-such-master', sentinels: [{ host: '127.0.0.1', port: sentinel.port }] }, maxReconnectAttempts: 0 }, { logger: quiet })
      .then((redis) => redis.ready())
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'BackendUnavailable' });
  });
});

describeWithKeyring('the Redis password read from the OS keychain (real gnome-keyring)', () => {
  let server: RedisServer;
  const account = `test-${randomUUID()}`;
  beforeAll(async () => {
    server = await startRedis({ args: ['--requirepass', 'keychain-held-password'] });
  });
  afterAll(async () => {
    await realKeychain().deletePassword(REDIS_PASSWORD_SERVICE, account);
    await server?.stop();
  });

  it('connects with the password stored under the connection’s account, and says so when it is missing', async () => {
    const keychain = realKeychain();
    const config = { url: `redis://127.0.0.1:${server.port}`, passwordAccount: account };
    await expect(openSessionRedis(config, { logger: quiet, keychain })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining(account) });
    await keychain.setPassword(REDIS_PASSWORD_SERVICE, account, 'keychain-held-password');
    const redis = await openSessionRedis(config, { logger: quiet, keychain });
    try {
      const store = new SessionStore({ redis, logger: quiet });
      const session = await store.create({ userId: 'u', deviceId: 'd' });
      expect(await store.validate(session.token)).toMatchObject({ valid: true });
    } finally {
      await redis.close();
    }
  });
});
