import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../electron/core/log';
import { openSessionRedis, type SessionServerInput, type SessionRedis } from '../electron/core/sessions/connection';
import { SessionStore } from '../electron/core/sessions/store';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../test/harness/redis';
import { seedCreateSession, seedRevokeOwner } from '../test/harness/seed-session-server';
import { floorWalk } from './baselines/floor-walk';
import { pipelinedRevokeOwner, seedRevokeWhere } from './baselines/pipelined-walk';
import { load, redisCpuMs } from './support/session-load';

/**
 * Session administration at 1,000,000 sessions written by the API server — no index (set
 * LATCHKEY_BENCH_SESSIONS to change the number; LATCHKEY_BENCH_CLUSTER=0 skips the Cluster part). All
 * measured in one run against real redis-servers, printed as times and ratios:
 *
 *   - revoke-device (the lost-device flow, confirm → done) and revoke by a metadata filter, through
 *     the server-side walk (a Lua script per SCAN step) vs the walk before it (bench/baselines: SCAN +
 *     a field check per batch + per-key revoke) vs the client-side walk (what an ACL user without
 *     +@scripting gets) vs the seed server's algorithm (SCAN without COUNT, HGETALL and DEL per key);
 *     the longest single Redis call of each (Redis' own SLOWLOG, and as the client saw it);
 *   - the floor: a walk that only SCANs and reads one field per key (bench/baselines/floor-walk.ts), and
 *     so the most any walk that reads each session could beat the seed by on this machine;
 *   - the lost-device flow through Latchkey's index;
 *   - validate throughput against a raw HGETALL loop on the same client, at 1 and 64 in flight;
 *   - the Redis CPU time one dashboard refresh costs (INFO cpu before and after), counted on the
 *     server vs read and counted on the client;
 *   - the same on a 3-master Redis Cluster.
 *
 * Asserts only that each path revoked the right sessions, never on time.
 */
const SESSIONS = Number(process.env.LATCHKEY_BENCH_SESSIONS ?? 1_000_000);
const WITH_CLUSTER = process.env.LATCHKEY_BENCH_CLUSTER !== '0';
const TOKENS_KEPT = 10_000; // sessions whose token we keep, for the validate benchmark
const SERVER_RUNS = 3;
const INDEX_RUNS = 30;
const VALIDATE_ROUNDS = 7;
/** Each loop goes over the kept tokens this many times: a loop of a fraction of a second mostly measures the scheduler. */
const VALIDATE_PASSES = 3;
const FILTER_MATCHES = 100;

// Warnings and errors go to stderr: a failure's cause (a Redis reply Latchkey did not expect) is logged, not thrown.
const logger = createLogger({ level: 'warn' });
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}x`;

/**
 * Redis' SLOWLOG of every call of at least SLOWLOG_FLOOR_US from here on, read by `longest()`: the
 * longest a single call held the server (0 when none took that long). Not every call: logging each
 * one, the commands a script runs included, slows the server-side walk by about a fifth.
 */
const SLOWLOG_FLOOR_US = 1000;
async function slowlog(nodes: Redis[]): Promise<{ longest(): Promise<number> }> {
  for (const node of nodes) {
    await node.config('SET', 'slowlog-log-slower-than', String(SLOWLOG_FLOOR_US));
    await node.config('SET', 'slowlog-max-len', '10000');
    await node.call('SLOWLOG', 'RESET');
  }
  return {
    async longest() {
      let max = 0;
      for (const node of nodes) {
        const entries = (await node.call('SLOWLOG', 'GET', '10000')) as [number, number, number, string[]][];
        for (const entry of entries) {
          // Our own SLOWLOG and CONFIG calls are not part of the walk.
          if (!['slowlog', 'config', 'info'].includes(String(entry[3]?.[0]).toLowerCase())) max = Math.max(max, entry[2]);
        }
        await node.call('SLOWLOG', 'RESET');
      }
      return max / 1000;
    },
  };
}

interface Setup {
  plain: Redis | Cluster;
  nodes: Redis[];
  /** The connection of `onServer`: validate's raw-HGETALL baseline runs on the same client. */
  serverRedis: SessionRedis;
  onServer: SessionStore;
  onClient: SessionStore;
  close(): Promise<void>;
}

async function stores(connection: SessionServerInput, plain: Redis | Cluster, nodes: Redis[]): Promise<Setup> {
  const opened: SessionRedis[] = [];
  const open = async () => {
    const redis = await openSessionRedis({ ...connection, commandTimeoutMs: 600_000 }, { logger });
    opened.push(redis);
    return redis;
  };
  const serverRedis = await open();
  const onServer = new SessionStore({ redis: serverRedis, logger, walk: 'server' });
  const onClient = new SessionStore({ redis: await open(), logger, walk: 'client' });
  return {
    plain,
    nodes,
    serverRedis,
    onServer,
    onClient,
    async close() {
      await Promise.all(opened.map((redis) => redis.close()));
      plain.disconnect();
      nodes.forEach((node) => node.disconnect());
    },
  };
}

interface Row {
  what: string;
  time: number;
  longest?: number;
  seenLongest?: number;
}

async function timed(setup: Setup, what: string, expected: number, runs: number, plant: () => Promise<void>, revoke: () => Promise<{ revoked: number; longestCallMs?: number }>): Promise<Row> {
  const times: number[] = [];
  const longest: number[] = [];
  const seen: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    await plant();
    const log = await slowlog(setup.nodes);
    const started = performance.now();
    const result = await revoke();
    times.push(performance.now() - started);
    longest.push(await log.longest());
    if (result.longestCallMs !== undefined) seen.push(result.longestCallMs);
    expect(result.revoked).toBe(expected);
  }
  return { what, time: median(times), longest: Math.max(...longest), ...(seen.length === 0 ? {} : { seenLongest: Math.max(...seen) }) };
}

async function revocations(setup: Setup, options: { seed: boolean }): Promise<Row[]> {
  const rows: Row[] = [];
  const plantDevice = (device: string) => async () => {
    for (let i = 0; i < 4; i += 1) await seedCreateSession(setup.plain, { userId: `bench-user-${i}`, deviceId: device, metadata: { device_type: 'wearable' } });
  };
  const device = () => `bench-device-${randomBytes(4).toString('hex')}`;
  let current = '';
  const next = (plant: (d: string) => () => Promise<void>) => async () => {
    current = device();
    await plant(current)();
  };
  rows.push(await timed(setup, 'revoke-device (4 sessions): server-side walk', 4, SERVER_RUNS, next(plantDevice), async () => setup.onServer.revokeDevice(current)));
  rows.push(await timed(setup, 'revoke-device (4 sessions): the walk before (SCAN + field check per batch)', 4, 1, next(plantDevice), async () => ({ revoked: await pipelinedRevokeOwner(setup.plain, 'device_id', current) })));
  rows.push(await timed(setup, 'revoke-device (4 sessions): client-side walk (no +@scripting)', 4, 1, next(plantDevice), async () => setup.onClient.revokeDevice(current)));
  if (options.seed) rows.push(await timed(setup, "revoke-device (4 sessions): the seed's algorithm", 4, 1, next(plantDevice), async () => ({ revoked: await seedRevokeOwner(setup.plain as Redis, 'device_id', current) })));

  const plantVersion = (version: string) => async () => {
    for (let i = 0; i < FILTER_MATCHES; i += 1) await seedCreateSession(setup.plain, { userId: `u-${i}`, deviceId: `d-${i}`, metadata: { app_version: version } });
  };
  const filter = (version: string) => ({ metadata: { app_version: version } });
  rows.push(await timed(setup, `revoke --where app_version (${FILTER_MATCHES} sessions): server-side walk`, FILTER_MATCHES, SERVER_RUNS, next(plantVersion), async () => setup.onServer.revokeMatching(filter(current))));
  rows.push(await timed(setup, `revoke --where app_version (${FILTER_MATCHES} sessions): client-side walk (the pipelined walk)`, FILTER_MATCHES, 1, next(plantVersion), async () => setup.onClient.revokeMatching(filter(current))));
  if (options.seed) rows.push(await timed(setup, `revoke --where app_version (${FILTER_MATCHES} sessions): the seed's algorithm`, FILTER_MATCHES, 1, next(plantVersion), async () => ({ revoked: await seedRevokeWhere(setup.plain as Redis, 'app_version', current) })));
  return rows;
}

function printRevocations(title: string, rows: Row[]): void {
  const server = (prefix: string) => rows.find((row) => row.what.startsWith(prefix) && row.what.endsWith('server-side walk'))!;
  console.info(`\n[bench] ${title} (server-side: median of ${SERVER_RUNS} runs; others: 1 run). Longest call: Redis' SLOWLOG (calls of 1 ms or more) / as the client saw it`);
  console.info('[bench] | operation | time | server-side walk is … faster | longest single call |');
  console.info('[bench] |---|---|---|---|');
  for (const row of rows) {
    const base = server(row.what.split(':')[0]!);
    const longest = `${row.longest === undefined ? '—' : row.longest === 0 ? `< ${fmt(SLOWLOG_FLOOR_US / 1000)}` : fmt(row.longest)}${row.seenLongest === undefined ? '' : ` / ${fmt(row.seenLongest)}`}`;
    console.info(`[bench] | ${row.what} | ${fmt(row.time)} | ${row === base ? '—' : ratio(row.time, base.time)} | ${longest} |`);
  }
}

async function dashboardCpu(setup: Setup): Promise<void> {
  const measure = async (store: SessionStore) => {
    const before = await redisCpuMs(setup.nodes);
    const started = performance.now();
    const stats = await store.stats({ hours: 24 });
    const took = performance.now() - started;
    const cpu = (await redisCpuMs(setup.nodes)) - before;
    expect(stats.activeSessions).toBeGreaterThanOrEqual(SESSIONS);
    return { cpu, took, longest: stats.longestCallMs };
  };
  const client = await measure(setup.onClient);
  const server = await measure(setup.onServer);
  console.info(`\n[bench] one dashboard refresh over ${SESSIONS.toLocaleString('en')} sessions: Redis CPU (main thread, INFO cpu before and after)`);
  console.info('[bench] | counted | Redis CPU | wall time | longest call (client-seen) |');
  console.info('[bench] |---|---|---|---|');
  console.info(`[bench] | read and counted on the client (before) | ${fmt(client.cpu)} | ${fmt(client.took)} | ${fmt(client.longest)} |`);
  console.info(`[bench] | counted on the server (Lua, counts only) | ${fmt(server.cpu)} | ${fmt(server.took)} | ${fmt(server.longest)} |`);
  console.info(`[bench] server-side counting: ${ratio(client.cpu, server.cpu)} less Redis CPU, ${ratio(client.took, server.took)} faster; refreshes are then spaced 20x the walk (${fmt(Math.max(30_000, server.took * 20))} here), one walk per session server for all admins`);
}

describe(`session administration at ${SESSIONS.toLocaleString('en')} index-less sessions, one redis-server`, () => {
  let server: RedisServer;
  let setup: Setup;
  let tokens: string[];

  beforeAll(async () => {
    server = await startRedis();
    const started = performance.now();
    tokens = await load([server.port], () => 0, { sessions: SESSIONS, tokensKept: TOKENS_KEPT });
    const plain = new Redis(server.url);
    setup = await stores({ url: server.url }, plain, [new Redis(server.url)]);
    console.info(`[bench] loaded ${SESSIONS.toLocaleString('en')} sessions (${(await plain.dbsize()).toLocaleString('en')} keys, no index) in ${fmt(performance.now() - started)}`);
  });
  afterAll(async () => {
    await setup?.close();
    await server?.stop();
  });

  it('revoke-device and revoke by filter: server-side walk vs the walk before vs the client-side walk vs the seed', async () => {
    const rows = await revocations(setup, { seed: true });
    printRevocations(`revocation at ${SESSIONS.toLocaleString('en')} index-less sessions, one redis-server`, rows);
    // What no walk that reads each session can beat here: SCAN and one HGET per key, nothing else. Redis
    // on this VM drifts by a fifth over minutes, so the floor is measured alternately with the walk.
    const floor: number[] = [];
    const walk: number[] = [];
    for (let run = 0; run < SERVER_RUNS; run += 1) {
      let started = performance.now();
      await floorWalk(setup.plain as Redis);
      floor.push(performance.now() - started);
      const lost = `floor-device-${run}`;
      for (let i = 0; i < 4; i += 1) await seedCreateSession(setup.plain, { userId: `floor-user-${i}`, deviceId: lost });
      started = performance.now();
      expect((await setup.onServer.revokeDevice(lost)).revoked).toBe(4);
      walk.push(performance.now() - started);
    }
    const seed = rows.find((row) => row.what.startsWith('revoke-device') && row.what.endsWith("the seed's algorithm"))!;
    console.info(
      `[bench] the floor on this machine: SCAN and one HGET per key, one script per step and nothing else, ${fmt(median(floor))}, ` +
        `against ${fmt(median(walk))} for revoke-device through the server-side walk in alternate runs (median of ${SERVER_RUNS} each); ` +
        `no walk that reads each session can be more than ${ratio(seed.time, median(floor))} faster than the seed's revoke-device (${fmt(seed.time)}) here`,
    );
  });

  it('the lost-device flow (confirm → done): index-less through the server-side walk, and indexed', async () => {
    const indexed: number[] = [];
    for (let run = 0; run < INDEX_RUNS; run += 1) {
      const device = `indexed-${run}-${randomBytes(4).toString('hex')}`;
      for (let i = 0; i < 4; i += 1) await setup.onServer.create({ userId: `u${i}`, deviceId: device });
      const started = performance.now();
      expect((await setup.onServer.revokeDevice(device, { strategy: 'index' })).revoked).toBe(4);
      indexed.push(performance.now() - started);
    }
    const unindexed: number[] = [];
    for (let run = 0; run < SERVER_RUNS; run += 1) {
      const device = `lost-${run}-${randomBytes(4).toString('hex')}`;
      for (let i = 0; i < 4; i += 1) await seedCreateSession(setup.plain, { userId: `u${i}`, deviceId: device });
      const started = performance.now();
      expect((await setup.onServer.revokeDevice(device)).revoked).toBe(4);
      unindexed.push(performance.now() - started);
    }
    console.info(`\n[bench] lost-device flow at ${SESSIONS.toLocaleString('en')} sessions (revokeDevice, confirm → done): index + server-side walk (the default) ${fmt(median(unindexed))} (median of ${SERVER_RUNS}; goal < 5 s); indexed, --index-only ${fmt(median(indexed))} (median of ${INDEX_RUNS}; goal < 1 s)`);
  });

  it('validate throughput vs a raw HGETALL loop on the same client', async () => {
    const client = await setup.serverRedis.ready();
    const keys = tokens.map((token) => `session:${createHash('sha256').update(token).digest('hex')}`);
    const rounds: [string, number, number][] = [];
    for (const concurrency of [1, 64]) {
      const run = async (work: (i: number) => Promise<unknown>) => {
        const started = performance.now();
        const total = tokens.length * VALIDATE_PASSES;
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < total) await work(next++ % tokens.length);
          }),
        );
        return total / ((performance.now() - started) / 1000);
      };
      // Alternate the two loops and keep the median of each: the machine is shared, so one long run
      // of each would mostly measure what else happened to run at the time.
      const raw: number[] = [];
      const validate: number[] = [];
      for (let round = 0; round < VALIDATE_ROUNDS; round += 1) {
        raw.push(await run((i) => client.hgetall(keys[i]!)));
        let valid = 0;
        validate.push(
          await run(async (i) => {
            if ((await setup.onServer.validate(tokens[i]!)).valid) valid += 1;
          }),
        );
        expect(valid).toBe(tokens.length * VALIDATE_PASSES);
      }
      rounds.push([`${concurrency} in flight`, median(raw), median(validate)]);
    }
    console.info(`\n[bench] validate vs raw HGETALL, ${(tokens.length * VALIDATE_PASSES).toLocaleString('en')} calls per loop (${tokens.length.toLocaleString('en')} tokens, ${VALIDATE_PASSES} passes), median of ${VALIDATE_ROUNDS} alternating rounds`);
    console.info('[bench] | concurrency | raw HGETALL/s | validate/s | validate / raw |');
    console.info('[bench] |---|---|---|---|');
    for (const [name, raw, validate] of rounds) {
      console.info(`[bench] | ${name} | ${Math.round(raw).toLocaleString('en')} | ${Math.round(validate).toLocaleString('en')} | ${(validate / raw).toFixed(2)} |`);
    }
  });

  it('the Redis CPU time of one dashboard refresh', async () => {
    await dashboardCpu(setup);
  });
});

describe.runIf(WITH_CLUSTER)(`session administration at ${SESSIONS.toLocaleString('en')} index-less sessions, a 3-master Redis Cluster`, () => {
  let cluster: RedisCluster;
  let setup: Setup;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    const probe = new Cluster(cluster.nodes);
    const slots = (await probe.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    probe.disconnect();
    const owner = (slot: number) => cluster.ports.indexOf(slots.find(([from, to]) => slot >= from && slot <= to)![2][1]);
    const started = performance.now();
    await load(cluster.ports, owner, { sessions: SESSIONS, tokensKept: TOKENS_KEPT });
    const plain = new Cluster(cluster.nodes, { enableAutoPipelining: true });
    await plain.cluster('INFO');
    setup = await stores({ mode: 'cluster', nodes: cluster.nodes }, plain, cluster.ports.map((port) => new Redis(port, '127.0.0.1')));
    console.info(`[bench] loaded ${SESSIONS.toLocaleString('en')} sessions into a 3-master cluster in ${fmt(performance.now() - started)}`);
  });
  afterAll(async () => {
    await setup?.close();
    await cluster?.stop();
  });

  it('revoke-device and revoke by filter on a Cluster: server-side walk (masters in parallel) vs the walk before vs the client-side walk', async () => {
    printRevocations(`revocation at ${SESSIONS.toLocaleString('en')} index-less sessions, 3-master Redis Cluster`, await revocations(setup, { seed: false }));
  });

  it('the Redis CPU time of one dashboard refresh on a Cluster', async () => {
    await dashboardCpu(setup);
  });
});
