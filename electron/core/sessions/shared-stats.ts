import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { cancelled } from '../errors';
import { collectSessionStats, type SessionStats } from './analytics';
import type { SessionContext } from './context';
import { failedValidationsPerHour, type HourCount } from './failed-validations';
import type { ScanProgress } from './scan';

/**
 * The dashboard without hammering a production Redis. A refresh walks the whole keyspace, so:
 *
 * - One walk per session server at a time, whoever asks. Callers in this process (two windows, a
 *   window and a handler) join the walk that is running. Other processes (another admin's app, the CLI)
 *   see a lease in Redis (`latchkey:<prefix>stats:walk`, SET NX with an expiry, renewed while the walk
 *   runs) and wait for its result instead of starting their own.
 * - The result is kept in Redis (`latchkey:<prefix>stats:last`) with when it was computed and how long
 *   the walk took, so every admin's dashboard reads the same counts.
 * - How often a walk may run adapts to how long one takes: the next refresh is due `REFRESH_FACTOR`
 *   times the walk's duration after it (at least 30 s, at most 30 min) — a walk of 25 s is refreshed
 *   about every 8 min, so the dashboards together keep Redis walking about 5 % of the time at most.
 *
 * Where the ACL user may not write Latchkey's keys, the lease and the shared result are skipped (and
 * logged); walks are then shared within this process only.
 *
 * Counts of sessions created per hour are kept for the last MAX_HOURS hours and cut to what is asked;
 * failed validations are read fresh every time (24 GETs).
 */
export const MAX_HOURS = 168;
export const REFRESH_FACTOR = 20;
const MIN_INTERVAL_MS = 30_000;
const MAX_INTERVAL_MS = 30 * 60_000;
const KEEP_RESULT_MS = 24 * 3_600_000;
const POLL_MS = 250;

export interface SharedStats extends SessionStats {
  /** When the walk behind these counts finished (ISO 8601). */
  computedAt: string;
  /** When a refresh is due (computedAt + an interval that grows with tookMs). */
  nextRefreshAt: string;
  /** True when another caller's walk (in this process or another Latchkey) produced the counts. */
  shared: boolean;
}

export interface SharedStatsOptions {
  hours?: number;
  /**
   * 'due': reuse the last counts until their refresh is due (the dashboard's timer); 'now' (the default):
   * walk unless a walk is running, whose result is then used (a person asked); `maxAgeMs`: reuse counts
   * at most that old (the CLI's --max-age).
   */
  reuse?: 'due' | 'now' | { maxAgeMs: number };
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /** While waiting for another Latchkey's walk. */
  onWaiting?: () => void;
}

const hourCount = z.object({ hour: z.string(), count: z.number().int().nonnegative() });
const counts = z.record(z.string(), z.number().int().nonnegative());
/** What another Latchkey left in Redis: checked like any other foreign data. */
const storedSchema = z.object({
  v: z.literal(1),
  computedAt: z.iso.datetime(),
  stats: z.object({
    generatedAt: z.iso.datetime(),
    activeSessions: z.number().int().nonnegative(),
    problems: z.number().int().nonnegative(),
    byDeviceType: counts,
    byOs: counts,
    byAppVersion: counts,
    createdPerHour: z.array(hourCount).max(MAX_HOURS),
    expiringWithinHour: z.number().int().nonnegative(),
    scannedKeys: z.number().int().nonnegative(),
    tookMs: z.number().nonnegative(),
    longestCallMs: z.number().nonnegative(),
    countedOn: z.enum(['server', 'client']),
  }),
});
type Stored = z.infer<typeof storedSchema>;

export function refreshIntervalMs(tookMs: number): number {
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, tookMs * REFRESH_FACTOR));
}

/** One per store: the walk running in this process, if any. */
export function createSharedStats(ctx: SessionContext) {
  interface Walk {
    promise: Promise<{ stored: Stored; shared: boolean }>;
    controller: AbortController;
    waiters: number;
    /** Every waiting caller's progress and waiting callbacks: all of them see the one walk. */
    listeners: Set<Pick<SharedStatsOptions, 'onProgress' | 'onWaiting'>>;
  }
  let running: Walk | undefined;
  let sharedInRedis = true;

  const readStored = async (): Promise<Stored | undefined> => {
    if (!sharedInRedis) return undefined;
    try {
      const text = await (await ctx.client()).get(ctx.keys.statsResult());
      if (text === null) return undefined;
      const parsed = storedSchema.safeParse(JSON.parse(text));
      if (!parsed.success) ctx.logger.warn('ignored the shared dashboard counts in Redis: they are not in the expected form');
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      ctx.logger.debug('could not read the shared dashboard counts', { error });
      return undefined;
    }
  };

  /** Tries to take the lease; undefined when another Latchkey holds it. Where leases cannot be written, always "taken". */
  const takeLease = async (leaseMs: number): Promise<{ renew(): void; release(): Promise<void> } | undefined> => {
    const owner = randomBytes(12).toString('hex');
    const key = ctx.keys.statsLease();
    const client = await ctx.client();
    const unshared = { renew: () => undefined, release: async () => undefined };
    if (!sharedInRedis) return unshared;
    try {
      if ((await client.set(key, owner, 'PX', leaseMs, 'NX')) === null) return undefined;
    } catch (error) {
      sharedInRedis = false;
      ctx.logger.warn("could not take the dashboard's walk lease in Redis (the ACL user may not write latchkey:* keys); dashboard walks are shared within this app only", { error });
      return unshared;
    }
    let renewedAt = Date.now();
    return {
      renew() {
        if (Date.now() - renewedAt < leaseMs / 3) return;
        renewedAt = Date.now();
        client.pexpire(key, leaseMs).catch((error: unknown) => ctx.logger.debug('could not renew the dashboard walk lease', { error }));
      },
      async release() {
        try {
          if ((await client.get(key)) === owner) await client.del(key);
        } catch (error) {
          ctx.logger.debug('could not release the dashboard walk lease (it expires by itself)', { error });
        }
      },
    };
  };

  /** Walks (with the lease) and stores the result; or, when another Latchkey walks, waits for its result. */
  const walkOrWait = async (signal: AbortSignal, onProgress: (progress: ScanProgress) => void, onWaiting: () => void, last: Stored | undefined): Promise<{ stored: Stored; shared: boolean }> => {
    const leaseMs = Math.max(60_000, 3 * (last?.stats.tookMs ?? 0));
    for (;;) {
      const lease = await takeLease(leaseMs);
      if (lease !== undefined) {
        try {
          const stats = await collectSessionStats(ctx, { hours: MAX_HOURS, signal, onProgress: (progress) => {
              lease.renew();
              onProgress(progress);
            } });
          const { failedValidationsPerHour: _fresh, ...kept } = stats;
          const stored: Stored = { v: 1, computedAt: ctx.now().toISOString(), stats: kept };
          if (sharedInRedis) {
            await (await ctx.client())
              .set(ctx.keys.statsResult(), JSON.stringify(stored), 'PX', KEEP_RESULT_MS)
              .catch((error: unknown) => ctx.logger.warn('could not share the dashboard counts in Redis', { error }));
          }
          return { stored, shared: false };
        } finally {
          await lease.release();
        }
      }
      // Another Latchkey is walking: wait for a result newer than the one we had, or for its lease to go.
      onWaiting();
      const since = last?.computedAt ?? '';
      for (;;) {
        if (signal.aborted) throw cancelled('Counting sessions was cancelled.');
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        const stored = await readStored();
        if (stored !== undefined && stored.computedAt > since) return { stored, shared: true };
        const held = await (await ctx.client()).exists(ctx.keys.statsLease()).catch(() => 0);
        if (held === 0) break; // its walk ended without a result (cancelled, failed): try to walk ourselves
      }
    }
  };

  return async function sharedStats(options: SharedStatsOptions = {}): Promise<SharedStats> {
    const hours = Math.min(options.hours ?? 24, MAX_HOURS);
    const last = await readStored();
    const age = last === undefined ? Number.POSITIVE_INFINITY : ctx.now().getTime() - Date.parse(last.computedAt);
    const reuse = options.reuse ?? 'now';
    const fresh = last !== undefined && (reuse === 'due' ? age < refreshIntervalMs(last.stats.tookMs) : reuse !== 'now' && age <= reuse.maxAgeMs);
    let result: { stored: Stored; shared: boolean };
    if (fresh) {
      result = { stored: last, shared: true };
    } else {
      // Join the walk running in this process, or start one that any caller here can join.
      const joined = running !== undefined;
      running ??= (() => {
        const controller = new AbortController();
        const listeners: Walk['listeners'] = new Set();
        const entry: Walk = {
          controller,
          waiters: 0,
          listeners,
          promise: walkOrWait(
            controller.signal,
            (progress) => listeners.forEach((listener) => listener.onProgress?.(progress)),
            () => listeners.forEach((listener) => listener.onWaiting?.()),
            last,
          ),
        };
        entry.promise
          .finally(() => {
            if (running === entry) running = undefined;
          })
          .catch(() => undefined);
        return entry;
      })();
      const walk = running;
      const listener = { onProgress: options.onProgress, onWaiting: options.onWaiting };
      walk.listeners.add(listener);
      walk.waiters += 1;
      // A caller that gives up stops waiting; the walk stops when no caller waits any more.
      const onAbort = () => {
        walk.waiters -= 1;
        if (walk.waiters === 0) walk.controller.abort();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const walked = await Promise.race([walk.promise, abortedBy(options.signal)]);
        result = { stored: walked.stored, shared: joined || walked.shared };
      } finally {
        walk.listeners.delete(listener);
        options.signal?.removeEventListener('abort', onAbort);
        if (options.signal?.aborted !== true) walk.waiters -= 1;
      }
    }
    return view(result.stored, result.shared, hours, await failedValidationsPerHour(ctx, hours));
  };
}

export type SharedStatsReader = ReturnType<typeof createSharedStats>;

function view(stored: Stored, shared: boolean, hours: number, failed: HourCount[]): SharedStats {
  const computedMs = Date.parse(stored.computedAt);
  return {
    ...stored.stats,
    createdPerHour: stored.stats.createdPerHour.slice(-hours),
    failedValidationsPerHour: failed,
    computedAt: stored.computedAt,
    nextRefreshAt: new Date(computedMs + refreshIntervalMs(stored.stats.tookMs)).toISOString(),
    shared,
  };
}

function abortedBy(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal === undefined) return;
    const fail = () => reject(cancelled('Counting sessions was cancelled.'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
