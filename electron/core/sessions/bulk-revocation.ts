import { untilAborted } from '../async/until-aborted';
import type { SessionContext } from './context';
import { revokeEach } from './deletion';
import { dropIndexEntries, forgetRevoked, indexEntries, type IndexKind } from './indexes';
import { RevocationRun } from './revocation-run';
import type { SessionProblem } from './scan';
import type { RevokeReply } from './scripts';
import { deviceIdSchema, parseInput, userIdSchema } from './session-input';
import { walkSessions } from './walk';

/**
 * Revoking every session of a user or a device.
 *
 * - 'index': read the owner's index (one round trip), then revoke what it names and clean both
 *   indexes in pipelined batches (one more round trip per batch of up to `batchSize` sessions on a
 *   single server; two in a cluster). Cost O(the owner's sessions), independent of the keyspace.
 * - 'scan': walk the keyspace (walk.ts): each master compares the owner field in Lua, a bounded SCAN
 *   batch per call, and sends back only the owner's keys, which are then revoked. Finds sessions written
 *   by servers that keep no index. Cost O(keyspace) on the server, O(the owner's sessions) on the wire.
 * - 'both' (the default unless the store is told otherwise): the index first, so indexed sessions end at once, then the scan. Use it unless
 *   every writer of this Redis maintains Latchkey's indexes (or they were just rebuilt), because a
 *   session missed by a lost-device revocation stays usable by whoever has the device.
 *
 * Every run writes a `started` audit entry first and one outcome with the count Redis confirmed, also
 * when it is cancelled or Redis goes away part-way (revocation-run.ts): running the same revocation
 * again finishes the job, and sessions already revoked are not counted twice.
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
  /** The longest single call of the keyspace walk, in ms (0 without a walk). */
  longestCallMs: number;
}

export async function revokeOwnerSessions(ctx: SessionContext, kind: IndexKind, owner: string, options: BulkRevocationOptions = {}): Promise<BulkRevocationResult> {
  parseInput(kind === 'user' ? userIdSchema : deviceIdSchema, owner, `${kind} id`);
  const strategy = options.strategy ?? ctx.defaultStrategy;
  const result: BulkRevocationResult = { revoked: 0, viaIndex: 0, viaScan: 0, strategy, skipped: [], longestCallMs: 0 };
  const run = new RevocationRun(
    ctx,
    { kind: kind === 'user' ? 'session.revoke-user' : 'session.revoke-device', ...(kind === 'user' ? { userId: owner } : { deviceId: owner }) },
    `the sessions of ${kind} "${owner}"`,
    options.signal,
  );
  return run.run(async () => {
    if (strategy !== 'scan') await revokeThroughIndex(ctx, kind, owner, options, result, run);
    if (strategy !== 'index') await revokeThroughScan(ctx, kind, owner, options, result, run);
    return result;
  });
}

async function revokeThroughIndex(ctx: SessionContext, kind: IndexKind, owner: string, options: BulkRevocationOptions, result: BulkRevocationResult, run: RevocationRun): Promise<void> {
  const entries = await untilAborted(indexEntries(ctx, kind, owner), options.signal);
  const field = kind === 'user' ? 'user_id' : 'device_id';
  for (let start = 0; start < entries.length; start += ctx.batchSize) {
    run.throwIfCancelled();
    const chunk = entries.slice(start, start + ctx.batchSize);
    const keys = chunk.map((entry) => ctx.keys.session(entry.id));
    // On one server the index clean-up rides in the same pipeline, after the revocations: Redis runs a
    // connection's commands in order, so an entry is only ever removed after its session was. In a
    // cluster the two land on different nodes with no such order, so the clean-up waits for the replies.
    // Both are issued synchronously on one client, so auto-pipelining sends them in this order.
    const client = await ctx.client();
    let cleaning: Promise<unknown> | undefined;
    const gone: { id: string; userId: string; deviceId: string }[] = [];
    await run.deletion(
      keys.length,
      () => {
        const revoking = revokeEach(ctx, keys, [field, owner]);
        if (!ctx.redis.isCluster) {
          cleaning = dropIndexEntries(ctx, client, chunk).catch((error: unknown) =>
            ctx.logger.warn('revoked sessions but could not clean their index entries; reads will drop them', { error }),
          );
        }
        return revoking;
      },
      (replies) =>
        replies.forEach((reply, i) => {
          const entry = chunk[i]!;
          if (reply === undefined) return; // no answer: unconfirmed, and its entry stays for the next run
          if (reply !== null && reply[0] === 'wrongtype') {
            result.skipped.push({ key: keys[i]!, id: entry.id, problem: `not a session: the key holds a ${reply[1]}, not a hash` });
          } else if (reply !== null && reply[0] === 'ok') {
            result.revoked += 1;
            result.viaIndex += 1;
            run.counted(entry.id);
          }
          // Deleted now, already gone, or not this owner's session: either way this entry must go.
          gone.push(reply !== null && reply[0] === 'ok' ? { id: entry.id, userId: reply[1], deviceId: reply[2] } : entry);
        }),
    );
    await cleaning;
    if (ctx.redis.isCluster) await forgetRevoked(ctx, gone);
    options.onProgress?.({ phase: 'index', revoked: result.revoked });
  }
}

async function revokeThroughScan(ctx: SessionContext, kind: IndexKind, owner: string, options: BulkRevocationOptions, result: BulkRevocationResult, run: RevocationRun): Promise<void> {
  const field = kind === 'user' ? 'user_id' : 'device_id';
  const filter = kind === 'user' ? { userId: owner } : { deviceId: owner };
  for await (const batch of walkSessions(ctx, { filter, signal: options.signal, parallel: true })) {
    result.longestCallMs = Math.max(result.longestCallMs, batch.callMs);
    // Malformed records of this owner are sessions too for the server's own revocation: revoke them all.
    const keys = [...batch.sessions.map((session) => ctx.keys.session(session.id)), ...batch.problems.filter((problem) => problem.id !== undefined).map((problem) => problem.key)];
    if (keys.length > 0) {
      const gone: { id: string; userId: string; deviceId: string }[] = [];
      await run.deletion(
        keys.length,
        () => revokeEach(ctx, keys, [field, owner]),
        (replies: (RevokeReply | undefined)[]) =>
          replies.forEach((reply, i) => {
            if (reply?.[0] !== 'ok') return;
            const id = ctx.keys.idOf(keys[i]!);
            result.revoked += 1;
            result.viaScan += 1;
            run.counted(id);
            if (id !== undefined) gone.push({ id, userId: reply[1], deviceId: reply[2] });
          }),
      );
      await forgetRevoked(ctx, gone);
    }
    options.onProgress?.({ phase: 'scan', revoked: result.revoked, scannedKeys: batch.progress.scannedKeys, estimatedKeys: batch.progress.estimatedKeys });
  }
}
