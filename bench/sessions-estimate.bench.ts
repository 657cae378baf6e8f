import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../electron/core/log';
import { openSessionRedis, type SessionRedis } from '../electron/core/sessions/connection';
import { SessionStore } from '../electron/core/sessions/store';
import { startRedis, type RedisServer } from '../test/harness/redis';
import { load, redisCpuMs } from './support/session-load';

/**
 * What one dashboard refresh costs a production Redis at 1,000,000 sessions (LATCHKEY_BENCH_SESSIONS to
 * change), exact vs sampled, in one run on one real redis-server: Redis' own CPU time (INFO cpu, main
 * thread, before and after) and the wall time, as ratios; and how far the estimate landed from the true
 * count, next to the interval it gave. Asserts only the counts, never a time.
 */
const SESSIONS = Number(process.env.LATCHKEY_BENCH_SESSIONS ?? 1_000_000);
const SAMPLE = 20_000;
const SAMPLED_RUNS = 5;
const logger = createLogger({ sink: () => undefined });
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe(`a dashboard refresh at ${SESSIONS.toLocaleString('en')} sessions: exact walk vs sampled estimate`, () => {
  let server: RedisServer;
  let node: Redis;
  let redis: SessionRedis;
  let store: SessionStore;
  beforeAll(async () => {
    server = await startRedis();
    await load([server.port], () => 0, { sessions: SESSIONS, tokensKept: 0 });
    node = new Redis(server.port, '127.0.0.1');
    redis = await openSessionRedis({ url: server.url, commandTimeoutMs: 600_000 }, { logger });
    store = new SessionStore({ redis, logger });
  }, 600_000);
  afterAll(async () => {
    node?.disconnect();
    await redis?.close();
    await server?.stop();
  });

  it('prints Redis CPU and wall time per refresh, and the estimate against the true count', async () => {
    const measure = async <T>(work: () => Promise<T>) => {
      const cpuBefore = await redisCpuMs([node]);
      const started = performance.now();
      const value = await work();
      return { value, wallMs: performance.now() - started, cpuMs: (await redisCpuMs([node])) - cpuBefore };
    };
    const exact = await measure(() => store.stats());
    expect(exact.value.activeSessions).toBe(SESSIONS);

    const sampled = [];
    for (let run = 0; run < SAMPLED_RUNS; run += 1) sampled.push(await measure(async () => (await store.estimate({ sample: SAMPLE }))!));
    const cpu = median(sampled.map((run) => run.cpuMs));
    const wall = median(sampled.map((run) => run.wallMs));
    // Every key is a session, so the active count is estimated as exactly DBSIZE; a device type (a third
    // of the sessions, bench/support/session-load.ts) is where the sampling error shows.
    const wearables = exact.value.byDeviceType.wearable!;
    const errors = sampled.map((run) => (run.value.byDeviceType.wearable!.value - wearables) / wearables);
    const halfWidths = sampled.map((run) => (run.value.byDeviceType.wearable!.high - run.value.byDeviceType.wearable!.low) / 2 / wearables);
    // The true counts within the interval widened ×2 (see test/integration/sessions/sampled-stats.test.ts).
    for (const run of sampled) {
      for (const [estimate, truth] of [[run.value.activeSessions, SESSIONS], [run.value.byDeviceType.wearable!, wearables]] as const) {
        expect(truth).toBeGreaterThanOrEqual(estimate.low - (estimate.value - estimate.low));
        expect(truth).toBeLessThanOrEqual(estimate.high + (estimate.high - estimate.value));
      }
    }

    const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
    console.info(`\n[bench] dashboard refresh at ${SESSIONS.toLocaleString('en')} sessions: exact walk vs a sample of ${SAMPLE.toLocaleString('en')} keys (median of ${SAMPLED_RUNS})`);
    console.info('[bench] | refresh | Redis CPU | wall | Redis CPU vs exact |');
    console.info('[bench] |---|---|---|---|');
    console.info(`[bench] | exact (server-side walk) | ${fmt(exact.cpuMs)} | ${fmt(exact.wallMs)} | 1 |`);
    console.info(`[bench] | sampled | ${fmt(cpu)} | ${fmt(wall)} | 1/${Math.round(exact.cpuMs / Math.max(cpu, 0.001))} |`);
    console.info(`[bench] estimate of the wearable sessions (${wearables.toLocaleString('en')}), error per run: ${errors.map(pct).join(', ')}; the interval's half-width: ${halfWidths.map(pct).join(', ')}`);
  });
});
