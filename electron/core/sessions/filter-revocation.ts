import { invalidInput } from '../errors';
import type { SessionContext } from './context';
import { deleteUnchanged, revokeEach } from './deletion';
import { isEmptyFilter, type SessionFilter } from './filter';
import { forgetRevoked } from './indexes';
import { RevocationRun } from './revocation-run';
import { walkSessions } from './walk';

/**
 * Revoking by criteria — "every session of app version 4.2.0", "every session created before the
 * leak" — and revoking the sessions of a search result. A preview counts first (how many sessions, of
 * how many users and devices); the revocation then walks again and deletes each matching session only
 * if it is still exactly what was judged (walk-scripts.ts), so `revoked` never counts a session that
 * changed or went away in between, and `matched` says how many matched during the revocation itself.
 */
export interface FilterPreview {
  matched: number;
  users: number;
  devices: number;
  scannedKeys: number;
  /** Keys under the prefix that are not usable sessions (never revoked by a filter). */
  problems: number;
  longestCallMs: number;
}

export interface FilterRevocationProgress {
  matched: number;
  revoked: number;
  scannedKeys: number;
  estimatedKeys: number;
}

export interface FilterRevocationOptions {
  signal?: AbortSignal;
  onProgress?: (progress: FilterRevocationProgress) => void;
}

export interface FilterRevocationResult {
  matched: number;
  revoked: number;
  longestCallMs: number;
}

function requireCriteria(filter: SessionFilter): void {
  if (isEmptyFilter(filter)) {
    throw invalidInput('A revocation by filter needs at least one criterion (a metadata field, user_id, device_id, or a time); an empty filter would match every session.');
  }
}

export async function previewFilter(ctx: SessionContext, filter: SessionFilter, options: { signal?: AbortSignal; onProgress?: (progress: FilterRevocationProgress) => void } = {}): Promise<FilterPreview> {
  const users = new Set<string>();
  const devices = new Set<string>();
  const preview: FilterPreview = { matched: 0, users: 0, devices: 0, scannedKeys: 0, problems: 0, longestCallMs: 0 };
  for await (const batch of walkSessions(ctx, { filter, signal: options.signal, unique: true, parallel: true })) {
    preview.longestCallMs = Math.max(preview.longestCallMs, batch.callMs);
    preview.matched += batch.sessions.length;
    preview.problems += batch.problems.length;
    preview.scannedKeys = batch.progress.scannedKeys;
    for (const session of batch.sessions) {
      users.add(session.userId);
      devices.add(session.deviceId);
    }
    options.onProgress?.({ matched: preview.matched, revoked: 0, scannedKeys: batch.progress.scannedKeys, estimatedKeys: batch.progress.estimatedKeys });
  }
  preview.users = users.size;
  preview.devices = devices.size;
  return preview;
}

export async function revokeMatching(ctx: SessionContext, filter: SessionFilter, options: FilterRevocationOptions = {}): Promise<FilterRevocationResult> {
  requireCriteria(filter);
  const result: FilterRevocationResult = { matched: 0, revoked: 0, longestCallMs: 0 };
  const run = new RevocationRun(ctx, { kind: 'session.revoke-filter', filter }, 'the sessions matching the filter', options.signal);
  return run.run(async () => {
    for await (const batch of walkSessions(ctx, { filter, signal: options.signal, unique: true, parallel: true, forRevocation: true })) {
      result.longestCallMs = Math.max(result.longestCallMs, batch.callMs);
      result.matched += batch.sessions.length;
      run.matched = result.matched;
      if (batch.sessions.length > 0) {
        const entries = batch.sessions.map((session) => ({ key: ctx.keys.session(session.id), digest: batch.digests.get(session.id), userId: session.userId, deviceId: session.deviceId }));
        const gone: { id: string; userId: string; deviceId: string }[] = [];
        await run.deletion(
          entries.length,
          () => deleteUnchanged(ctx, batch.node, entries),
          (deleted) =>
            deleted.forEach((session) => {
              const id = ctx.keys.idOf(session.key);
              run.counted(id);
              if (id !== undefined) gone.push({ id, userId: session.userId, deviceId: session.deviceId });
            }),
        );
        result.revoked = run.revoked;
        await forgetRevoked(ctx, gone);
      }
      options.onProgress?.({ matched: result.matched, revoked: result.revoked, scannedKeys: batch.progress.scannedKeys, estimatedKeys: batch.progress.estimatedKeys });
    }
    return result;
  });
}

/**
 * Revokes the sessions named by id — the rows of a search the person looked at — recorded with the
 * search's filter. Sessions already gone are not counted.
 */
export async function revokeByIds(ctx: SessionContext, ids: readonly string[], filter: SessionFilter, options: FilterRevocationOptions = {}): Promise<FilterRevocationResult> {
  const result: FilterRevocationResult = { matched: ids.length, revoked: 0, longestCallMs: 0 };
  const run = new RevocationRun(ctx, { kind: 'session.revoke-filter', filter }, 'the sessions of the search result', options.signal);
  run.matched = ids.length;
  return run.run(async () => {
    for (let start = 0; start < ids.length; start += ctx.batchSize) {
      run.throwIfCancelled();
      const chunk = ids.slice(start, start + ctx.batchSize);
      const gone: { id: string; userId: string; deviceId: string }[] = [];
      await run.deletion(
        chunk.length,
        () => revokeEach(ctx, chunk.map((id) => ctx.keys.session(id))),
        (replies) =>
          replies.forEach((reply, i) => {
            if (reply?.[0] !== 'ok') return;
            run.counted(chunk[i]);
            gone.push({ id: chunk[i]!, userId: reply[1], deviceId: reply[2] });
          }),
      );
      result.revoked = run.revoked;
      await forgetRevoked(ctx, gone);
      options.onProgress?.({ matched: ids.length, revoked: result.revoked, scannedKeys: start + chunk.length, estimatedKeys: ids.length });
    }
    return result;
  });
}
