import type { Redis } from 'ioredis';
import { z } from 'zod';
import { untilAborted } from '../async/until-aborted';
import { backendUnavailable } from '../errors';
import { NO_VALUE } from './analytics';
import type { SessionContext } from './context';
import { failedValidationsPerHour, type HourCount } from './failed-validations';
import { metadataText } from './queries';
import { MAX_DRAWS_PER_CALL } from './sample-scripts';
import { readSessions } from './scan';
import { withScripts } from './scripts';
import { formatIsoTimestamp } from './timestamps';

/**
 * The dashboard's numbers estimated from a random sample of keys, for keyspaces too large to walk
 * often (docs/ARCHITECTURE.md, "Session analytics"). Each master is asked for a share of the draws
 * proportional to its DBSIZE, in calls of at most MAX_DRAWS_PER_CALL draws (sample-scripts.ts), so each
 * call holds Redis for about as long as one step of the exact walk; a count is then estimated as
 * (keys of the node) × (fraction of its draws that fall in the bucket), summed over masters.
 *
 * The 95 % interval is the Wilson score interval of a binomial proportion (not the normal "Wald"
 * interval, which collapses to a width of zero for a bucket seen 0 times and undercovers for rare
 * ones), computed on the pooled fraction of all draws and scaled by the keys of all masters. With draws
 * allocated in proportion to each node's keys, the pooled fraction is the stratified estimator, whose
 * variance is at most that of one simple sample of the same size, so that part errs wide. Measured on the
 * population of test/integration/sessions/sampled-stats.test.ts (Redis 7.0, 60 samples of 20,000 keys,
 * 7 counts each), 397 of 420 intervals held the true count: 94.5 % for a nominal 95 %.
 *
 * How random RANDOMKEY is (Redis 7, db.c dbRandomKey → dict.c dictGetFairRandomKey): Redis does not
 * draw a key uniformly. It takes a run of up to 15 entries from consecutive buckets starting at a
 * random bucket (dictGetSomeKeys) and returns one of them at random; the plain "random bucket, then a
 * random element of its chain" (dictGetRandomKey) is the fallback when that run comes back empty. So a
 * key's chance still depends on where its hash falls (entries that follow empty buckets, or sit in short
 * runs, are drawn more often). That chance depends on the key name's SipHash under the server's random
 * seed, not on what the key holds, so it is not correlated with being a session, being active or having
 * a device type: no systematic error. But the table's layout is fixed while a sample is drawn, so the
 * unequal chances act like a second, smaller sample of the keyspace: measured on Redis 7.0 (10,000 keys,
 * 1,000,000 draws) the chances vary with a coefficient of variation of 0.26, which adds cv² × n / N to
 * the relative variance of n draws from N keys. That is nothing for 20,000 draws from millions of keys,
 * but dominates when the sample is larger than the keyspace; the interval therefore uses the effective
 * sample size n / (1 + cv² n / N), with cv² rounded up to RANDOMKEY_CV_SQUARED.
 *
 * Expired keys: DBSIZE counts keys whose TTL has passed but that Redis has not reclaimed yet, and
 * RANDOMKEY skips (and reclaims) them. Each call reads DBSIZE before and after its draws; the
 * difference is the stale keys its draws met, so the node's live keys are estimated as DBSIZE × drawn /
 * (drawn + reclaimed). That correction's own sampling error is left out of the interval: it is small
 * where few keys are stale, which Redis' active expiry keeps so. A session whose expires_at has passed
 * but whose TTL has not is drawn and counted as not active, as the exact walk counts it.
 *
 * What cannot be estimated honestly is not: sessions created per hour would need the hour of each
 * drawn session against a sample far too thin per hour, so the estimate has none; failed validations
 * per hour are Latchkey's own counters, read exactly (24 GETs), as on the exact dashboard.
 */
export const DEFAULT_SAMPLE = 20_000;
export const MIN_SAMPLE = 100;
export const MAX_SAMPLE = 1_000_000;
/** Above this many keys (DBSIZE over all masters) the dashboard shows the estimate first. */
export const DEFAULT_SAMPLE_ABOVE_KEYS = 2_000_000;
/** The squared coefficient of variation of RANDOMKEY's per-key chances (measured 0.26² ≈ 0.07; see above). */
const RANDOMKEY_CV_SQUARED = 0.1;
/** The 97.5th percentile of the standard normal distribution: a two-sided 95 % interval. */
const Z_95 = 1.959963984540054;
const HOUR_MS = 3_600_000;

export interface Estimate {
  value: number;
  /** The 95 % interval. */
  low: number;
  high: number;
}

export interface SampledStats {
  generatedAt: string;
  /** Keys drawn, over all masters. */
  sampled: number;
  /** Of those, keys under the prefix. */
  sampledSessionKeys: number;
  /** The live keys the estimate scales to (DBSIZE, less the share of stale keys the draws met). */
  keyspaceKeys: number;
  activeSessions: Estimate;
  expiringWithinHour: Estimate;
  problems: Estimate;
  /** Only buckets seen in the sample: a rare bucket may be missed (its count is then too small for the sample to see). */
  byDeviceType: Record<string, Estimate>;
  byOs: Record<string, Estimate>;
  byAppVersion: Record<string, Estimate>;
  /** Latchkey's own counters, exact. */
  failedValidationsPerHour: HourCount[];
  tookMs: number;
  /** 'server': drawn and judged by scripts on Redis; 'client': drawn in a MULTI and read here (scripts refused). */
  countedOn: 'server' | 'client';
}

export interface EstimateOptions {
  /** Keys to draw over all masters (default DEFAULT_SAMPLE). */
  sample?: number;
  hours?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { sampled: number; target: number }) => void;
}

/** One call's draws on one node. */
interface Draws {
  before: number;
  after: number;
  drawn: number;
  underPrefix: number;
  live: number;
  unusable: number;
  expiring: number;
  groups: [Map<string, number>, Map<string, number>, Map<string, number>];
}

/** One node's draws added up; `liveKeysWeighted` is Σ (each call's live-key estimate × its draws). */
interface NodeTally extends Omit<Draws, 'before' | 'after'> {
  liveKeysWeighted: number;
}

export function wilsonInterval(successes: number, trials: number, z = Z_95): { low: number; high: number } {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export async function estimateSessionStats(ctx: SessionContext, options: EstimateOptions = {}): Promise<SampledStats> {
  const started = performance.now();
  const target = Math.min(MAX_SAMPLE, Math.max(MIN_SAMPLE, Math.floor(options.sample ?? DEFAULT_SAMPLE)));
  const nowMs = ctx.now().getTime();
  let nodes: Redis[];
  let sizes: number[];
  try {
    nodes = await ctx.redis.masters();
    sizes = await Promise.all(nodes.map((node) => node.dbsize()));
  } catch (error) {
    throw ctx.redis.failure(error);
  }
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let sampled = 0;
  let countedOnServer = true;

  const tallies = await Promise.all(
    nodes.map(async (node, i) => {
      const tally: NodeTally = { drawn: 0, underPrefix: 0, live: 0, unusable: 0, expiring: 0, groups: [new Map(), new Map(), new Map()], liveKeysWeighted: 0 };
      // Proportional allocation (see above); a node with keys gets at least one call's worth of chance.
      let left = total === 0 ? 0 : sizes[i]! === 0 ? 0 : Math.max(1, Math.round((target * sizes[i]!) / total));
      while (left > 0) {
        const draws = Math.min(MAX_DRAWS_PER_CALL, left);
        const step = await untilAborted(drawOnce(ctx, node, draws, nowMs), options.signal, 'Estimating the sessions was cancelled.');
        if (!step.onServer) countedOnServer = false;
        if (step.draws.drawn === 0) break; // the node holds no live key
        addDraws(tally, step.draws);
        left -= draws;
        sampled += step.draws.drawn;
        options.onProgress?.({ sampled, target });
      }
      return tally;
    }),
  );

  const liveKeys = tallies.map((tally) => (tally.drawn === 0 ? 0 : tally.liveKeysWeighted / tally.drawn));
  const keyspaceKeys = liveKeys.reduce((sum, keys) => sum + keys, 0);
  const drawn = tallies.reduce((sum, tally) => sum + tally.drawn, 0);
  const effectiveDraws = drawn / (1 + (RANDOMKEY_CV_SQUARED * drawn) / Math.max(1, keyspaceKeys));
  /** Σ over nodes of (node's live keys × fraction of its draws in the bucket), with its interval. */
  const estimate = (countOf: (tally: NodeTally) => number): Estimate => {
    const value = tallies.reduce((sum, tally, i) => sum + (tally.drawn === 0 ? 0 : (liveKeys[i]! * countOf(tally)) / tally.drawn), 0);
    if (keyspaceKeys === 0) return { value: 0, low: 0, high: 0 };
    const { low, high } = wilsonInterval((value / keyspaceKeys) * effectiveDraws, effectiveDraws);
    return { value: Math.round(value), low: Math.floor(low * keyspaceKeys), high: Math.ceil(high * keyspaceKeys) };
  };
  const byGroup = (g: number): Record<string, Estimate> => {
    const names = new Set(tallies.flatMap((tally) => [...tally.groups[g]!.keys()]));
    return Object.fromEntries([...names].map((name) => [name, estimate((tally) => tally.groups[g]!.get(name) ?? 0)]));
  };

  return {
    generatedAt: new Date(nowMs).toISOString(),
    sampled: drawn,
    sampledSessionKeys: tallies.reduce((sum, tally) => sum + tally.underPrefix, 0),
    keyspaceKeys: Math.round(keyspaceKeys),
    activeSessions: estimate((tally) => tally.live),
    expiringWithinHour: estimate((tally) => tally.expiring),
    problems: estimate((tally) => tally.unusable),
    byDeviceType: byGroup(0),
    byOs: byGroup(1),
    byAppVersion: byGroup(2),
    failedValidationsPerHour: await failedValidationsPerHour(ctx, options.hours ?? 24),
    tookMs: Math.round(performance.now() - started),
    countedOn: countedOnServer ? 'server' : 'client',
  };
}

function addDraws(tally: NodeTally, draws: Draws): void {
  const reclaimed = Math.max(0, draws.before - draws.after);
  tally.liveKeysWeighted += ((draws.before * draws.drawn) / (draws.drawn + reclaimed)) * draws.drawn;
  tally.drawn += draws.drawn;
  tally.underPrefix += draws.underPrefix;
  tally.live += draws.live;
  tally.unusable += draws.unusable;
  tally.expiring += draws.expiring;
  draws.groups.forEach((group, g) => {
    for (const [name, n] of group) tally.groups[g]!.set(name, (tally.groups[g]!.get(name) ?? 0) + n);
  });
}

const count = z.number().int().nonnegative();
/** {name, n, name, n, …}: names are metadata values written by others, checked like any foreign data. */
const flatCounts = z
  .array(z.union([z.string(), z.number()]))
  .refine((flat) => flat.length % 2 === 0 && flat.every((item, i) => (i % 2 === 0 ? typeof item === 'string' : Number.isInteger(item) && (item as number) >= 0)));
const replySchema = z.tuple([count, count, count, count, count, count, count, flatCounts, flatCounts, flatCounts]);

async function drawOnce(ctx: SessionContext, node: Redis, draws: number, nowMs: number): Promise<{ draws: Draws; onServer: boolean }> {
  const scripted = async () => {
    const reply = await withScripts(node).latchkeySampleStats(String(draws), ctx.keys.prefix, String(nowMs), formatIsoTimestamp(nowMs * 1000), formatIsoTimestamp((nowMs + HOUR_MS) * 1000));
    const parsed = replySchema.safeParse(reply);
    if (!parsed.success) throw backendUnavailable('The session server answered the sampling script in an unexpected form. Use the exact count instead.');
    const [before, after, drawn, underPrefix, live, unusable, expiring, ...flats] = parsed.data;
    const groups = flats.map((flat) => {
      const group = new Map<string, number>();
      for (let i = 0; i + 1 < flat.length; i += 2) group.set(String(flat[i]), Number(flat[i + 1]));
      return group;
    }) as Draws['groups'];
    return { draws: { before, after, drawn, underPrefix, live, unusable, expiring, groups }, onServer: true };
  };
  const plain = async () => ({ draws: await drawOnClient(ctx, node, draws, nowMs), onServer: false });
  try {
    return await ctx.withScriptFallback(scripted, plain);
  } catch (error) {
    throw ctx.redis.failure(error);
  }
}

/**
 * Where scripts are refused: the draws in one MULTI (atomic, so the two DBSIZEs bracket only them),
 * then the drawn session keys read and judged here as the walk's client side judges them (scan.ts).
 */
async function drawOnClient(ctx: SessionContext, node: Redis, draws: number, nowMs: number): Promise<Draws> {
  const multi = node.multi().dbsize();
  for (let i = 0; i < draws; i += 1) multi.randomkey();
  multi.dbsize();
  const replies = (await multi.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  const values = replies.map(([, value]) => value);
  const before = count.parse(values[0]);
  const after = count.parse(values.at(-1));
  const keys = values.slice(1, -1).filter((key): key is string => typeof key === 'string');
  const underPrefix = keys.filter((key) => key.startsWith(ctx.keys.prefix));
  const read = await readSessions(ctx, underPrefix);
  const groups: Draws['groups'] = [new Map(), new Map(), new Map()];
  let expiring = 0;
  for (const session of read.sessions) {
    const names = [session.metadata.device_type, session.metadata.os, session.metadata.app_version].map((value) => metadataText(value) ?? NO_VALUE);
    names.forEach((name, g) => groups[g]!.set(name, (groups[g]!.get(name) ?? 0) + 1));
    if (session.expiresAtMicros / 1000 - nowMs <= HOUR_MS) expiring += 1;
  }
  return { before, after, drawn: keys.length, underPrefix: underPrefix.length, live: read.sessions.length, unusable: read.problems.length, expiring, groups };
}
