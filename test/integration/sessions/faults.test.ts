import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../electron/core/log';
import { openSessionRedis } from '../../../electron/core/sessions/connection';
import { freePort } from '../../harness/ports';
import { startRedis, type RedisServer } from '../../harness/redis';
import { makeTlsFiles, startTlsRedis, type TlsFiles, type TlsRedis } from '../../harness/redis-extra';
import { seedCreateSession } from '../../harness/seed-session-server';
import { openTestStore } from './support';

const quiet = createLogger({ sink: () => undefined });

describe('Redis restarted in the middle of a bulk revocation (real redis-server, AOF on)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    // appendfsync always: every acknowledged write survives the SIGKILL, as on a durable production Redis.
    server = await startRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  });
  afterAll(() => server?.stop());

  it('fails with a clear error, and running it again finishes the job with exact counts', async () => {
    const t = await openTestStore({ url: server.url, maxReconnectAttempts: 1 }, { batchSize: 200 });
    try {
      const lost: string[] = [];
      for (let chunk = 0; chunk < 15; chunk += 1) {
        const made = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            (chunk * 200 + i) % 3 === 0 ? seedCreateSession(t.raw, { userId: `u${i % 7}`, deviceId: 'lost-watch' }) : t.store.create({ userId: `u${i % 7}`, deviceId: 'lost-watch' }),
          ),
        );
        lost.push(...made.map((s) => s.id));
      }
      await Promise.all(Array.from({ length: 300 }, (_, i) => t.store.create({ userId: `u${i % 7}`, deviceId: `kept-${i % 5}` })));
      expect(lost).toHaveLength(3000);

      let killed: Promise<void> | undefined;
      const firstRun = t.store.revokeDevice('lost-watch', {
        onProgress: () => {
          killed ??= server.kill();
        },
      });
      const error = await firstRun.then(
        () => undefined,
        (failure: unknown) => failure as { kind: string; message: string; retryAfterMs?: number },
      );
      expect(error).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringMatching(/stopped: Redis at 127\.0\.0\.1:\d+ is not reachable.*run the same revocation again/s) });
      expect(error?.retryAfterMs).toBeGreaterThan(0);
      const partial = t.audit.at(-1)!;
      expect(partial).toMatchObject({ kind: 'session.revoke-device', deviceId: 'lost-watch', outcome: 'partial' });
      expect(partial.count).toBe(200);
      expect(error?.message).toContain('200 sessions were revoked before it stopped');

      await killed;
      await server.start();
      // The same store recovers by itself (the app's "Retry"), and the revocation finishes.
      const secondRun = await t.store.revokeDevice('lost-watch');
      expect(partial.count + secondRun.revoked).toBe(3000);
      expect(t.audit.at(-1)).toMatchObject({ outcome: 'complete', count: secondRun.revoked });
      expect(await t.store.revokeDevice('lost-watch')).toMatchObject({ revoked: 0 });
      for (const id of lost.slice(0, 50)) expect(await t.raw.exists(`session:${id}`)).toBe(0);
      expect(await t.raw.exists('latchkey:session:device:lost-watch')).toBe(0);
      // Nothing else was touched, and the counts the admin sees have no ghosts.
      const stats = await t.store.stats({ hours: 1 });
      expect(stats.activeSessions).toBe(300);
      let perUser = 0;
      for (let u = 0; u < 7; u += 1) perUser += (await t.store.listByUser(`u${u}`, { strategy: 'index' })).sessions.length;
      expect(perUser).toBe(300);
    } finally {
      await t.close();
    }
  });
});

describe('connection faults give typed errors, never a hang', () => {
  it('reports a Redis that is down as BackendUnavailable with a retry hint', async () => {
    const port = await freePort();
    const failure = await openSessionRedis({ url: `redis://127.0.0.1:${port}` }, { logger: quiet })
      .then((redis) => redis.ready())
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining(`127.0.0.1:${port} is not reachable (ECONNREFUSED)`), retryAfterMs: 2000 });
  });

  it('gives up on a server that accepts connections but never answers (bounded timeouts, no hang)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const failure = await openSessionRedis({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 500, commandTimeoutMs: 1000, maxReconnectAttempts: 1 }, { logger: quiet })
        .then((redis) => redis.ready())
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining(`127.0.0.1:${port} is not reachable`) });
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('recovers when a Redis that went down comes back', async () => {
    const server = await startRedis();
    const t = await openTestStore({ url: server.url, maxReconnectAttempts: 1 });
    try {
      const session = await t.store.create({ userId: 'u', deviceId: 'd' });
      await server.kill();
      await expect(t.store.validate(session.token)).rejects.toMatchObject({ kind: 'BackendUnavailable' });
      await server.start();
      // The restarted server is empty (no persistence): the session is gone, and the store works again.
      expect(await t.store.validate(session.token)).toEqual({ valid: false, reason: 'unknown' });
    } finally {
      await t.close();
      await server.stop();
    }
  });

  describe('passwords and ACL users', () => {
    let server: RedisServer;
    beforeAll(async () => {
      server = await startRedis({
        args: ['--requirepass', 'right-password', '--user', 'admin', 'on', '>admin-pass', '~*', '&*', '+@all', '--user', 'narrow', 'on', '>narrow-pass', '~session:*', '+@all'],
      });
    });
    afterAll(() => server?.stop());

    it('rejects a wrong password as Unauthenticated, without echoing it', async () => {
      for (const password of ['wrong-password-canary', undefined]) {
        const failure = await openSessionRedis({ url: `redis://127.0.0.1:${server.port}` }, { logger: quiet, password })
          .then((redis) => redis.ready())
          .catch((error: unknown) => error as Error);
        expect(failure).toMatchObject({ kind: 'Unauthenticated' });
        expect((failure as Error).message).not.toContain('wrong-password-canary');
      }
    });

    it('works with an ACL user and its password', async () => {
      const redis = await openSessionRedis({ url: `redis://admin@127.0.0.1:${server.port}` }, { logger: quiet, password: 'admin-pass' });
      const { SessionStore } = await import('../../../electron/core/sessions/store');
      const store = new SessionStore({ redis, logger: quiet });
      const session = await store.create({ userId: 'u', deviceId: 'd' });
      expect(await store.validate(session.token)).toMatchObject({ valid: true });
      await redis.close();
    });

    it('reports a user that may not touch Latchkey’s index keys as PermissionDenied, and writes nothing', async () => {
      const { SessionStore } = await import('../../../electron/core/sessions/store');
      const redis = await openSessionRedis({ url: `redis://narrow@127.0.0.1:${server.port}` }, { logger: quiet, password: 'narrow-pass' });
      const store = new SessionStore({ redis, logger: quiet });
      try {
        const client = await redis.ready();
        const before = await client.dbsize();
        await expect(store.create({ userId: 'u', deviceId: 'd' })).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('latchkey:*') });
        expect(await client.dbsize()).toBe(before);
      } finally {
        await redis.close();
      }
    });
  });

  describe('TLS (redis-server built with TLS, certificates made by openssl for this run)', () => {
    let files: TlsFiles;
    let mutual: TlsRedis;
    beforeAll(async () => {
      files = await makeTlsFiles();
      mutual = await startTlsRedis(files, { requireClientCert: true });
    });
    afterAll(async () => {
      await mutual?.stop();
    });

    it('connects with the CA and a client certificate, and runs the store over TLS', async () => {
      const t = await openTestStore({ url: `rediss://127.0.0.1:${mutual.port}`, tls: { caFile: files.ca, certFile: files.clientCert, keyFile: files.clientKey } });
      try {
        const session = await t.store.create({ userId: 'u', deviceId: 'd' });
        expect(await t.store.validate(session.token)).toMatchObject({ valid: true });
        expect(await t.store.revokeDevice('d')).toMatchObject({ revoked: 1 });
      } finally {
        await t.close();
      }
    });

    it('says to use rediss:// when TLS is required but not used', async () => {
      const failure = await openSessionRedis({ url: `redis://127.0.0.1:${mutual.port}` }, { logger: quiet })
        .then((redis) => redis.ready())
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('If the server requires TLS, use a rediss:// URL') });
    });

    it('refuses a server certificate from a CA it was not told to trust', async () => {
      const failure = await openSessionRedis({ url: `rediss://127.0.0.1:${mutual.port}`, tls: { caFile: files.otherCa, certFile: files.clientCert, keyFile: files.clientKey } }, { logger: quiet })
        .then((redis) => redis.ready())
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('certificate is not trusted') });
    });

    it('fails clearly without the client certificate the server requires', async () => {
      const failure = await openSessionRedis({ url: `rediss://127.0.0.1:${mutual.port}`, tls: { caFile: files.ca } }, { logger: quiet })
        .then((redis) => redis.ready())
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ kind: 'BackendUnavailable' });
    });

    it('reports an unreadable CA file as NotFound naming the path', async () => {
      await expect(openSessionRedis({ url: `rediss://127.0.0.1:${mutual.port}`, tls: { caFile: '/nonexistent/ca.crt' } }, { logger: quiet })).rejects.toMatchObject({
        kind: 'NotFound',
        message: expect.stringContaining('/nonexistent/ca.crt'),
      });
    });
  });
});
