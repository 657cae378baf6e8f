import type { Redis } from 'ioredis';
import { untilAborted } from '../async/until-aborted';
import type { SessionContext } from './context';
import { isEmptyFilter, matchesFilter, type SessionFilter } from './filter';
import { nodeName, parseResume, readSessions, sumDbSize, judgeRecord, type ScanOptions, type ScanProgress, type Session, type SessionProblem } from './scan';
import { SESSION_FIELDS } from './record';
import { withScripts, type WalkEntry, type WalkReply } from './scripts';

/**
 * The keyspace walk: every session matching a filter, batch by batch, from each master node.
 *
 * Each step is one call per node (walk-scripts.ts): SCAN with a bounded COUNT, the filter applied in
 * Lua, and only the keys that may match sent back with their five fields — one round trip per step,
 * nothing sent for keys that do not match. Where the server refuses scripts, the same step runs on
 * the client from the same cursor: SCAN, then every key's fields in one pipelined round trip, filtered
 * here. Both give the same sessions: the Lua side only narrows, and `matchesFilter` decides.
 *
 * Sessions that exist from the start to the end of a walk are all found; SCAN may return one twice
 * (`unique` drops repeats); one created or deleted during the walk may or may not be found.
 */
export interface WalkOptions extends ScanOptions {
  filter?: SessionFilter;
  /** Resume a walk where a batch's `resumeAt` said (sequential walks only). */
  from?: string;
  /** Keep each session's digest as read, for a revocation's compare-and-delete. */
  forRevocation?: boolean;
  /** Walk the masters of a cluster at the same time (a walk that is not resumed later). */
  parallel?: boolean;
}

export interface WalkBatch {
  sessions: Session[];
  problems: SessionProblem[];
  /** With `forRevocation` on the server-side walk: the digest of each session's fields, by id. */
  digests: Map<string, string>;
  /** The master the batch came from (a revocation deletes its keys there). */
  node: Redis;
  progress: ScanProgress;
  /** Where to resume: `<node>/<cursor>`, or null after the last node (always null for a parallel walk). */
  resumeAt: string | null;
  /** Round-trip time of this batch's call in ms: how long that step held the connection. */
  callMs: number;
}

interface Step {
  cursor: string;
  scanned: number;
  sessions: Session[];
  problems: SessionProblem[];
  digests: Map<string, string>;
  callMs: number;
}

export async function* walkSessions(ctx: SessionContext, options: WalkOptions = {}): AsyncGenerator<WalkBatch> {
  const nodes = await ctx.redis.masters().catch((error: unknown) => {
    throw ctx.redis.failure(error);
  });
  const named = nodes.map((node) => ({ node: withScripts(node) as Redis, name: nodeName(node) })).sort((a, b) => a.name.localeCompare(b.name));
  const progress: ScanProgress = { scannedKeys: 0, estimatedKeys: await sumDbSize(ctx, named.map((n) => n.node)), nodesDone: 0, nodesTotal: named.length };
  const seen = options.unique === true ? new Set<string>() : undefined;
  const criteria = luaCriteria(options.filter ?? {});
  const walkNode = (node: Redis, from: string) => nodeSteps(ctx, node, from, criteria, options);

  const batchOf = (step: Step, node: Redis, resumeAt: string | null): WalkBatch => {
    progress.scannedKeys += step.scanned;
    const sessions = seen === undefined ? step.sessions : step.sessions.filter((session) => firstTime(seen, session.id));
    options.onProgress?.({ ...progress });
    return { sessions, problems: step.problems, digests: step.digests, node, progress: { ...progress }, resumeAt, callMs: step.callMs };
  };

  if (options.parallel === true && named.length > 1) {
    const walks = named.map(({ node }) => ({ node, steps: walkNode(node, '0') }));
    for await (const { node, step } of merge(walks)) {
      if (step.cursor === '0') progress.nodesDone += 1;
      yield batchOf(step, node, null);
    }
    return;
  }

  const start = parseResume(options.from, named.map((n) => n.name));
  progress.nodesDone = start.nodeIndex;
  for (let index = start.nodeIndex; index < named.length; index += 1) {
    const { node, name } = named[index]!;
    for await (const step of walkNode(node, index === start.nodeIndex ? start.cursor : '0')) {
      if (step.cursor === '0') progress.nodesDone = index + 1;
      const next = step.cursor !== '0' ? `${name}/${step.cursor}` : index + 1 < named.length ? `${named[index + 1]!.name}/0` : null;
      const batch = batchOf(step, node, next);
      if (batch.sessions.length > 0 || batch.problems.length > 0 || next === null) yield batch;
    }
  }
}

/** One node's steps, each asked for as soon as the previous cursor is known (the server works while the caller does). */
async function* nodeSteps(ctx: SessionContext, node: Redis, from: string, criteria: string[], options: WalkOptions): AsyncGenerator<Step> {
  const count = String(options.count ?? ctx.batchSize);
  const pattern = ctx.keys.scanPattern();
  const filter = options.filter ?? {};
  const ask = (cursor: string) => {
    const pending = step(ctx, node, cursor, pattern, count, criteria, filter, options.forRevocation === true);
    pending.catch(() => undefined); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
    return pending;
  };
  let pending = ask(from);
  for (;;) {
    const result = await untilAborted(pending, options.signal, 'The session walk was cancelled.');
    if (result.cursor !== '0') pending = ask(result.cursor);
    yield result;
    if (result.cursor === '0') return;
  }
}

async function step(ctx: SessionContext, node: Redis, cursor: string, pattern: string, count: string, criteria: string[], filter: SessionFilter, forRevocation: boolean): Promise<Step> {
  const started = performance.now();
  const scripted = async (): Promise<Step> => {
    const reply = await (node as ReturnType<typeof withScripts>).latchkeyWalk(cursor, pattern, count, forRevocation ? '1' : '0', ...criteria);
    return { ...judgeWalkReply(ctx, reply, filter), callMs: performance.now() - started };
  };
  const plain = async (): Promise<Step> => {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    const callMs = performance.now() - started;
    const read = await readSessions(ctx, keys);
    return { cursor: next, scanned: keys.length, sessions: read.sessions.filter((session) => matchesFilter(session, filter)), problems: read.problems, digests: new Map(), callMs };
  };
  try {
    return await ctx.withScriptFallback(scripted, plain);
  } catch (error) {
    throw ctx.redis.failure(error);
  }
}

/** The script's candidates, judged by the same rules as every other read (judgeRecord, matchesFilter). */
function judgeWalkReply(ctx: SessionContext, reply: WalkReply, filter: SessionFilter): Omit<Step, 'callMs'> {
  const [cursor, scanned, ...entries] = reply;
  const nowMicros = ctx.now().getTime() * 1000;
  const out: Omit<Step, 'callMs'> = { cursor, scanned, sessions: [], problems: [], digests: new Map() };
  for (const entry of entries as WalkEntry[]) {
    const key = entry[0];
    let judged;
    if (entry[1] === 'w') {
      judged = judgeRecord(ctx, key, 'wrongtype', -2, nowMicros);
    } else {
      // No prototype: the hash is built from Redis data.
      const hash = Object.create(null) as Record<string, string>;
      SESSION_FIELDS.forEach((field, i) => {
        const value = entry[3 + i];
        if (typeof value === 'string') hash[field] = value;
      });
      judged = judgeRecord(ctx, key, hash, entry[2], nowMicros);
      if (judged !== undefined && 'session' in judged && typeof entry[8] === 'string') out.digests.set(judged.session.id, entry[8]);
    }
    if (judged === undefined) continue;
    if ('problem' in judged) out.problems.push(judged.problem);
    else if (matchesFilter(judged.session, filter)) out.sessions.push(judged.session);
  }
  return out;
}

/** The filter as the walk script's ARGV criteria (see WALK_LUA). */
export function luaCriteria(filter: SessionFilter): string[] {
  if (isEmptyFilter(filter)) return [];
  const criteria: string[] = [];
  if (filter.userId !== undefined) criteria.push('owner', '1', filter.userId);
  if (filter.deviceId !== undefined) criteria.push('owner', '2', filter.deviceId);
  for (const [field, value] of Object.entries(filter.metadata ?? {})) criteria.push('meta', field, value);
  const time = (field: '3' | '4', op: '<' | '>=', micros: number | undefined) => {
    if (micros !== undefined) criteria.push('time', field, op, String(micros));
  };
  time('3', '<', filter.createdBefore);
  time('3', '>=', filter.createdAfter);
  time('4', '<', filter.expiresBefore);
  time('4', '>=', filter.expiresAfter);
  if (filter.expiringWithinSeconds !== undefined) criteria.push('ttl', String(filter.expiringWithinSeconds));
  return criteria;
}

function firstTime(seen: Set<string>, id: string): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  return true;
}

/** Steps of several nodes as they come, each node's steps in order. */
async function* merge(walks: { node: Redis; steps: AsyncGenerator<Step> }[]): AsyncGenerator<{ node: Redis; step: Step }> {
  const next = (index: number) => walks[index]!.steps.next().then((result) => ({ index, result }));
  const pending = new Map(walks.map((_, index) => [index, next(index)]));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done === true) {
        pending.delete(index);
        continue;
      }
      pending.set(index, next(index));
      yield { node: walks[index]!.node, step: result.value };
    }
  } finally {
    // Stopped early (cancel, failure): close every node's walk so no prefetch is left dangling.
    for (const promise of pending.values()) promise.catch(() => undefined);
    await Promise.allSettled(walks.map((walk) => walk.steps.return(undefined)));
  }
}
