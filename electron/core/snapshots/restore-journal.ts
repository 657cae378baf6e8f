import { hostname } from 'node:os';
import { z } from 'zod';
import { REPORT_ID, SNAPSHOT_ID } from '../audit/entry';
import { SECRET_KEY } from '../../../shared/names';

/**
 * The journal of a restore: written before its first change and removed when every key was tried, so
 * a restore that was killed (or cancelled) is found again. Crash safety rests on re-application being
 * idempotent — a re-run plans against the environment as it is, so keys already restored come out
 * unchanged and only the rest are written — and the journal keeps what a re-run must reuse: what was
 * asked (target, keys, deletions) and the snapshot taken before the first run, which stays the one
 * that undoes the whole restore.
 */
export const restoreTargetRequestSchema = z.union([
  z.object({ snapshot: z.string().regex(SNAPSHOT_ID) }).strict(),
  z.object({ at: z.iso.datetime() }).strict(),
  z.object({ incident: z.string().regex(REPORT_ID) }).strict(),
]);
export type RestoreTargetRequest = z.infer<typeof restoreTargetRequestSchema>;

export const restoreJournalSchema = z
  .object({
    v: z.literal(1),
    target: restoreTargetRequestSchema,
    /** Only these keys (absent: the whole environment). */
    keys: z.array(z.string().regex(SECRET_KEY)).optional(),
    /** Keys created since the moment that the person chose to delete, or every one of them. */
    delete: z.union([z.literal('all-new'), z.array(z.string().regex(SECRET_KEY))]),
    before_snapshot_id: z.string().regex(SNAPSHOT_ID),
    started_at: z.iso.datetime(),
    pid: z.number().int().nonnegative(),
    host: z.string().max(255),
  })
  .strict();
export type RestoreJournal = z.infer<typeof restoreJournalSchema>;

export function newJournal(fields: Pick<RestoreJournal, 'target' | 'keys' | 'delete' | 'before_snapshot_id'>, now: Date): RestoreJournal {
  return {
    v: 1,
    target: fields.target,
    ...(fields.keys === undefined ? {} : { keys: fields.keys }),
    delete: fields.delete,
    before_snapshot_id: fields.before_snapshot_id,
    started_at: now.toISOString(),
    pid: process.pid,
    host: hostname().slice(0, 255),
  };
}

/** Two requests are the same restore when they aim at the same target, keys and deletions. */
export function sameRestore(journal: RestoreJournal, request: Pick<RestoreJournal, 'target' | 'keys' | 'delete'>): boolean {
  const canonical = (value: unknown) => JSON.stringify(value, (_key, inner: unknown) => (Array.isArray(inner) ? [...(inner as string[])].sort() : inner));
  return canonical(journal.target) === canonical(request.target) && canonical(journal.keys ?? null) === canonical(request.keys ?? null) && canonical(journal.delete) === canonical(request.delete);
}

export function describeTargetRequest(target: RestoreTargetRequest): string {
  if ('snapshot' in target) return `snapshot ${target.snapshot}`;
  if ('at' in target) return `the state at ${target.at}`;
  return `the state before incident ${target.incident}`;
}
