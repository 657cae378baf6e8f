import type { SessionContext } from './context';
import { failedValidationsPerHour, hourStart, type HourCount } from './failed-validations';
import { metadataText, streamSessions } from './queries';
import type { ScanOptions } from './scan';

/**
 * The dashboard's numbers, from one streaming walk of the keyspace (so sessions written by servers
 * that keep no index are counted too) plus the failed-validation counters. Only live sessions count:
 * an expired or revoked session is gone from Redis, so "created per hour" is about sessions still alive.
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
}

export async function collectSessionStats(ctx: SessionContext, options: ScanOptions & { hours?: number } = {}): Promise<SessionStats> {
  const hours = options.hours ?? 24;
  const nowMs = ctx.now().getTime();
  const firstHour = hourStart(nowMs) - (hours - 1) * HOUR_MS;
  const created = new Array<number>(hours).fill(0);
  // Maps, not objects: metadata values come from Redis and may be "__proto__".
  const byDeviceType = new Map<string, number>();
  const byOs = new Map<string, number>();
  const byAppVersion = new Map<string, number>();
  const stats: SessionStats = {
    generatedAt: new Date(nowMs).toISOString(),
    activeSessions: 0,
    problems: 0,
    byDeviceType: {},
    byOs: {},
    byAppVersion: {},
    createdPerHour: [],
    failedValidationsPerHour: [],
    expiringWithinHour: 0,
    scannedKeys: 0,
  };
  for await (const batch of streamSessions(ctx, options)) {
    stats.scannedKeys = batch.progress.scannedKeys;
    stats.problems += batch.problems.length;
    for (const session of batch.sessions) {
      stats.activeSessions += 1;
      bump(byDeviceType, metadataText(session.metadata.device_type));
      bump(byOs, metadataText(session.metadata.os));
      bump(byAppVersion, metadataText(session.metadata.app_version));
      const bucket = Math.floor((Math.floor(session.createdAtMicros / 1000) - firstHour) / HOUR_MS);
      if (bucket >= 0 && bucket < hours) created[bucket]! += 1;
      if (session.expiresAtMicros / 1000 - nowMs <= HOUR_MS) stats.expiringWithinHour += 1;
    }
  }
  stats.byDeviceType = Object.fromEntries(byDeviceType);
  stats.byOs = Object.fromEntries(byOs);
  stats.byAppVersion = Object.fromEntries(byAppVersion);
  stats.createdPerHour = created.map((count, i) => ({ hour: new Date(firstHour + i * HOUR_MS).toISOString(), count }));
  stats.failedValidationsPerHour = await failedValidationsPerHour(ctx, hours);
  return stats;
}

function bump(counts: Map<string, number>, value: string | undefined): void {
  const name = value ?? NO_VALUE;
  counts.set(name, (counts.get(name) ?? 0) + 1);
}
