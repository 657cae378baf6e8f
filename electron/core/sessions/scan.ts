import type { Redis } from 'ioredis';
import { cancelled } from '../errors';
import type { SessionContext } from './context';
import { parseSessionHash, type SessionRecord } from './record';

/**
 * The keyspace walk for sessions that no index knows about: SCAN each master node with MATCH on the
 * prefix, and read the keys it returns in pipelined batches (one round trip per batch, never one per
 * key). Everything here streams: memory stays O(batch) for any size of keyspace.
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
   * Drop keys this walk already returned. SCAN may return a key twice (when Redis resizes its table
   * between calls); counts and listings must not show it twice. Costs memory for every key seen
   * (about 100 bytes each); walks that are idempotent per key (revocation) leave it off.
   */
  unique?: boolean;
  onProgress?: (progress: ScanProgress) => void;
  /** SCAN COUNT hint: how many keys each SCAN call looks at. */
  count?: number;
}

export interface KeyBatch {
  keys: string[];
  progress: ScanProgress;
  /** Where to resume: `<node>/<cursor>`, or null after the last node. */
  resumeAt: string | null;
}

/** Every key under the prefix, node by node, batch by batch. `from` resumes a walk (see KeyBatch.resumeAt). */
export async function* scanSessionKeys(ctx: SessionContext, options: ScanOptions & { from?: string } = {}): AsyncGenerator<KeyBatch> {
  const nodes = await ctx.redis.masters().catch((error: unknown) => {
    throw ctx.redis.failure(error);
  });
  const named = nodes.map((node) => ({ node, name: nodeName(node) })).sort((a, b) => a.name.localeCompare(b.name));
  const estimatedKeys = await sumDbSize(ctx, named.map((n) => n.node));
  const start = parseResume(options.from, named.map((n) => n.name));
  const progress: ScanProgress = { scannedKeys: 0, estimatedKeys, nodesDone: start.nodeIndex, nodesTotal: named.length };
  const pattern = ctx.keys.scanPattern();
  const count = String(options.count ?? ctx.batchSize);
  const seen = options.unique === true ? new Set<string>() : undefined;

  for (let index = start.nodeIndex; index < named.length; index += 1) {
    const { node, name } = named[index]!;
    const scan = (cursor: string) => {
      const reply = node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      reply.catch(() => undefined); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
      return reply;
    };
    let pending = scan(index === start.nodeIndex ? start.cursor : '0');
    for (;;) {
      if (options.signal?.aborted === true) throw cancelled('The session scan was cancelled.');
      let reply: [string, string[]];
      try {
        reply = await pending;
      } catch (error) {
        throw ctx.redis.failure(error);
      }
      const [cursor, returned] = reply;
      const keys = seen === undefined ? returned : returned.filter((key) => firstTime(seen, key));
      // Ask for the next batch now, so the server scans while the caller works on this one.
      if (cursor !== '0') pending = scan(cursor);
      progress.scannedKeys += keys.length;
      if (cursor === '0') progress.nodesDone = index + 1;
      options.onProgress?.({ ...progress });
      const next = cursor !== '0' ? `${name}/${cursor}` : index + 1 < named.length ? `${named[index + 1]!.name}/0` : null;
      if (keys.length > 0 || next === null) yield { keys, progress: { ...progress }, resumeAt: next };
      if (cursor === '0') break;
    }
  }
}

function firstTime(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

function nodeName(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}

async function sumDbSize(ctx: SessionContext, nodes: Redis[]): Promise<number> {
  try {
    const sizes = await Promise.all(nodes.map((node) => node.dbsize()));
    return sizes.reduce((sum, size) => sum + size, 0);
  } catch (error) {
    throw ctx.redis.failure(error);
  }
}

const RESUME = /^([^/]+)\/(\d{1,20})$/;

function parseResume(from: string | undefined, names: string[]): { nodeIndex: number; cursor: string } {
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

/**
 * HGETALL and PTTL for every key, in one pipelined batch per node. Sessions whose expires_at has passed
 * are left out (they are gone for the server); malformed records and keys of another type are reported.
 */
export async function readSessions(ctx: SessionContext, keys: string[]): Promise<ReadResult> {
  const nowMicros = ctx.now().getTime() * 1000;
  const result: ReadResult = { sessions: [], problems: [], missing: [] };
  for (const { key, hash, pttl } of await readHashes(ctx, keys)) {
    const id = ctx.keys.idOf(key);
    if (hash === 'wrongtype') {
      result.problems.push({ key, ...(id === undefined ? {} : { id }), problem: 'not a session: the key holds another Redis type than a hash' });
      continue;
    }
    if (hash === undefined) {
      result.missing.push(key);
      continue;
    }
    if (id === undefined) {
      result.problems.push({ key, problem: 'not a session: the key name is not the prefix followed by a SHA-256 hex hash' });
      continue;
    }
    const parsed = parseSessionHash(id, hash);
    if (!parsed.ok) {
      result.problems.push({ key, id, problem: parsed.problem });
      continue;
    }
    if (parsed.record.expiresAtMicros <= nowMicros) {
      if (pttl === -1) result.problems.push({ key, id, problem: 'expired session kept without a TTL: the server will reject it; revoke it to clean up' });
      continue;
    }
    result.sessions.push({ ...parsed.record, ttlSeconds: pttl < 0 ? null : Math.floor(pttl / 1000) });
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
 * spans many slots) two commands per key, auto-pipelined into one round trip per node.
 */
async function readHashes(ctx: SessionContext, keys: string[]): Promise<RawRead[]> {
  if (keys.length === 0) return [];
  const client = await ctx.client();
  if (!ctx.redis.isCluster) {
    let replies: Awaited<ReturnType<typeof client.latchkeyReadMany>>;
    try {
      replies = await client.latchkeyReadMany(keys.length, ...keys);
    } catch (error) {
      throw ctx.redis.failure(error);
    }
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
  }
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
}

/**
 * The keys among `keys` whose hash field `field` equals `value`: the owner filter of keyspace walks.
 * On a single server one script call per batch does it; in a cluster, one HGET per key, auto-pipelined
 * per node (a batch spans many slots). Keys of another type never match.
 */
export async function keysWithField(ctx: SessionContext, keys: string[], field: string, value: string): Promise<string[]> {
  if (keys.length === 0) return [];
  const client = await ctx.client();
  if (!ctx.redis.isCluster) {
    try {
      const positions = await client.latchkeyMatchField(keys.length, ...keys, field, value);
      return positions.map((position) => keys[position - 1]!);
    } catch (error) {
      throw ctx.redis.failure(error);
    }
  }
  const values = await Promise.allSettled(keys.map((key) => client.hget(key, field)));
  return keys.filter((_, i) => {
    const read = values[i]!;
    if (read.status === 'fulfilled') return read.value === value;
    if (String((read.reason as Error | undefined)?.message).startsWith('WRONGTYPE')) return false;
    throw ctx.redis.failure(read.reason);
  });
}
