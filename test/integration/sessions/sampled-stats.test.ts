import { createHash } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Estimate, SampledStats } from '../../../electron/core/sessions/sampled-stats';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../../harness/redis';
import { pythonIsoformat } from '../../harness/seed-session-server';
import { openTestStore, type TestStore } from './support';

/**
 * The sampled estimate against a population whose true counts are known, on a real redis-server (and a
 * real 3-master Cluster): sessions of known device types and OSes, keys that are not sessions, sessions
 * whose expires_at has passed while their TTL has not (not active), malformed keys under the prefix, and
 * keys whose TTL has passed but that Redis has not reclaimed (active expiry is switched off so they stay
 * in DBSIZE).
 *
 * Why the check cannot flake: RANDOMKEY draws with Redis' own generator, which cannot be seeded, so each
 * run draws another sample. The check is that the true count lies inside the 95 % interval widened ×2
 * around the estimate, i.e. within about 3.9 standard errors: if the estimator is right, one such check
 * fails with a probability of about 1 in 10,000, so this file's ~20 checks fail about once in 500 runs
 * at worst. A wrong estimator does not come near: counting the expired-but-present sessions as active,
 * or ignoring the unreclaimed keys in DBSIZE, moves the active count by 6 % and 11 % here, several times
 * the widened half-width (about 1.6 %), and every interval is also checked to be that narrow.
 */
const WIDEN = 2;
const HOUR_MS = 3_600_000;

interface Population {
  active: number;
  byDeviceType: Record<string, number>;
  byOs: Record<string, number>;
  problems: number;
}

const idOf = (label: string) => createHash('sha256').update(label).digest('hex');

function sessionFields(metadata: Record<string, unknown>, expiresInMs: number): Record<string, string> {
  const now = Date.now();
  return {
    user_id: 'user',
    device_id: 'device',
    created_at: pythonIsoformat(new Date(now - HOUR_MS), 1),
    expires_at: pythonIsoformat(new Date(now + expiresInMs), 1),
    metadata: JSON.stringify(metadata),
  };
}

/**
 * Writes `scale` × (1,000 sessions: 500 phone/ios, 300 tablet/android, 200 wearable/android) plus, per
 * 1,000: 250 keys of another application, 60 sessions whose expires_at has passed (TTL still running),
 * 10 malformed keys under the prefix, and 150 keys whose TTL has passed (stale, not reclaimed).
 */
async function populate(client: Redis | Cluster, scale: number, tag: string): Promise<Population> {
  const writes: Promise<unknown>[] = [];
  const flush = async () => {
    await Promise.all(writes.splice(0));
  };
  const kinds: [string, string, number][] = [
    ['phone', 'ios', 500],
    ['tablet', 'android', 300],
    ['wearable', 'android', 200],
  ];
  for (let s = 0; s < scale; s += 1) {
    for (const [deviceType, os, n] of kinds) {
      for (let i = 0; i < n; i += 1) {
        const key = `session:${idOf(`${tag}-${s}-${deviceType}-${i}`)}`;
        writes.push(client.hset(key, sessionFields({ device_type: deviceType, os, app_version: '3.1.0' }, 24 * HOUR_MS)), client.pexpire(key, 24 * HOUR_MS));
      }
    }
    for (let i = 0; i < 250; i += 1) writes.push(client.set(`other-app:${tag}:${s}:${i}`, 'x'));
    for (let i = 0; i < 60; i += 1) {
      const key = `session:${idOf(`${tag}-${s}-expired-${i}`)}`;
      writes.push(client.hset(key, sessionFields({ device_type: 'phone', os: 'ios' }, -HOUR_MS)), client.pexpire(key, HOUR_MS));
    }
    for (let i = 0; i < 10; i += 1) writes.push(client.set(`session:${idOf(`${tag}-${s}-malformed-${i}`)}`, 'not a hash'));
    for (let i = 0; i < 150; i += 1) writes.push(client.set(`stale:${tag}:${s}:${i}`, 'x', 'PX', 1));
    await flush();
  }
  return { active: 1000 * scale, byDeviceType: { phone: 500 * scale, tablet: 300 * scale, wearable: 200 * scale }, byOs: { ios: 500 * scale, android: 500 * scale }, problems: 10 * scale };
}

/** The true count lies in the interval widened ×WIDEN around the estimate (see above), and the interval is honest (narrow). */
function expectCovers(estimate: Estimate | undefined, truth: number, keyspace: number): void {
  expect(estimate).toBeDefined();
  const { value, low, high } = estimate!;
  expect(low).toBeLessThanOrEqual(value);
  expect(high).toBeGreaterThanOrEqual(value);
  const slack = (WIDEN - 1) * Math.max(value - low, high - value);
  expect(truth).toBeGreaterThanOrEqual(low - slack);
  expect(truth).toBeLessThanOrEqual(high + slack);
  expect(high - low).toBeLessThan(0.03 * keyspace);
}

function expectEstimateOf(stats: SampledStats, truth: Population, keyspace: number): void {
  expectCovers(stats.activeSessions, truth.active, keyspace);
  expectCovers(stats.problems, truth.problems, keyspace);
  for (const [name, n] of Object.entries(truth.byDeviceType)) expectCovers(stats.byDeviceType[name], n, keyspace);
  for (const [name, n] of Object.entries(truth.byOs)) expectCovers(stats.byOs[name], n, keyspace);
  // Every live session expires in 24 h: none within the hour, and the interval of a zero starts at zero.
  expect(stats.expiringWithinHour).toMatchObject({ value: 0, low: 0 });
  // The stale keys are not part of the keyspace the estimate scales to.
  expect(Math.abs(stats.keyspaceKeys - keyspace)).toBeLessThan(0.03 * keyspace);
}

describe('the sampled estimate on a real redis-server', () => {
  let server: RedisServer;
  let raw: Redis;
  let onServer: TestStore;
  let onClient: TestStore;
  let truth: Population;
  /** Live keys: everything but the stale ones. */
  let keyspace: number;
  beforeAll(async () => {
    server = await startRedis({ args: ['--enable-debug-command', 'local'] });
    raw = new Redis(server.url);
    // Keys whose TTL has passed stay in DBSIZE until something touches them, as on a busy server where
    // active expiry lags.
    await raw.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    truth = await populate(raw, 20, 'single');
    keyspace = 20 * (1000 + 250 + 60 + 10);
    onServer = await openTestStore({ url: server.url });
    onClient = await openTestStore({ url: server.url }, { walk: 'client' });
  }, 60_000);
  afterAll(async () => {
    raw?.disconnect();
    await onServer?.close();
    await onClient?.close();
    await server?.stop();
  });

  it('estimates the active sessions and every device type and OS within the 95 % interval, judged on Redis', async () => {
    const exact = await onServer.store.stats();
    expect(exact).toMatchObject({ activeSessions: truth.active, byDeviceType: truth.byDeviceType, byOs: truth.byOs, problems: truth.problems });

    const dbsize = await raw.dbsize();
    const stats = await onServer.store.estimate({ sample: 20_000 });
    expect(stats).toBeDefined();
    expect(stats!).toMatchObject({ sampled: 20_000, countedOn: 'server' });
    expectEstimateOf(stats!, truth, keyspace);
    // The draws met stale keys and Redis reclaimed them (RANDOMKEY deletes an expired key it meets).
    expect(await raw.dbsize()).toBeLessThan(dbsize);
    // Created per hour is not estimated; failed validations are Latchkey's own exact counters.
    expect(stats).not.toHaveProperty('createdPerHour');
    expect(stats!.failedValidationsPerHour).toHaveLength(24);
  });

  it('gives the same estimate where scripts are refused (drawn in a MULTI, judged on the client)', async () => {
    const stats = await onClient.store.estimate({ sample: 10_000 });
    expect(stats).toMatchObject({ sampled: 10_000, countedOn: 'client' });
    expectCovers(stats!.activeSessions, truth.active, keyspace);
    expectCovers(stats!.byDeviceType.tablet, truth.byDeviceType.tablet!, keyspace);
    expectCovers(stats!.problems, truth.problems, keyspace);
  });

  it('only samples above the threshold when asked to decide (the dashboard)', async () => {
    expect(await onServer.store.estimate({ onlyWhenLarge: true })).toBeUndefined();
    const low = await openTestStore({ url: server.url }, { sampleAboveKeys: 1_000 });
    try {
      expect(await low.store.estimate({ onlyWhenLarge: true, sample: 500 })).toMatchObject({ sampled: 500 });
    } finally {
      await low.close();
    }
  });

  it('validates what the sampling script returns and never puts a key or token in its output', async () => {
    const stats = await onServer.store.estimate({ sample: 1_000 });
    const text = JSON.stringify(stats);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).not.toContain('session:');
  });
});

describe('the sampled estimate on a real 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let raw: Cluster;
  let t: TestStore;
  let truth: Population;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    raw = new Cluster(cluster.nodes);
    truth = await populate(raw, 6, 'cluster');
    t = await openTestStore({ mode: 'cluster', nodes: cluster.nodes });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    raw?.disconnect();
    await cluster?.stop();
  });

  it('draws from every master in proportion to its keys and sums the estimates', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50)); // the stale keys' TTL (1 ms) has passed
    const stats = await t.store.estimate({ sample: 12_000 });
    expect(stats).toMatchObject({ countedOn: 'server' });
    // Each master's share is rounded, and a master's draws stop early only when it holds no live key.
    expect(Math.abs(stats!.sampled - 12_000)).toBeLessThanOrEqual(3);
    expectEstimateOf(stats!, truth, 6 * (1000 + 250 + 60 + 10));
  });
});
