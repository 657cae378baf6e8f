import { z } from 'zod';
import { invalidInput } from '../errors';
import type { Session } from './scan';
import { parseIsoTimestamp, type EpochMicros } from './timestamps';

/**
 * Which sessions a search, an export or a bulk revocation is about. Every criterion must hold.
 *
 * - `userId`, `deviceId`: exact (byte for byte).
 * - `metadata`: any key of the metadata JSON with the value it must have. A string value matches the
 *   same string; `true`/`false` match booleans; a number matches a value written as a number that is
 *   the same number (`4.2` and `4.20`). Objects, arrays and null never match.
 * - `createdBefore`/`createdAfter`, `expiresBefore`/`expiresAfter`: half-open intervals on the record's
 *   own timestamps — before means strictly earlier, after means at that moment or later.
 * - `expiringWithinSeconds`: the key's TTL, as Redis counts it, is at most this long (a key without a
 *   TTL never matches).
 *
 * This module is the definition; the Lua walk (walk-scripts.ts) only narrows the keys it returns and
 * never decides alone, so a session matches when `matchesFilter` says so and only then.
 */
export interface SessionFilter {
  userId?: string;
  deviceId?: string;
  metadata?: Record<string, string>;
  createdBefore?: EpochMicros;
  createdAfter?: EpochMicros;
  expiresBefore?: EpochMicros;
  expiresAfter?: EpochMicros;
  expiringWithinSeconds?: number;
}

/** A metadata key and value as admins type them: bounded, without control characters. */
const METADATA_KEY = /^[^\p{Cc}]{1,128}$/u;
const METADATA_VALUE = /^[^\p{Cc}]{1,512}$/u;
/** JSON's number grammar: the values Number() and Lua's tonumber() read alike. */
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function matchesFilter(session: Session, filter: SessionFilter): boolean {
  if (filter.userId !== undefined && session.userId !== filter.userId) return false;
  if (filter.deviceId !== undefined && session.deviceId !== filter.deviceId) return false;
  for (const [field, wanted] of Object.entries(filter.metadata ?? {})) {
    if (!metadataMatches(session.metadata, field, wanted)) return false;
  }
  if (filter.createdBefore !== undefined && !(session.createdAtMicros < filter.createdBefore)) return false;
  if (filter.createdAfter !== undefined && !(session.createdAtMicros >= filter.createdAfter)) return false;
  if (filter.expiresBefore !== undefined && !(session.expiresAtMicros < filter.expiresBefore)) return false;
  if (filter.expiresAfter !== undefined && !(session.expiresAtMicros >= filter.expiresAfter)) return false;
  if (filter.expiringWithinSeconds !== undefined) {
    const left = session.ttlSeconds ?? Number.POSITIVE_INFINITY;
    if (left > filter.expiringWithinSeconds) return false;
  }
  return true;
}

export function metadataMatches(metadata: Record<string, unknown>, field: string, wanted: string): boolean {
  // Own keys only: "constructor" or "__proto__" must not find something on Object.prototype.
  if (!Object.hasOwn(metadata, field)) return false;
  const value = metadata[field];
  if (typeof value === 'string') return value === wanted;
  if (typeof value === 'boolean') return String(value) === wanted;
  if (typeof value === 'number') return NUMBER_TEXT.test(wanted) && Number(wanted) === value;
  return false;
}

/** True when the filter names nothing: every session matches. */
export function isEmptyFilter(filter: SessionFilter): boolean {
  return Object.values(filter).every((value) => value === undefined || (typeof value === 'object' && Object.keys(value).length === 0));
}

const micros = z.number().int().safe();

/** What a filter may hold when it comes from outside core (IPC, CLI). */
export const sessionFilterSchema = z.strictObject({
  userId: z.string().min(1).max(512).optional(),
  deviceId: z.string().min(1).max(512).optional(),
  metadata: z
    .record(z.string().regex(METADATA_KEY, 'a metadata key is 1 to 128 characters without control characters'), z.string().regex(METADATA_VALUE, 'a metadata value is 1 to 512 characters without control characters'))
    .refine((fields) => Object.keys(fields).length <= 16, 'at most 16 metadata fields')
    .optional(),
  createdBefore: micros.optional(),
  createdAfter: micros.optional(),
  expiresBefore: micros.optional(),
  expiresAfter: micros.optional(),
  expiringWithinSeconds: z.number().int().positive().max(366 * 86_400).optional(),
});

export function parseSessionFilter(input: unknown): SessionFilter {
  const result = sessionFilterSchema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
    throw invalidInput(`The session filter is not valid: ${detail}.`);
  }
  // A record without a prototype: keys come from outside and may be "__proto__".
  const metadata = result.data.metadata === undefined ? undefined : Object.assign(Object.create(null) as Record<string, string>, result.data.metadata);
  return { ...result.data, ...(metadata === undefined ? {} : { metadata }) };
}

/**
 * `--where key=value` (repeatable): `user_id` and `device_id` name the owner, any other key is a field
 * of the metadata JSON. The first `=` splits; the value may contain more.
 */
export function parseWhere(pairs: readonly string[]): Pick<SessionFilter, 'userId' | 'deviceId' | 'metadata'> {
  const filter: Pick<SessionFilter, 'userId' | 'deviceId' | 'metadata'> = {};
  const metadata = Object.create(null) as Record<string, string>;
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw invalidInput(`--where takes key=value, as in --where app_version=4.2.0; "${pair.slice(0, 40)}" is not of that form.`);
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const previous = key === 'user_id' ? filter.userId : key === 'device_id' ? filter.deviceId : metadata[key];
    if (previous !== undefined && previous !== value) throw invalidInput(`--where names ${key} twice with different values; a session has one ${key}.`);
    if (key === 'user_id') filter.userId = value;
    else if (key === 'device_id') filter.deviceId = value;
    else metadata[key] = value;
  }
  if (Object.keys(metadata).length > 0) filter.metadata = metadata;
  return filter;
}

/** Criteria as the app sends them (conditions and ISO 8601 times) as a filter; user_id and device_id name the owner. */
export function filterFromCriteria(criteria: { where?: { field: string; value: string }[]; createdBefore?: string; createdAfter?: string; expiresBefore?: string; expiresAfter?: string }): SessionFilter {
  const filter: SessionFilter = parseWhere((criteria.where ?? []).map(({ field, value }) => `${field}=${value}`));
  const times = [
    ['createdBefore', criteria.createdBefore],
    ['createdAfter', criteria.createdAfter],
    ['expiresBefore', criteria.expiresBefore],
    ['expiresAfter', criteria.expiresAfter],
  ] as const;
  for (const [name, text] of times) if (text !== undefined) filter[name] = parseFilterTime(text, name);
  return filter;
}

/** An ISO 8601 time from the command line (`2026-12-01T00:00:00Z`, or a date, taken as UTC midnight). */
export function parseFilterTime(text: string, option: string): EpochMicros {
  const parsed = parseIsoTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (parsed === undefined) throw invalidInput(`${option} takes an ISO 8601 time such as 2026-12-01T00:00:00Z (or a date, 2026-12-01); "${text.slice(0, 40)}" is not one.`);
  return parsed;
}
