import type { Redis } from 'ioredis';
import { untilAborted } from '../async/until-aborted';
import type { SessionContext } from './context';
import { failedValidationsPerHour, hourStart, type HourCount } from './failed-validations';
import { metadataText } from './queries';
import { readSessions, sumDbSize, type ScanOptions, type ScanProgress, type Session } from './scan';
import { withScripts, type WalkStatsReply } from './scripts';
import { formatIsoTimestamp } from './timestamps';

/**
 * The dashboard's numbers, from one walk of the keyspace (so sessions written by servers that keep no
 * index are counted too) plus the failed-validation counters. Only live sessions count: an expired or
 * revoked session is gone from Redis, so "created per hour" is about sessions still alive.
 *
 * The walk counts on the server: each step is one script call per master that SCANs a bounded batch and
 * returns counts (walk-scripts.ts, WALK_STATS_LUA), so a refresh moves a few hundred bytes per step
 * instead of every session's fields. Where scripts are refused, the step reads the keys and counts here.
 * A key SCAN returns twice (Redis resized its table during the walk) is counted twice: the numbers of a
 * dashboard, not of an audit.
 */
export const NO_VALUE = '(none)';
const HOUR_MS = 3_600_000;

export interface SessionStats {
  generatedAt: string;
  activeSessions: number;
  /** Keys under the prefix that are not usable sessions (malformed, wrong type). */
  problems: number;
  byDeviceType: Record<string, number>;
  byOs: Record<string, number>;
  byAppVersion: Record<string, number>;
  /** Live sessions by the UTC hour they were created in, for the last `hours` hours, oldest first. */
  createdPerHour: HourCount[];
  failedValidationsPerHour: HourCount[];
  expiringWithinHour: number;
  scannedKeys: number;
  /** How long the walk took, and its longest step (one call on the server-side walk), in ms, as the client saw them. */
  tookMs: number;
  longestCallMs: number;
  /** 'server': counted by scripts on Redis; 'client': the keys were read and counted here. */
  countedOn: 'server' | 'client';
}

interface Counts {
  active: number;
  problems: number;
  expiring: number;
  created: number[];
  groups: [Map<string, number>, Map<string, number>, Map<string, number>];
}

export async function collectSessionStats(ctx: SessionContext, options: ScanOptions & { hours?: number } = {}): Promise<SessionStats> {
  const hours = options.hours ?? 24;
  const started = performance.now();
  const nowMs = ctx.now().getTime();
  const firstHour = hourStart(nowMs) - (hours - 1) * HOUR_MS;
  // Maps, not objects: metadata values come from Redis and may be "__proto__".
  const counts: Counts = { active: 0, problems: 0, expiring: 0, created: new Array<number>(hours).fill(0), groups: [new Map(), new Map(), new Map()] };
  const nodes = await ctx.redis.masters().catch((error: unknown) => {
    throw ctx.redis.failure(error);
  });
  const progress: ScanProgress = { scannedKeys: 0, estimatedKeys: await sumDbSize(ctx, nodes), nodesDone: 0, nodesTotal: nodes.length };
  let longestCallMs = 0;
  let countedOnServer = true;

  // The masters are walked at the same time; each step of a node waits for the previous one.
  await Promise.all(
    nodes.map(async (node) => {
      let cursor = '0';
      do {
        const callStarted = performance.now();
        const step = await untilAborted(statsStep(ctx, withScripts(node) as Redis, cursor, { nowMs, firstHour, hours }, counts), options.signal, 'Counting sessions was cancelled.');
        longestCallMs = Math.max(longestCallMs, performance.now() - callStarted);
        if (!step.onServer) countedOnServer = false;
        cursor = step.cursor;
        progress.scannedKeys += step.scanned;
        if (cursor === '0') progress.nodesDone += 1;
        options.onProgress?.({ ...progress });
      } while (cursor !== '0');
    }),
  );

  return {
    generatedAt: new Date(nowMs).toISOString(),
    activeSessions: counts.active,
    problems: counts.problems,
    byDeviceType: Object.fromEntries(counts.groups[0]),
    byOs: Object.fromEntries(counts.groups[1]),
    byAppVersion: Object.fromEntries(counts.groups[2]),
    createdPerHour: counts.created.map((count, i) => ({ hour: new Date(firstHour + i * HOUR_MS).toISOString(), count })),
    failedValidationsPerHour: await failedValidationsPerHour(ctx, hours),
    expiringWithinHour: counts.expiring,
    scannedKeys: progress.scannedKeys,
    tookMs: Math.round(performance.now() - started),
    longestCallMs: Math.round(longestCallMs * 10) / 10,
    countedOn: countedOnServer ? 'server' : 'client',
  };
}

interface Window {
  nowMs: number;
  firstHour: number;
  hours: number;
}

async function statsStep(ctx: SessionContext, node: Redis, cursor: string, window: Window, counts: Counts): Promise<{ cursor: string; scanned: number; onServer: boolean }> {
  const count = String(ctx.batchSize);
  const pattern = ctx.keys.scanPattern();
  const scripted = async () => {
    const reply = await (node as ReturnType<typeof withScripts>).latchkeyWalkStats(
      cursor,
      pattern,
      count,
      ctx.keys.prefix,
      String(window.nowMs),
      String(window.firstHour),
      String(window.hours),
      formatIsoTimestamp(window.nowMs * 1000),
      formatIsoTimestamp((window.nowMs + HOUR_MS) * 1000),
      Array.from({ length: window.hours }, (_, i) => new Date(window.firstHour + i * HOUR_MS).toISOString().slice(0, 13)).join(','),
    );
    addServerCounts(reply, counts);
    return { cursor: reply[0], scanned: reply[1], onServer: true };
  };
  const plain = async () => {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    const read = await readSessions(ctx, keys);
    counts.problems += read.problems.length;
    for (const session of read.sessions) addSession(session, window, counts);
    return { cursor: next, scanned: keys.length, onServer: false };
  };
  try {
    return await ctx.withScriptFallback(scripted, plain);
  } catch (error) {
    throw ctx.redis.failure(error);
  }
}

function addServerCounts(reply: WalkStatsReply, counts: Counts): void {
  const [, , active, problems, expiring, created, ...groups] = reply;
  counts.active += active;
  counts.problems += problems;
  counts.expiring += expiring;
  created.forEach((n, i) => {
    if (i < counts.created.length) counts.created[i]! += n;
  });
  groups.forEach((flat, g) => {
    for (let i = 0; i + 1 < flat.length; i += 2) bump(counts.groups[g]!, String(flat[i]), Number(flat[i + 1]));
  });
}

function addSession(session: Session, window: Window, counts: Counts): void {
  counts.active += 1;
  bump(counts.groups[0], metadataText(session.metadata.device_type) ?? NO_VALUE);
  bump(counts.groups[1], metadataText(session.metadata.os) ?? NO_VALUE);
  bump(counts.groups[2], metadataText(session.metadata.app_version) ?? NO_VALUE);
  const bucket = Math.floor((Math.floor(session.createdAtMicros / 1000) - window.firstHour) / HOUR_MS);
  if (bucket >= 0 && bucket < window.hours) counts.created[bucket]! += 1;
  if (session.expiresAtMicros / 1000 - window.nowMs <= HOUR_MS) counts.expiring += 1;
}

function bump(group: Map<string, number>, name: string, by = 1): void {
  group.set(name, (group.get(name) ?? 0) + by);
}
