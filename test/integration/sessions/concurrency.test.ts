import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../harness/redis';
import { openTestStore, type TestStore } from './support';

/**
 * Revoke and extend racing, on two separate connections so that their commands really interleave in
 * the server. Whatever the order, a revoked session must stay revoked: no key left behind (not even a
 * partial hash holding only expires_at), no index entry, and validate must fail.
 */
const ROUNDS = 300;

describe('revoke and extend racing on a real redis-server', () => {
  let server: RedisServer;
  let revoker: TestStore;
  let extender: TestStore;
  beforeAll(async () => {
    server = await startRedis();
    revoker = await openTestStore({ url: server.url });
    extender = await openTestStore({ url: server.url });
  });
  afterAll(async () => {
    await revoker?.close();
    await extender?.close();
    await server?.stop();
  });

  it(`never resurrects a revoked session (${ROUNDS} races)`, async () => {
    let extendedFirst = 0;
    let refused = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const session = await revoker.store.create({ userId: `u${round}`, deviceId: `d${round}` });
      const [extended, revoked] = await Promise.all([
        extender.store.extend({ token: session.token }, 1),
        round % 2 === 0 ? revoker.store.revoke({ token: session.token }) : revoker.store.revokeDevice(`d${round}`, { strategy: 'index' }),
      ]);
      if (extended.extended) extendedFirst += 1;
      else refused += 1;
      expect(Number(revoked.revoked)).toBe(1);
      expect(await revoker.raw.exists(`session:${session.id}`)).toBe(0);
      expect(await revoker.store.validate(session.token)).toMatchObject({ valid: false });
      expect(await revoker.raw.zcard(`latchkey:session:device:d${round}`)).toBe(0);
      // A later extend of the revoked session fails.
      expect(await extender.store.extend({ token: session.token }, 1)).toEqual({ extended: false, reason: 'unknown' });
    }
    // Both orders happened, so both paths of the race were exercised.
    console.info(`[race] extend won ${extendedFirst} times, was refused ${refused} times out of ${ROUNDS}`);
    expect(extendedFirst + refused).toBe(ROUNDS);
  });

  it('two extends racing both apply, one after the other (compare-and-set retries)', async () => {
    const session = await revoker.store.create({ userId: 'x', deviceId: 'y', ttlHours: 1 });
    const results = await Promise.all([extender.store.extend({ token: session.token }, 1), revoker.store.extend({ token: session.token }, 1)]);
    expect(results.every((r) => r.extended)).toBe(true);
    const expires = await revoker.raw.hget(`session:${session.id}`, 'expires_at');
    expect(Date.parse(expires!) - Math.floor(session.expiresAtMicros / 1000)).toBe(2 * 3600_000);
  });
});
