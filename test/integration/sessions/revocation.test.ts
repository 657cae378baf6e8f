import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../electron/core/log';
import { createSessionContext } from '../../../electron/core/sessions/context';
import { deleteUnchanged } from '../../../electron/core/sessions/deletion';
import { walkSessions } from '../../../electron/core/sessions/walk';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession, seedValidateSession, type SeedSession } from '../../harness/seed-session-server';
import { openTestStore, redisStoreSuite, type TestStore } from './support';

/**
 * Revocation by filter and of a search result, on a real redis-server: the preview's counts, exactly
 * the matching sessions deleted (the server then rejects their tokens, the rest still work), index
 * entries cleaned, a `started` entry and an outcome with the filter and the count Redis confirmed.
 */
const HOUR = 3_600_000;

describe('revoking by filter (real redis-server)', () => {
  const suite = redisStoreSuite({ batchSize: 40 });
  beforeEach(async () => {
    await suite.t.raw.flushdb();
    suite.t.audit.length = 0;
  });

  async function traffic(): Promise<{ leaked: SeedSession[]; old: SeedSession[]; kept: SeedSession[] }> {
    const raw = suite.t.raw;
    const leaked = await Promise.all(Array.from({ length: 90 }, (_, i) => seedCreateSession(raw, { userId: `u${i % 12}`, deviceId: `watch-${i % 30}`, metadata: { app_version: '4.2.0', os: i % 2 === 0 ? 'wearOS' : 'watchOS' } })));
    const old = await Promise.all(Array.from({ length: 25 }, (_, i) => seedCreateSession(raw, { userId: `old${i}`, deviceId: `phone-${i}`, metadata: { app_version: '4.1.0' }, now: new Date(Date.now() - 30 * HOUR), ttlHours: 72 })));
    const kept = await Promise.all(Array.from({ length: 60 }, (_, i) => seedCreateSession(raw, { userId: `k${i % 9}`, deviceId: `tablet-${i}`, metadata: { app_version: '4.2.1' } })));
    return { leaked, old, kept };
  }

  it('previews how many sessions of how many users and devices match, then revokes exactly those', async () => {
    const { leaked, old, kept } = await traffic();
    // Latchkey's own sessions carry index entries, which must go with them.
    const ours = await suite.t.store.create({ userId: 'u0', deviceId: 'watch-0', metadata: { app_version: '4.2.0', os: 'wearOS' } });

    const filter = { metadata: { app_version: '4.2.0', os: 'wearOS' } };
    expect(await suite.t.store.previewMatching(filter)).toMatchObject({ matched: 46, users: 6, devices: 15, problems: 0 });
    const progress: number[] = [];
    const result = await suite.t.store.revokeMatching(filter, { onProgress: (p) => progress.push(p.revoked) });
    expect(result).toMatchObject({ matched: 46, revoked: 46 });
    expect(progress.at(-1)).toBe(46);
    for (const session of leaked) expect(await seedValidateSession(suite.t.raw, session.token) === undefined).toBe(leaked.indexOf(session) % 2 === 0);
    expect(await suite.t.raw.exists(`session:${ours.id}`)).toBe(0);
    expect(await suite.t.raw.zscore('latchkey:session:user:u0', `${ours.id}:watch-0`)).toBeNull();
    for (const session of [...old, ...kept]) expect(await seedValidateSession(suite.t.raw, session.token)).toBeDefined();

    // Created before a moment (the leak): the old sessions only.
    const leak = (Date.now() - 10 * HOUR) * 1000;
    expect(await suite.t.store.revokeMatching({ createdBefore: leak })).toMatchObject({ matched: 25, revoked: 25 });
    for (const session of old) expect(await seedValidateSession(suite.t.raw, session.token)).toBeUndefined();
    expect(await suite.t.store.revokeMatching({ createdBefore: leak })).toMatchObject({ matched: 0, revoked: 0 });

    expect(suite.t.audit.map((event) => [event.kind, event.outcome, event.count, event.matched, event.filter])).toEqual([
      ['session.create', 'complete', 1, undefined, undefined],
      ['session.revoke-filter', 'started', 0, undefined, filter],
      ['session.revoke-filter', 'complete', 46, 46, filter],
      ['session.revoke-filter', 'started', 0, undefined, { createdBefore: leak }],
      ['session.revoke-filter', 'complete', 25, 25, { createdBefore: leak }],
      ['session.revoke-filter', 'started', 0, undefined, { createdBefore: leak }],
      ['session.revoke-filter', 'complete', 0, 0, { createdBefore: leak }],
    ]);
  });

  it('refuses an empty filter (it would revoke every session) and a filter it cannot read', async () => {
    await traffic();
    await expect(suite.t.store.revokeMatching({})).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('every session') });
    await expect(suite.t.store.revokeMatching({ metadata: { app_version: 'bad\nvalue' } })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(suite.t.store.revokeMatching({ createdBefore: 1.5 })).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(suite.t.audit).toEqual([]);
    expect(await suite.t.raw.dbsize()).toBe(175);
  });

  it('leaves alone a session that changed between being judged and being deleted', async () => {
    const session = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'd', metadata: { app_version: '4.2.0' } });
    const other = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'e', metadata: { app_version: '4.2.0' } });
    const logger = createLogger({ sink: () => undefined });
    const ctx = createSessionContext({ redis: suite.t.redis, logger });
    const [batch] = await collect(walkSessions(ctx, { filter: { metadata: { app_version: '4.2.0' } }, forRevocation: true }));
    expect(batch!.sessions).toHaveLength(2);
    // Someone extends one session after it was judged: its fields are no longer what was judged.
    await suite.t.raw.hset(`session:${session.id}`, 'expires_at', new Date(Date.now() + 5 * HOUR).toISOString());
    const entries = batch!.sessions.map((s) => ({ key: `session:${s.id}`, digest: batch!.digests.get(s.id), userId: s.userId, deviceId: s.deviceId }));
    const deleted = await deleteUnchanged(ctx, batch!.node, entries);
    expect(deleted.results.map((d) => d.key)).toEqual([`session:${other.id}`]);
    expect(await suite.t.raw.exists(`session:${session.id}`)).toBe(1);
  });

  it('revokes the sessions of a search result by id, counting only those still there', async () => {
    const { leaked } = await traffic();
    const ids = leaked.slice(0, 10).map((s) => s.id);
    await suite.t.raw.del(`session:${ids[3]}`);
    const result = await suite.t.store.revokeIds(ids, { metadata: { app_version: '4.2.0' } });
    expect(result).toMatchObject({ matched: 10, revoked: 9 });
    for (const id of ids) expect(await suite.t.raw.exists(`session:${id}`)).toBe(0);
    expect(suite.t.audit.at(-1)).toMatchObject({ kind: 'session.revoke-filter', outcome: 'complete', count: 9, matched: 10, filter: { metadata: { app_version: '4.2.0' } } });
  });

  it('Cancel stops between batches: the outcome says cancelled, with the exact count', async () => {
    const { leaked } = await traffic();
    const controller = new AbortController();
    const error = await suite.t.store
      .revokeMatching({ metadata: { app_version: '4.2.0' } }, { signal: controller.signal, onProgress: (p) => p.revoked > 0 && controller.abort() })
      .catch((failure: unknown) => failure as { kind: string; message: string });
    expect(error).toMatchObject({ kind: 'Cancelled', message: expect.stringMatching(/was cancelled; \d+ sessions? (was|were) revoked before it stopped\. Run it again/) });
    const outcome = suite.t.audit.at(-1)!;
    expect(outcome).toMatchObject({ kind: 'session.revoke-filter', outcome: 'cancelled' });
    expect(outcome.unconfirmed).toBeUndefined();
    let gone = 0;
    for (const session of leaked) if ((await suite.t.raw.exists(`session:${session.id}`)) === 0) gone += 1;
    expect(gone).toBe(outcome.count);
    expect(gone).toBeGreaterThan(0);
    expect(gone).toBeLessThan(90);
  });
});

describe('a Redis that stops answering in the middle of a revocation (SIGSTOP of a real redis-server)', () => {
  let server: RedisServer;
  let t: TestStore;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    server?.resume();
    await t?.close();
    await server?.stop();
  });

  it('says it timed out (not "not reachable"), and counts exactly: what Redis confirmed, and the batch whose reply was lost apart', async () => {
    t = await openTestStore({ url: server.url, commandTimeoutMs: 1_500, maxReconnectAttempts: 0 }, { batchSize: 100 });
    const lost = await Promise.all(Array.from({ length: 500 }, (_, i) => t.store.create({ userId: `u${i % 9}`, deviceId: 'lost-watch' })));
    let paused = false;
    const error = await t.store
      .revokeDevice('lost-watch', {
        strategy: 'index',
        onProgress: () => {
          if (paused) return;
          paused = true;
          server.pause();
        },
      })
      .then(() => ({ kind: 'none', message: '' }), (failure: unknown) => failure as { kind: string; message: string });
    expect(error).toMatchObject({ kind: 'BackendUnavailable' });
    expect(error.message).toContain('did not answer within 1500 ms: the command timed out');
    expect(error.message).not.toContain('not reachable');
    // SIGSTOP lands while the next batch is on its way: usually after one batch, on a busy machine later.
    const outcome = t.audit.at(-1)!;
    expect(outcome).toMatchObject({ kind: 'session.revoke-device', outcome: 'partial', unconfirmed: 100 });
    expect(outcome.count % 100).toBe(0);
    expect(outcome.count).toBeGreaterThanOrEqual(100);
    expect(error.message).toContain(`${outcome.count} sessions were revoked before it stopped, and up to 100 more may have been`);
    expect(error.message).toContain(`at least ${outcome.count}, possibly up to ${outcome.count + 100}`);

    // Once the server answers again, what it deleted lies within what was reported.
    server.resume();
    const raw = t.raw;
    await expect.poll(async () => raw.ping().catch(() => 'down'), { timeout: 5_000 }).toBe('PONG');
    let deleted = 0;
    for (const session of lost) if ((await raw.exists(`session:${session.id}`)) === 0) deleted += 1;
    expect(deleted).toBeGreaterThanOrEqual(outcome.count);
    expect(deleted).toBeLessThanOrEqual(outcome.count + outcome.unconfirmed!);

    // Running it again finishes the job.
    const again = await t.store.revokeDevice('lost-watch');
    expect(deleted + again.revoked).toBe(500);
  });

  it('Ctrl-C while the server holds a deletion: gives up after a short wait and reports that batch as unconfirmed', async () => {
    await t?.close();
    t = await openTestStore({ url: server.url, commandTimeoutMs: 60_000 }, { batchSize: 100 });
    await t.raw.flushdb();
    await Promise.all(Array.from({ length: 300 }, (_, i) => t.store.create({ userId: `u${i % 9}`, deviceId: 'lost-phone' })));
    const controller = new AbortController();
    let paused = false;
    const error = await t.store
      .revokeDevice('lost-phone', {
        strategy: 'index',
        signal: controller.signal,
        onProgress: () => {
          if (paused) return;
          paused = true;
          server.pause();
          setTimeout(() => controller.abort(), 100);
        },
      })
      .catch((failure: unknown) => failure as { kind: string; message: string });
    server.resume();
    expect(error).toMatchObject({ kind: 'Cancelled', message: expect.stringContaining('at least 100, possibly up to 200') });
    // Cancelled, not timed out: it did not wait for the 60 s command timeout.
    expect(t.audit.at(-1)).toMatchObject({ kind: 'session.revoke-device', outcome: 'cancelled', count: 100, unconfirmed: 100 });
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
