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
const timestampField = z.string().transform((text, ctx) => {
  const micros = parseIsoTimestamp(text);
  if (micros === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is not an ISO 8601 timestamp' });
    return z.NEVER;
  }
  return micros;
});
const metadataField = z
  .string()
  .optional()
  .transform((text, ctx): SessionMetadata => {
    // The server always writes metadata; a record without it is still a session with none.
    if (text === undefined || text === '') return {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as SessionMetadata;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'is not a JSON object' });
    return z.NEVER;
  });

const sessionHash = z.object({
  user_id: idField,
  device_id: idField,
  created_at: timestampField,
  expires_at: timestampField,
  metadata: metadataField,
});

/** `hash` is what HGETALL returned; an empty hash means the key does not exist. */
export function parseSessionHash(id: string, hash: Record<string, string>): ParsedRecord {
  const result = sessionHash.safeParse(hash);
  if (!result.success) {
    // Name the fields and what is wrong with them; never echo the stored values.
    const problem = result.error.issues
      .map((issue) => {
        const field = String(issue.path[0] ?? 'record');
        if (!(field in hash)) return `${field} is missing`;
        return issue.code === 'custom' ? `${field} ${issue.message}` : `${field} is not a valid value`;
      })
      .join('; ');
    return { ok: false, problem: `malformed session record: ${problem}` };
  }
  const fields = result.data;
  return {
    ok: true,
    record: {
      id,
      userId: fields.user_id,
      deviceId: fields.device_id,
      createdAt: formatIsoTimestamp(fields.created_at),
      expiresAt: formatIsoTimestamp(fields.expires_at),
      createdAtMicros: fields.created_at,
      expiresAtMicros: fields.expires_at,
      metadata: fields.metadata,
    },
  };
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
