import type { OwnerQueryOptions } from './queries';
import type { SessionRow } from '../../../shared/sessions';
import { sessionRow } from './result-sets';
import type { Session } from './scan';
import type { SessionStore } from './store';

/**
 * A device (or user) at a glance: its live sessions, whose they are, and the metadata its newest
 * session reported. The lost-device flow shows this, and its confirmation states the count and the
 * users from it ("3 sessions of alice will end") before anything is revoked.
 */
export interface OwnerCount {
  id: string;
  sessions: number;
}

export interface OwnerSummary {
  kind: 'user' | 'device';
  id: string;
  /** Every live session found. */
  count: number;
  /** Newest first, at most MAX_SUMMARY_ROWS of them. */
  sessions: SessionRow[];
  users: OwnerCount[];
  devices: OwnerCount[];
  /** The metadata of the newest session (device type, OS, app version…); {} without sessions. */
  metadata: Record<string, unknown>;
  newestCreatedAt?: string;
  oldestCreatedAt?: string;
  /** Keys named for this owner that are not usable sessions. */
  problems: number;
}

export const MAX_SUMMARY_ROWS = 1_000;

export async function ownerSummary(store: SessionStore, kind: 'user' | 'device', id: string, options: OwnerQueryOptions = {}): Promise<OwnerSummary> {
  const list = kind === 'user' ? await store.listByUser(id, options) : await store.listByDevice(id, options);
  const newestFirst = [...list.sessions].sort((a, b) => b.createdAtMicros - a.createdAtMicros || (a.id < b.id ? -1 : 1));
  const newest = newestFirst[0];
  const oldest = newestFirst[newestFirst.length - 1];
  return {
    kind,
    id,
    count: newestFirst.length,
    sessions: newestFirst.slice(0, MAX_SUMMARY_ROWS).map(sessionRow),
    users: countBy(newestFirst, (session) => session.userId),
    devices: countBy(newestFirst, (session) => session.deviceId),
    metadata: newest?.metadata ?? {},
    ...(newest === undefined ? {} : { newestCreatedAt: newest.createdAt }),
    ...(oldest === undefined ? {} : { oldestCreatedAt: oldest.createdAt }),
    problems: list.problems.length,
  };
}

/** Most sessions first. */
function countBy(sessions: Session[], owner: (session: Session) => string): OwnerCount[] {
  const counts = new Map<string, number>();
  for (const session of sessions) counts.set(owner(session), (counts.get(owner(session)) ?? 0) + 1);
  return [...counts].map(([id, count]) => ({ id, sessions: count })).sort((a, b) => b.sessions - a.sessions || (a.id < b.id ? -1 : 1));
}
