import { z } from 'zod';
import { formatIsoTimestamp, parseIsoTimestamp, type EpochMicros } from './timestamps';

/**
 * One session as stored by the HandsFree server: a Redis hash with `user_id`, `device_id`,
 * `created_at`, `expires_at` (ISO 8601) and `metadata` (a JSON object as a string). Records written by
 * others are parsed here and nowhere else; one that does not fit is reported with a reason a person
 * can act on, never thrown on and never guessed at.
 */
export type SessionMetadata = Record<string, unknown>;

export interface SessionRecord {
  /** Hex SHA-256 of the token: the key without its prefix. */
  id: string;
  userId: string;
  deviceId: string;
  /** Canonical ISO form (`…ffffff+00:00`), whatever variant the writer used. */
  createdAt: string;
  expiresAt: string;
  createdAtMicros: EpochMicros;
  expiresAtMicros: EpochMicros;
  metadata: SessionMetadata;
}

export type ParsedRecord = { ok: true; record: SessionRecord } | { ok: false; problem: string };

/** Ids are free text chosen by the server; bound them so one bad record cannot flood a screen or a key. */
const idField = z.string().min(1).max(512);

/**
 * The shape check is zod; the two timestamps and the metadata JSON are then parsed by hand, because
 * this runs once per validate (the hot path) and once per key in keyspace walks of millions.
 */
const sessionHash = z.object({
  user_id: idField,
  device_id: idField,
  created_at: z.string().max(64),
  expires_at: z.string().max(64),
  metadata: z.string().max(65_536).optional(),
});

/** `hash` is what HGETALL returned; an empty hash means the key does not exist. */
export function parseSessionHash(id: string, hash: Record<string, string>): ParsedRecord {
  const problems: string[] = [];
  const shape = sessionHash.safeParse(hash);
  if (!shape.success) {
    // Name the fields and what is wrong with them; never echo the stored values.
    for (const issue of shape.error.issues) {
      const field = String(issue.path[0] ?? 'record');
      problems.push(field in hash ? `${field} is not a valid value` : `${field} is missing`);
    }
  }
  const createdAt = timestamp(hash.created_at, 'created_at', problems);
  const expiresAt = timestamp(hash.expires_at, 'expires_at', problems);
  const metadata = metadataObject(hash.metadata, problems);
  if (!shape.success || createdAt === undefined || expiresAt === undefined || metadata === undefined) {
    return { ok: false, problem: `malformed session record: ${[...new Set(problems)].join('; ')}` };
  }
  return {
    ok: true,
    record: {
      id,
      userId: shape.data.user_id,
      deviceId: shape.data.device_id,
      createdAt: formatIsoTimestamp(createdAt),
      expiresAt: formatIsoTimestamp(expiresAt),
      createdAtMicros: createdAt,
      expiresAtMicros: expiresAt,
      metadata,
    },
  };
}

function timestamp(text: string | undefined, field: string, problems: string[]): EpochMicros | undefined {
  if (text === undefined) return undefined; // reported by the shape check
  const micros = parseIsoTimestamp(text);
  if (micros === undefined) problems.push(`${field} is not an ISO 8601 timestamp`);
  return micros;
}

function metadataObject(text: string | undefined, problems: string[]): SessionMetadata | undefined {
  // The server always writes metadata; a record without it is still a session with none.
  if (text === undefined || text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as SessionMetadata;
  } catch {
    // reported below
  }
  problems.push('metadata is not a JSON object');
  return undefined;
}

/** The hash fields, in the server's order, exactly as the server writes them. */
export function sessionHashFields(record: Omit<SessionRecord, 'id'>): string[] {
  return [
    'user_id',
    record.userId,
    'device_id',
    record.deviceId,
    'created_at',
    record.createdAt,
    'expires_at',
    record.expiresAt,
    'metadata',
    JSON.stringify(record.metadata),
  ];
}
