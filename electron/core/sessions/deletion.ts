import type { Redis } from 'ioredis';
import type { SessionContext } from './context';
import { isScriptingRefused } from './redis-errors';
import { withScripts, type RevokeReply } from './scripts';

/**
 * The deleting calls of bulk revocations. Each reports what Redis confirmed and how many deletions it
 * sent without an answer (for RevocationRun's exact counts); none throws.
 *
 * With scripts, each deletion checks the session in the same atomic step (the owner, or all five fields
 * unchanged since they were judged). Where scripts are refused, the check is a read just before a plain
 * DEL: a session changed in that instant could still be deleted. The API server never changes a
 * session's owner or metadata; only Latchkey's extend moves expires_at.
 */
export interface Settled<R> {
  results: R[];
  /** Deletions sent whose reply did not come. */
  unconfirmed: number;
  error?: unknown;
}

export interface Deleted {
  key: string;
  userId: string;
  deviceId: string;
}

/**
 * Revokes each key, only if its `field` is `owner` when given (latchkeyRevokeSession): one reply per
 * key, in order; undefined where no reply came. Auto-pipelined: one round trip per node.
 */
export async function revokeEach(ctx: SessionContext, keys: string[], check?: ['user_id' | 'device_id', string]): Promise<Settled<RevokeReply | undefined>> {
  const client = await ctx.client();
  const scripted = async () => {
    const settled = await Promise.allSettled(keys.map((key) => client.latchkeyRevokeSession(key, ...(check ?? []))));
    // Refused scripts ran nowhere: let the fallback do every key.
    const refused = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected' && isScriptingRefused(result.reason));
    if (refused !== undefined) throw refused.reason;
    return settle(settled);
  };
  const plain = async (): Promise<Settled<RevokeReply | undefined>> => {
    // Without scripts: read the owners (one round trip), then delete the keys that are session hashes of
    // this owner (one more), counting what DEL says it removed.
    const owners = await Promise.allSettled(keys.map((key) => client.hmget(key, 'user_id', 'device_id')));
    const out: Settled<RevokeReply | undefined> = { results: new Array<RevokeReply | undefined>(keys.length).fill(undefined), unconfirmed: 0 };
    const deleting: Promise<void>[] = [];
    owners.forEach((read, i) => {
      if (read.status === 'rejected') {
        if (String((read.reason as Error | undefined)?.message).startsWith('WRONGTYPE')) out.results[i] = ['wrongtype', 'not a hash'];
        else out.error ??= read.reason; // not read, so not deleted: neither counted nor unconfirmed
        return;
      }
      const [userId, deviceId] = read.value;
      if (userId === null && deviceId === null) return void (out.results[i] = null);
      if (check !== undefined && (check[0] === 'user_id' ? userId : deviceId) !== check[1]) return void (out.results[i] = ['mismatch']);
      deleting.push(
        client.del(keys[i]!).then(
          (removed) => void (out.results[i] = removed === 1 ? ['ok', userId ?? '', deviceId ?? ''] : null),
          (error: unknown) => {
            out.unconfirmed += 1;
            out.error ??= error;
          },
        ),
      );
    });
    await Promise.all(deleting);
    return out;
  };
  return ctx.withScriptFallback(scripted, plain).catch((error: unknown) => ({ results: [], unconfirmed: keys.length, error }));
}

/**
 * Deletes the sessions a client-side judgement chose, on the master that holds them, if their fields
 * are still exactly what was judged (`digests`: by key). Without scripts (or without digests: the
 * client-side walk has none), plain DELs through the client.
 */
export async function deleteUnchanged(ctx: SessionContext, node: Redis, entries: { key: string; digest: string | undefined; userId: string; deviceId: string }[]): Promise<Settled<Deleted>> {
  if (entries.length === 0) return { results: [], unconfirmed: 0 };
  const plain = async (): Promise<Settled<Deleted>> => {
    const client = await ctx.client();
    const deleting = await Promise.allSettled(entries.map((entry) => client.del(entry.key)));
    const results: Deleted[] = [];
    let unconfirmed = 0;
    let error: unknown;
    deleting.forEach((deleted, i) => {
      const entry = entries[i]!;
      if (deleted.status === 'rejected') {
        unconfirmed += 1;
        error ??= deleted.reason;
      } else if (deleted.value === 1) results.push({ key: entry.key, userId: entry.userId, deviceId: entry.deviceId });
    });
    return { results, unconfirmed, ...(error === undefined ? {} : { error }) };
  };
  if (entries.some((entry) => entry.digest === undefined)) return plain();
  const scripted = async (): Promise<Settled<Deleted>> => {
    const replies = await (withScripts(node) as ReturnType<typeof withScripts>).latchkeyDeleteUnchanged(...entries.flatMap((entry) => [entry.key, entry.digest!]));
    return { results: replies.map(([key, userId, deviceId]) => ({ key, userId, deviceId })), unconfirmed: 0 };
  };
  return ctx.withScriptFallback(scripted, plain).catch((error: unknown) => ({ results: [], unconfirmed: entries.length, error }));
}

function settle<R>(settled: PromiseSettledResult<R>[]): Settled<R | undefined> {
  const out: Settled<R | undefined> = { results: [], unconfirmed: 0 };
  for (const result of settled) {
    if (result.status === 'fulfilled') out.results.push(result.value);
    else {
      out.results.push(undefined);
      out.unconfirmed += 1;
      out.error ??= result.reason;
    }
  }
  return out;
}
