import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionFilter } from '../../../electron/core/sessions/filter';
import { startRedisCluster, type RedisCluster } from '../../harness/redis';
import { seedCreateSession, seedValidateSession } from '../../harness/seed-session-server';
import { openTestStore, type TestStore } from './support';

/**
 * The whole store on a real 3-master Redis Cluster. Session keys spread over all slots (the server
 * fixes their names), so every multi-key step must be grouped per node: any CROSSSLOT error fails
 * these tests.
 */
describe('session store on a real 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let t: TestStore;
  let raw: Cluster;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    t = await openTestStore({ mode: 'cluster', nodes: cluster.nodes }, { batchSize: 64 });
    raw = new Cluster(cluster.nodes);
  });
  afterAll(async () => {
    await t?.close();
    raw?.disconnect();
    await cluster?.stop();
  });

  it('spreads sessions over every master and administers them without CROSSSLOT errors', async () => {
    const tokens = new Map<string, string>();
    for (let i = 0; i < 120; i += 1) {
      const input = { userId: `user-${i % 4}`, deviceId: `device-${i % 10}`, metadata: { device_type: i % 2 === 0 ? 'wearable' : 'phone' } };
      const session = i % 3 === 0 ? await seedCreateSession(raw, input) : await t.store.create(input);
      tokens.set(session.id, session.token);
    }
    const perNode = await Promise.all(raw.nodes('master').map((node) => node.dbsize()));
    expect(perNode.every((size) => size > 20)).toBe(true);

    // Every token validates, through Latchkey and through the seed's algorithm.
    for (const token of [...tokens.values()].slice(0, 20)) {
      expect(await t.store.validate(token)).toMatchObject({ valid: true });
      expect(await seedValidateSession(raw, token)).toBeDefined();
    }

    // Paging walks all three masters.
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await t.store.page({ cursor, limit: 25 });
      page.sessions.forEach((s) => seen.add(s.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect([...seen].sort()).toEqual([...tokens.keys()].sort());

    const stats = await t.store.stats({ hours: 1 });
    expect(stats.activeSessions).toBe(120);
    expect(stats.byDeviceType).toEqual({ wearable: 60, phone: 60 });

    expect((await t.store.listByDevice('device-3')).sessions).toHaveLength(12);
    const lost = await t.store.revokeDevice('device-3');
    expect(lost).toMatchObject({ revoked: 12 });
    expect(lost.viaIndex).toBe(8);
    expect(lost.viaScan).toBe(4);
    expect((await t.store.listByDevice('device-3')).sessions).toHaveLength(0);

    const indexed = await t.store.indexExisting();
    expect(indexed.indexed).toBe(108);
    const user = await t.store.revokeUser('user-1', { strategy: 'index' });
    // 30 sessions of user-1, minus the 6 that were on device-3 (i ≡ 13 mod 20).
    expect(user.revoked).toBe(24);
    expect((await t.store.listByUser('user-1', { strategy: 'scan' })).sessions).toHaveLength(0);
  });

  it('extends and revokes single sessions on whichever node holds them', async () => {
    const session = await t.store.create({ userId: 'solo', deviceId: 'solo-device', ttlHours: 1 });
    expect(await t.store.extend({ token: session.token }, 2)).toMatchObject({ extended: true });
    expect(await raw.ttl(`session:${session.id}`)).toBeGreaterThan(3 * 3600 - 10);
    expect(await t.store.revoke({ token: session.token })).toMatchObject({ revoked: true });
    expect(await t.store.validate(session.token)).toMatchObject({ valid: false });
    const failures = await t.store.stats({ hours: 1 });
    expect(failures.failedValidationsPerHour.at(-1)!.count).toBeGreaterThanOrEqual(1);
  });

  it('walks each master with the server-side scripts: the same answers as the client-side walk; revocation by filter on every node', async () => {
    for (let i = 0; i < 90; i += 1) await seedCreateSession(raw, { userId: `walker-${i % 5}`, deviceId: `w-${i}`, metadata: { app_version: i % 3 === 0 ? '4.2.0' : '4.1.0', device_type: 'wearable' } });
    const client = await openTestStore({ mode: 'cluster', nodes: cluster.nodes }, { batchSize: 16, walk: 'client' });
    try {
      const evalsBefore = await Promise.all(raw.nodes('master').map(evalshaCalls));
      const filters: SessionFilter[] = [{ metadata: { app_version: '4.2.0' } }, { userId: 'walker-2' }, { metadata: { device_type: 'wearable' }, createdAfter: (Date.now() - 3_600_000) * 1000 }];
      for (const filter of filters) {
        const onServer = await t.store.find(filter);
        const onClient = await client.store.find(filter);
        expect(onServer.sessions.map((s) => s.id).sort()).toEqual(onClient.sessions.map((s) => s.id).sort());
        expect(onServer.sessions.length).toBeGreaterThan(10);
      }
      // Every master ran the walk script itself.
      const evalsAfter = await Promise.all(raw.nodes('master').map(evalshaCalls));
      evalsAfter.forEach((calls, i) => expect(calls).toBeGreaterThan(evalsBefore[i]!));

      expect(await t.store.previewMatching({ metadata: { app_version: '4.2.0' } })).toMatchObject({ matched: 30, users: 5, devices: 30 });
      expect(await t.store.revokeMatching({ metadata: { app_version: '4.2.0' } })).toMatchObject({ matched: 30, revoked: 30 });
      expect((await client.store.find({ metadata: { app_version: '4.2.0' } })).sessions).toHaveLength(0);
      expect((await client.store.find({ metadata: { app_version: '4.1.0' } })).sessions).toHaveLength(60);
    } finally {
      await client.close();
    }
  });
});

async function evalshaCalls(node: { info(section: string): Promise<string> }): Promise<number> {
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(await node.info('commandstats'))?.[1] ?? 0);
}
