import { Cluster } from 'ioredis';
import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../../harness/redis';
import { makeTlsFiles, type TlsFiles } from '../../harness/redis-extra';
import { seedCreateSession, seedValidateSession, type SeedSession } from '../../harness/seed-session-server';
import { openTestStore, type TestStore } from './support';

/**
 * The lost-device flow on a real 3-master Redis Cluster that speaks only TLS (clients and cluster bus),
 * trusted through the test CA: the drill-down count, the revocation of every session of the device —
 * indexed ones and the API server's unindexed ones on every master — and the server rejecting them after.
 */
describe('a TLS-only 3-master Redis Cluster: the lost-device flow', () => {
  let tls: TlsFiles;
  let cluster: RedisCluster;
  let t: TestStore;
  let raw: Cluster;
  beforeAll(async () => {
    tls = await makeTlsFiles();
    cluster = await startRedisCluster(3, { tls });
    t = await openTestStore({ mode: 'cluster', nodes: cluster.nodes, tls: { caFile: tls.ca } }, { batchSize: 50 });
    raw = new Cluster(cluster.nodes, { redisOptions: { tls: { ca: await readFile(tls.ca) } } });
  });
  afterAll(async () => {
    await t?.close();
    raw?.disconnect();
    await cluster?.stop();
    if (tls !== undefined) await rm(tls.dir, { recursive: true, force: true });
  });

  it('finds every session of the lost watch on every master, revokes them all, and the server rejects their tokens', async () => {
    const lost: SeedSession[] = [];
    for (let i = 0; i < 30; i += 1) lost.push(await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-lost-7', metadata: { device_type: 'wearable', app_version: '4.2.0' } }));
    const indexed = await t.store.create({ userId: 'alice', deviceId: 'watch-lost-7', metadata: { device_type: 'wearable' } });
    const others = await Promise.all(Array.from({ length: 150 }, (_, i) => seedCreateSession(raw, { userId: `user-${i % 13}`, deviceId: `phone-${i}`, metadata: { device_type: 'phone' } })));
    // The sessions really are spread over the three masters.
    const perNode = await Promise.all(raw.nodes('master').map((node) => node.dbsize()));
    expect(perNode.every((size) => size > 20)).toBe(true);

    const found = await t.store.listByDevice('watch-lost-7');
    expect(found.sessions).toHaveLength(31);
    expect(new Set(found.sessions.map((s) => s.userId))).toEqual(new Set(['alice']));

    const result = await t.store.revokeDevice('watch-lost-7');
    expect(result).toMatchObject({ revoked: 31, viaIndex: 1, viaScan: 30 });
    for (const session of lost) expect(await seedValidateSession(raw, session.token)).toBeUndefined();
    expect(await t.store.validate(indexed.token)).toMatchObject({ valid: false });
    for (const session of others.slice(0, 20)) expect(await seedValidateSession(raw, session.token)).toBeDefined();
    expect(t.audit.filter((event) => event.kind === 'session.revoke-device').map((event) => [event.outcome, event.count])).toEqual([
      ['started', 0],
      ['complete', 31],
    ]);

    // The dashboard is counted by the scripts on each master, over TLS.
    const stats = await t.store.stats({ hours: 1 });
    expect(stats).toMatchObject({ countedOn: 'server', activeSessions: 150, byDeviceType: { phone: 150 } });
  });
});
