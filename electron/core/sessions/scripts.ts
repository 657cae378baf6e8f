import type { RedisClient } from './connection';
import { SAMPLE_STATS_LUA } from './sample-scripts';
import { DELETE_UNCHANGED_LUA, WALK_LUA, WALK_STATS_LUA } from './walk-scripts';

/**
 * The few steps that must be atomic on one key, as Lua scripts. Each touches exactly the one key it
 * declares, so each is valid in a Redis Cluster. ioredis sends them with EVALSHA (loading them on
 * NOSCRIPT) and auto-pipelines them like any other command.
 */
const scripts = {
  /** Writes a new session hash and its expiry together: no moment without a TTL, never overwrites. */
  latchkeyCreateSession: {
    numberOfKeys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'user_id', ARGV[1], 'device_id', ARGV[2], 'created_at', ARGV[3], 'expires_at', ARGV[4], 'metadata', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
return 1`,
  },
  /**
   * Deletes a session and says whose it was: nil when there was nothing to delete, {'ok', user, device}
   * when deleted, {'wrongtype', type} when the key is not a hash (left alone). With ARGV[1] (a field) and
   * ARGV[2] (a value), deletes only a session whose field has that value, else {'mismatch'}: an index
   * entry can only ever revoke a session of the owner it was filed under.
   */
  latchkeyRevokeSession: {
    numberOfKeys: 1,
    lua: `
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'none' then return false end
if kind ~= 'hash' then return {'wrongtype', kind} end
local owner = redis.call('HMGET', KEYS[1], 'user_id', 'device_id')
if ARGV[1] then
  local expected = (ARGV[1] == 'user_id') and owner[1] or owner[2]
  if expected ~= ARGV[2] then return {'mismatch'} end
end
redis.call('DEL', KEYS[1])
return {'ok', owner[1] or '', owner[2] or ''}`,
  },
  /**
   * Moves expires_at forward only if the session still exists and expires_at is what the caller read:
   * a session revoked (deleted) in between is never written to, so extend cannot resurrect it.
   * Returns 1 when extended, 0 when the session is gone, -1 when it changed since it was read.
   */
  latchkeyExtendSession: {
    numberOfKeys: 1,
    lua: `
if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then return 0 end
if redis.call('HGET', KEYS[1], 'expires_at') ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'expires_at', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1`,
  },
  /**
   * Adds (or, with ARGV[3] = 'XX', only updates) an index entry scored by its session's expiry, and
   * keeps the index key alive exactly as long as its longest-lived entry.
   */
  latchkeyIndexPut: {
    numberOfKeys: 1,
    lua: `
if ARGV[3] == 'XX' then
  if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', tonumber(top[2])))
return 1`,
  },
  /**
   * HGETALL and PTTL of every key in KEYS in one call: per key {pttl, field, value, …}, {} when the key
   * is gone, or {'wrongtype'} for another type. Single server only: in a cluster, one batch of keys spans many slots (CROSSSLOT).
   */
  latchkeyReadMany: {
    lua: `
local out = {}
for i, key in ipairs(KEYS) do
  local fields = redis.pcall('HGETALL', key)
  if type(fields) ~= 'table' or fields.err then
    out[i] = {'wrongtype'}
  elseif #fields == 0 then
    out[i] = {}
  else
    table.insert(fields, 1, redis.call('PTTL', key))
    out[i] = fields
  end
end
return out`,
  },
  /** The server-side walk (walk-scripts.ts): sent to one master at a time, with no declared keys. */
  latchkeyWalk: { numberOfKeys: 0, lua: WALK_LUA },
  latchkeyWalkStats: { numberOfKeys: 0, lua: WALK_STATS_LUA },
  latchkeyDeleteUnchanged: { numberOfKeys: 0, lua: DELETE_UNCHANGED_LUA },
  /** The sampled estimate's draws (sample-scripts.ts): sent to one master at a time, with no declared keys. */
  latchkeySampleStats: { numberOfKeys: 0, lua: SAMPLE_STATS_LUA },
} as const;

type RevokeReply = null | ['ok', string, string] | ['wrongtype', string] | ['mismatch'];

interface ScriptCommands {
  latchkeyCreateSession(key: string, ...args: string[]): Promise<number>;
  latchkeyRevokeSession(key: string, ...ownerCheck: [] | ['user_id' | 'device_id', string]): Promise<RevokeReply>;
  latchkeyExtendSession(key: string, expected: string, next: string, nextMs: string): Promise<number>;
  latchkeyIndexPut(key: string, score: string, member: string, mode: 'XX' | ''): Promise<number>;
  /** Called as (numberOfKeys, ...keys). */
  latchkeyReadMany(numberOfKeys: number, ...keys: string[]): Promise<(['wrongtype'] | [] | [number, ...string[]])[]>;
  latchkeyWalk(cursor: string, pattern: string, count: string, withDigest: '0' | '1', ...criteria: string[]): Promise<WalkReply>;
  latchkeyWalkStats(...args: [cursor: string, pattern: string, count: string, prefix: string, nowMs: string, firstHourMs: string, hours: string, nowText: string, hourLaterText: string, hourNames: string]): Promise<WalkStatsReply>;
  /** Called as (key, digest, key, digest, …). */
  latchkeyDeleteUnchanged(...keysAndDigests: string[]): Promise<[string, string, string][]>;
  latchkeySampleStats(...args: [draws: string, prefix: string, nowMs: string, nowText: string, hourLaterText: string]): Promise<unknown>;
}

/** {next cursor, keys scanned, entries…}: an entry is [key, 'w'] or [key, 'h', pttl, user_id, device_id, created_at, expires_at, metadata, digest?]. */
export type WalkEntry = [string, 'w'] | [string, 'h', number, ...(string | null)[]];
export type WalkReply = [string, number, ...WalkEntry[]];
/** {next cursor, keys scanned, live, unusable, expiring, created per hour, device types, OSes, app versions}; the last three flat name/count lists. */
export type WalkStatsReply = [string, number, number, number, number, number[], (string | number)[], (string | number)[], (string | number)[]];

const installed = new WeakSet<object>();

/** The client with Latchkey's scripts defined on it (once per client). */
export function withScripts(client: RedisClient): RedisClient & ScriptCommands {
  if (!installed.has(client)) {
    for (const [name, definition] of Object.entries(scripts)) client.defineCommand(name, definition);
    installed.add(client);
  }
  return client as RedisClient & ScriptCommands;
}

export type { RevokeReply };
