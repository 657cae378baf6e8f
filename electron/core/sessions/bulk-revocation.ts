import { backendUnavailable, isLatchkeyError, LatchkeyError } from '../errors';
import { AUDIT_MAX_IDS } from './audit';
import type { SessionContext } from './context';
import { dropIndexEntries, indexEntries, type IndexKind } from './indexes';
import { keysWithField, scanSessionKeys, type SessionProblem } from './scan';
import type { RevokeReply } from './scripts';
import { deviceIdSchema, parseInput, userIdSchema } from './session-input';

/**
 * Revoking every session of a user or a device.
 *
 * - 'index': read the owner's index (one round trip), then revoke what it names and clean both
 *   indexes in pipelined batches (one more round trip per batch of up to `batchSize` sessions on a
 *   single server; two in a cluster). Cost O(the owner's sessions), independent of the keyspace.
 * - 'scan': walk the keyspace with SCAN and pipelined HMGETs: finds sessions written by servers that
 *   keep no index. Cost O(keyspace), one round trip per batch, never one per key.
 * - 'both' (the default unless the store is told otherwise): the index first, so indexed sessions end at once, then the scan. Use it unless
 *   every writer of this Redis maintains Latchkey's indexes (or they were just rebuilt), because a
 *   session missed by a lost-device revocation stays usable by whoever has the device.
 *
 * Every run emits one audit event, also when Redis goes away part-way ('partial'): running the same
 * revocation again finishes the job, and sessions already revoked are not counted twice.
 */
export type LookupStrategy = 'index' | 'scan' | 'both';

export interface BulkRevocationProgress {
  phase: 'index' | 'scan';
  revoked: number;
  /** Scan phase: keys looked at and the DBSIZE-based upper bound. */
  scannedKeys?: number;
  estimatedKeys?: number;
}

export interface BulkRevocationOptions {
  strategy?: LookupStrategy;
  signal?: AbortSignal;
  onProgress?: (progress: BulkRevocationProgress) => void;
}

export interface BulkRevocationResult {
  revoked: number;
  viaIndex: number;
  viaScan: number;
  strategy: LookupStrategy;
  /** Keys that were named for this owner but are not session hashes (left alone). */
  skipped: SessionProblem[];
}

export async function revokeOwnerSessions(ctx: SessionContext, kind: IndexKind, owner: string, options: BulkRevocationOptions = {}): Promise<BulkRevocationResult> {
  parseInput(kind === 'user' ? userIdSchema : deviceIdSchema, owner, `${kind} id`);
  const strategy = options.strategy ?? ctx.defaultStrategy;
  const result: BulkRevocationResult = { revoked: 0, viaIndex: 0, viaScan: 0, strategy, skipped: [] };
  const revokedIds: string[] = [];
  let outcome: 'complete' | 'partial' = 'partial';
  try {
    if (strategy !== 'scan') await revokeThroughIndex(ctx, kind, owner, options, result, revokedIds);
    if (strategy !== 'index') await revokeThroughScan(ctx, kind, owner, options, result, revokedIds);
    outcome = 'complete';
    return result;
  } catch (error) {
    throw partialFailure(ctx, error, kind, owner, result.revoked);
  } finally {
    await ctx.audit({
      kind: kind === 'user' ? 'session.revoke-user' : 'session.revoke-device',
      ...(kind === 'user' ? { userId: owner } : { deviceId: owner }),
      sessionIds: revokedIds,
      count: result.revoked,
      outcome,
    });
  }
}

async function revokeThroughIndex(
  ctx: SessionContext,
  kind: IndexKind,
  owner: string,
  options: BulkRevocationOptions,
  result: BulkRevocationResult,
  revokedIds: string[],
): Promise<void> {
  const entries = await indexEntries(ctx, kind, owner);
  for (let start = 0; start < entries.length; start += ctx.batchSize) {
    if (options.signal?.aborted === true) throw new LatchkeyError('Cancelled', 'cancelled');
    const chunk = entries.slice(start, start + ctx.batchSize);
    const keys = chunk.map((entry) => ctx.keys.session(entry.id));
    // On one server the index clean-up rides in the same pipeline, after the revocations: Redis runs a
    // connection's commands in order, so an entry is only ever removed after its session was. In a
    // cluster the two land on different nodes with no such order, so the clean-up waits for the replies.
    // Both are issued synchronously on one client, so auto-pipelining sends them in this order.
    const client = await ctx.client();
    const field = kind === 'user' ? 'user_id' : 'device_id';
    const revoking = Promise.all(keys.map((key) => client.latchkeyRevokeSession(key, field, owner)));
    const cleaning = ctx.redis.isCluster ? undefined : dropIndexEntries(ctx, client, chunk);
    let replies: RevokeReply[];
    try {
      [replies] = await Promise.all([revoking, cleaning]);
    } catch (error) {
      throw ctx.redis.failure(error);
    }
    const gone: { id: string; userId: string; deviceId: string }[] = [];
    replies.forEach((reply, i) => {
      const entry = chunk[i]!;
      if (reply !== null && reply[0] === 'wrongtype') {
        result.skipped.push({ key: keys[i]!, id: entry.id, problem: `not a session: the key holds a ${reply[1]}, not a hash` });
      } else if (reply !== null && reply[0] === 'ok') {
        result.revoked += 1;
        result.viaIndex += 1;
        note(revokedIds, entry.id);
      }
      // Deleted now, already gone, or not this owner's session: either way this entry must go.
      gone.push(reply !== null && reply[0] === 'ok' ? { id: entry.id, userId: reply[1], deviceId: reply[2] } : entry);
    });
    if (cleaning === undefined) await clean(ctx, gone);
    options.onProgress?.({ phase: 'index', revoked: result.revoked });
  }
}

async function revokeThroughScan(
  ctx: SessionContext,
  kind: IndexKind,
  owner: string,
  options: BulkRevocationOptions,
  result: BulkRevocationResult,
  revokedIds: string[],
): Promise<void> {
  const field = kind === 'user' ? 'user_id' : 'device_id';
  for await (const batch of scanSessionKeys(ctx, { signal: options.signal })) {
    const matches = await keysWithField(ctx, batch.keys, field, owner);
    if (matches.length > 0) {
      const replies = await revokeKeys(ctx, matches, field, owner);
      const gone: { id: string; userId: string; deviceId: string }[] = [];
      replies.forEach((reply, i) => {
        if (reply?.[0] !== 'ok') return;
        const id = ctx.keys.idOf(matches[i]!);
        result.revoked += 1;
        result.viaScan += 1;
        if (id !== undefined) {
          note(revokedIds, id);
          gone.push({ id, userId: reply[1], deviceId: reply[2] });
        }
      });
      await clean(ctx, gone);
    }
    options.onProgress?.({ phase: 'scan', revoked: result.revoked, scannedKeys: batch.progress.scannedKeys, estimatedKeys: batch.progress.estimatedKeys });
  }
}

async function revokeKeys(ctx: SessionContext, keys: string[], field: 'user_id' | 'device_id', owner: string): Promise<RevokeReply[]> {
  const client = await ctx.client();
  try {
    return await Promise.all(keys.map((key) => client.latchkeyRevokeSession(key, field, owner)));
  } catch (error) {
    throw ctx.redis.failure(error);
  }
}

async function clean(ctx: SessionContext, gone: { id: string; userId: string; deviceId: string }[]): Promise<void> {
  if (gone.length === 0) return;
  const client = await ctx.client();
  try {
    await dropIndexEntries(ctx, client, gone);
  } catch (error) {
    throw ctx.redis.failure(error);
  }
}

function partialFailure(ctx: SessionContext, error: unknown, kind: IndexKind, owner: string, revoked: number): LatchkeyError {
  const failure = isLatchkeyError(error) ? error : ctx.redis.failure(error);
  const done = `${revoked} session${revoked === 1 ? ' was' : 's were'} revoked before it stopped`;
  if (failure.kind === 'Cancelled') {
    return new LatchkeyError('Cancelled', `Revoking the sessions of ${kind} "${owner}" was cancelled; ${done}. Run it again to finish.`);
  }
  if (failure.kind === 'BackendUnavailable') {
    return backendUnavailable(`Revoking the sessions of ${kind} "${owner}" stopped: ${failure.message} ${capitalize(done)}; run the same revocation again to finish (sessions already revoked are not counted twice).`, {
      cause: failure,
      retryAfterMs: failure.retryAfterMs,
    });
  }
  return failure;
}

/** The audit event lists at most AUDIT_MAX_IDS ids (and says so); don't hold more than that. */
function note(ids: string[], id: string): void {
  if (ids.length <= AUDIT_MAX_IDS) ids.push(id);
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
