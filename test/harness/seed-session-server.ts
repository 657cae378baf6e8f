import { createHash, randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * The HandsFree server's session code (seed 000, "Session Token Management"), transcribed from Python
 * to TypeScript as faithfully as its documented behaviour allows, so tests can play "the server":
 * it writes sessions with HSET + EXPIRE and keeps no index, and it validates by hashing the token,
 * HGETALL, parsing expires_at and comparing with now. Nothing here uses Latchkey's code.
 */
export interface SeedSession {
  token: string;
  id: string;
  userId: string;
  deviceId: string;
}

/** Python: `datetime.now(timezone.utc).isoformat()` — microseconds, `+00:00`. */
export function pythonIsoformat(date: Date, micros = 0): string {
  const base = date.toISOString().slice(0, 19);
  const fraction = date.getUTCMilliseconds() * 1000 + micros;
  return fraction === 0 ? `${base}+00:00` : `${base}.${String(fraction).padStart(6, '0')}+00:00`;
}

/** create_session(user_id, device_id, ttl_hours, metadata): HSET the fields, then EXPIRE. */
export async function seedCreateSession(
  redis: Redis | Cluster,
  options: { userId: string; deviceId: string; ttlHours?: number; metadata?: Record<string, unknown>; prefix?: string; now?: Date },
): Promise<SeedSession> {
  const token = randomBytes(32).toString('base64url');
  const id = createHash('sha256').update(token).digest('hex');
  const now = options.now ?? new Date();
  const ttlSeconds = Math.round((options.ttlHours ?? 24) * 3600);
  const expires = new Date(now.getTime() + ttlSeconds * 1000);
  const key = `${options.prefix ?? 'session:'}${id}`;
  await redis.hset(key, {
    user_id: options.userId,
    device_id: options.deviceId,
    created_at: pythonIsoformat(now, 123),
    expires_at: pythonIsoformat(expires, 456),
    // Python's json.dumps separators, as the server writes them.
    metadata: JSON.stringify(options.metadata ?? {}).replace(/":/g, '": ').replace(/,"/g, ', "'),
  });
  await redis.expire(key, ttlSeconds);
  return { token, id, userId: options.userId, deviceId: options.deviceId };
}

/** Python's datetime.fromisoformat for the forms isoformat() writes (3.7+): offset required here. */
function pythonFromIsoformat(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{3})(\d{3})?)?([+-]\d{2}:\d{2})$/.exec(text);
  if (match === null) throw new Error('ValueError: Invalid isoformat string');
  return Date.parse(`${match[1]}T${match[2]}.${match[3] ?? '000'}${match[5]}`);
}

/** validate_session(token): None (here: undefined) for unknown, malformed or expired sessions. */
export async function seedValidateSession(redis: Redis | Cluster, token: string, prefix = 'session:'): Promise<{ userId: string; deviceId: string; metadata: unknown } | undefined> {
  const key = `${prefix}${createHash('sha256').update(token).digest('hex')}`;
  const data = await redis.hgetall(key);
  if (Object.keys(data).length === 0) return undefined;
  try {
    const expiresAt = pythonFromIsoformat(data.expires_at ?? '');
    if (expiresAt < Date.now()) return undefined;
    if (data.user_id === undefined || data.device_id === undefined) return undefined;
    return { userId: data.user_id, deviceId: data.device_id, metadata: JSON.parse(data.metadata ?? '{}') };
  } catch {
    return undefined;
  }
}

/**
 * revoke_device_sessions / revoke_user_sessions as the seed does them: scan_iter over `prefix*` (redis-py
 * sends SCAN without COUNT, so Redis' default of 10 applies), then one HGETALL per key and a DELETE per
 * match, each awaited in turn.
 */
export async function seedRevokeOwner(redis: Redis, field: 'user_id' | 'device_id', owner: string, prefix = 'session:'): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`);
    cursor = next;
    for (const key of keys) {
      const data = await redis.hgetall(key);
      if (data[field] === owner) count += await redis.del(key);
    }
  } while (cursor !== '0');
  return count;
}
