import { formatIsoTimestamp, parseCanonical, parseIsoTimestamp, type EpochMicros } from './timestamps';

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

/** The five fields of a session hash, in the server's order. */
export const SESSION_FIELDS = ['user_id', 'device_id', 'created_at', 'expires_at', 'metadata'] as const;

export type ParsedRecord = { ok: true; record: SessionRecord } | { ok: false; problem: string };

/**
 * The shape every record must have: the two ids are free text chosen by the server (bounded so one bad
 * record cannot flood a screen or a key), the times short strings, the metadata at most 64 KiB. Checked
 * by hand rather than with zod: this runs once per validate (the hot path) and once per session in
 * keyspace walks of millions.
 */
const FIELD_LIMITS: readonly (readonly [field: string, min: number, max: number])[] = [
  ['user_id', 1, 512],
  ['device_id', 1, 512],
  ['created_at', 0, 64],
  ['expires_at', 0, 64],
];
const METADATA_LIMIT = 65_536;
/** What formatIsoTimestamp writes: a timestamp already in this form is kept as it is. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

/** `hash` is the session's fields as read (HGETALL or HMGET of SESSION_FIELDS); the caller tells a missing key apart. */
export function parseSessionHash(id: string, hash: Record<string, string>): ParsedRecord {
  return parseSessionFields(id, hash.user_id, hash.device_id, hash.created_at, hash.expires_at, hash.metadata);
}

/**
 * The same, from the five fields as read (undefined: the field is missing). A record as the server
 * writes it — bounded ids, both times in its canonical form, metadata a JSON object — is taken in one
 * pass with no list of problems and no regular expression (validate, the hot path); anything else goes
 * through the checks that name every problem.
 */
export function parseSessionFields(
  id: string,
  userId: string | undefined,
  deviceId: string | undefined,
  createdText: string | undefined,
  expiresText: string | undefined,
  metadataText: string | undefined,
): ParsedRecord {
  if (
    userId !== undefined &&
    deviceId !== undefined &&
    userId.length >= 1 &&
    userId.length <= 512 &&
    deviceId.length >= 1 &&
    deviceId.length <= 512 &&
    (metadataText === undefined || metadataText.length <= METADATA_LIMIT)
  ) {
    const createdAtMicros = createdText === undefined ? undefined : parseCanonical(createdText);
    const expiresAtMicros = expiresText === undefined ? undefined : parseCanonical(expiresText);
    const metadata = createdAtMicros === undefined || expiresAtMicros === undefined ? undefined : metadataObject(metadataText, undefined);
    if (metadata !== undefined) {
      return { ok: true, record: { id, userId, deviceId, createdAt: createdText!, expiresAt: expiresText!, createdAtMicros: createdAtMicros!, expiresAtMicros: expiresAtMicros!, metadata } };
    }
  }
  return checkSessionFields(id, { user_id: userId, device_id: deviceId, created_at: createdText, expires_at: expiresText, metadata: metadataText });
}

/** The general path: every check, each failure named (never the stored value). parseSessionFields answers the same. */
export function checkSessionFields(id: string, hash: Partial<Record<(typeof SESSION_FIELDS)[number], string>>): ParsedRecord {
  const problems: string[] = [];
  // Name the fields and what is wrong with them; never echo the stored values.
  for (const [field, min, max] of FIELD_LIMITS) {
    const value = hash[field as (typeof SESSION_FIELDS)[number]];
    if (value === undefined) problems.push(`${field} is missing`);
    else if (value.length < min || value.length > max) problems.push(`${field} is not a valid value`);
  }
  if (hash.metadata !== undefined && hash.metadata.length > METADATA_LIMIT) problems.push('metadata is not a valid value');
  const createdAt = timestamp(hash.created_at, 'created_at', problems);
  const expiresAt = timestamp(hash.expires_at, 'expires_at', problems);
  const metadata = metadataObject(hash.metadata, problems);
  if (problems.length > 0 || createdAt === undefined || expiresAt === undefined || metadata === undefined) {
    return { ok: false, problem: `malformed session record: ${[...new Set(problems)].join('; ')}` };
  }
  return {
    ok: true,
    record: {
      id,
      userId: hash.user_id!,
      deviceId: hash.device_id!,
      createdAt: CANONICAL.test(hash.created_at!) ? hash.created_at! : formatIsoTimestamp(createdAt),
      expiresAt: CANONICAL.test(hash.expires_at!) ? hash.expires_at! : formatIsoTimestamp(expiresAt),
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

/** The metadata object, or undefined (and, given `problems`, why) when it is not a JSON object. */
function metadataObject(text: string | undefined, problems: string[] | undefined): SessionMetadata | undefined {
  // The server always writes metadata; a record without it is still a session with none.
  if (text === undefined || text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as SessionMetadata;
  } catch {
    // reported below
  }
  problems?.push('metadata is not a JSON object');
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
