import type { Redis } from 'ioredis';
import type { SessionContext } from './context';
import { parseSessionHash, type SessionRecord } from './record';

/**
 * Reading sessions by key on the client: what a session read from Redis is (judgeRecord), pipelined
 * reads of a batch of keys (one round trip per batch, never one per key), and the pieces of the
 * keyspace walk (walk.ts) that name nodes, size the keyspace and resume a walk.
 */
export interface Session extends SessionRecord {
  /** Seconds until the key expires (Redis PTTL, rounded down); null when the key has no TTL. */
  ttlSeconds: number | null;
}

/** A key under the prefix that is not a usable session; reported, never thrown on. */
export interface SessionProblem {
  key: string;
  id?: string;
  problem: string;
}

export interface ScanProgress {
  /** Keys under the prefix seen so far. */
  scannedKeys: number;
  /** Keys in the databases scanned (DBSIZE, all keys, not only sessions): an upper bound for progress bars. */
  estimatedKeys: number;
  nodesDone: number;
  nodesTotal: number;
}

export interface ScanOptions {
  signal?: AbortSignal;
  /**
   * Drop sessions this walk already returned. SCAN may return a key twice (when Redis resizes its table
   * between calls); counts and listings must not show it twice. Costs memory for every session
   * returned (about 100 bytes each); walks that are idempotent per key (owner revocation) leave it off.
   */
  unique?: boolean;
  onProgress?: (progress: ScanProgress) => void;
  /** SCAN COUNT hint: how many keys each SCAN call looks at. */
  count?: number;
}

export function nodeName(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}

export async function sumDbSize(ctx: SessionContext, nodes: Redis[]): Promise<number> {
  try {
    const sizes = await Promise.all(nodes.map((node) => node.dbsize()));
    return sizes.reduce((sum, size) => sum + size, 0);
  } catch (error) {
    throw ctx.redis.failure(error);
  }
}

const RESUME = /^([^/]+)\/(\d{1,20})$/;

export function parseResume(from: string | undefined, names: string[]): { nodeIndex: number; cursor: string } {
  if (from === undefined) return { nodeIndex: 0, cursor: '0' };
  const match = RESUME.exec(from);
  const nodeIndex = match === null ? -1 : names.indexOf(match[1]!);
  // A cursor from another topology cannot be trusted to cover the rest; start again rather than skip keys.
  if (match === null || nodeIndex < 0) return { nodeIndex: 0, cursor: '0' };
  return { nodeIndex, cursor: match[2]! };
}

export interface ReadResult {
  sessions: Session[];
  problems: SessionProblem[];
  /** Keys that no longer existed when read (expired or deleted since they were listed). */
  missing: string[];
}

export type Judged = { session: Session } | { problem: SessionProblem } | undefined;

/**
 * What one key under the prefix is: a live session, a problem to report (another type, a key name
 * that is not a session id, a malformed record, an expired record kept without a TTL), or nothing (a
 * session whose expires_at has passed is gone for the server). `hash` holds the fields read (at least
 * the five session fields); `pttl` is the key's PTTL.
 */
export function judgeRecord(ctx: SessionContext, key: string, hash: Record<string, string> | 'wrongtype', pttl: number, nowMicros: number): Judged {
  const id = ctx.keys.idOf(key);
  if (hash === 'wrongtype') return { problem: { key, ...(id === undefined ? {} : { id }), problem: 'not a session: the key holds another Redis type than a hash' } };
  if (id === undefined) return { problem: { key, problem: 'not a session: the key name is not the prefix followed by a SHA-256 hex hash' } };
  const parsed = parseSessionHash(id, hash);
  if (!parsed.ok) return { problem: { key, id, problem: parsed.problem } };
  if (parsed.record.expiresAtMicros <= nowMicros) {
    return pttl === -1 ? { problem: { key, id, problem: 'expired session kept without a TTL: the server will reject it; revoke it to clean up' } } : undefined;
  }
  return { session: { ...parsed.record, ttlSeconds: pttl < 0 ? null : Math.floor(pttl / 1000) } };
}

/**
 * HGETALL and PTTL for every key, in one pipelined batch per node. Sessions whose expires_at has passed
 * are left out (they are gone for the server); malformed records and keys of another type are reported.
 */
export async function readSessions(ctx: SessionContext, keys: string[]): Promise<ReadResult> {
  const nowMicros = ctx.now().getTime() * 1000;
  const result: ReadResult = { sessions: [], problems: [], missing: [] };
  for (const { key, hash, pttl } of await readHashes(ctx, keys)) {
    if (hash === undefined) {
      result.missing.push(key);
      continue;
    }
    const judged = judgeRecord(ctx, key, hash, pttl, nowMicros);
    if (judged === undefined) continue;
    if ('session' in judged) result.sessions.push(judged.session);
    else result.problems.push(judged.problem);
  }
  return result;
}

interface RawRead {
  key: string;
  /** undefined when the key does not exist. */
  hash: Record<string, string> | 'wrongtype' | undefined;
  pttl: number;
}

/**
 * HGETALL + PTTL for each key: one script call per batch on a single server; in a cluster (a batch
 * spans many slots), or where scripts are refused, two commands per key, auto-pipelined into one round
 * trip per node.
 */
async function readHashes(ctx: SessionContext, keys: string[]): Promise<RawRead[]> {
  if (keys.length === 0) return [];
  const client = await ctx.client();
  const pipelined = async (): Promise<RawRead[]> => {
    const settled = await Promise.all(keys.map((key) => Promise.allSettled([client.hgetall(key), client.pttl(key)])));
    return keys.map((key, i) => {
      const [hash, pttl] = settled[i]!;
      if (hash.status === 'rejected') {
        if (String((hash.reason as Error | undefined)?.message).startsWith('WRONGTYPE')) return { key, hash: 'wrongtype', pttl: -2 };
        throw ctx.redis.failure(hash.reason);
      }
      if (pttl.status === 'rejected') throw ctx.redis.failure(pttl.reason);
      return { key, hash: Object.keys(hash.value).length === 0 ? undefined : hash.value, pttl: pttl.value };
    });
  };
  if (ctx.redis.isCluster) return pipelined();
  const scripted = async (): Promise<RawRead[]> => {
    const replies = await client.latchkeyReadMany(keys.length, ...keys);
    return keys.map((key, i) => {
      const reply = replies[i] ?? [];
      if (reply.length === 0) return { key, hash: undefined, pttl: -2 };
      if (reply[0] === 'wrongtype') return { key, hash: 'wrongtype', pttl: -2 };
      const [pttl, ...flat] = reply as [number, ...string[]];
      // No prototype: field names come from Redis, and one may be "__proto__".
      const hash = Object.create(null) as Record<string, string>;
      for (let f = 0; f + 1 < flat.length; f += 2) hash[flat[f]!] = flat[f + 1]!;
      return { key, hash, pttl };
    });
  };
  try {
    return await ctx.withScriptFallback(scripted, pipelined);
  } catch (error) {
    throw ctx.redis.failure(error);
  }
}
