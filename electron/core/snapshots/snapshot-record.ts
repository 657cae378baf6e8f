import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { errorKinds } from '../../../shared/errors';
import { ENVIRONMENT_NAME, PROJECT_NAME, SECRET_KEY } from '../../../shared/names';
import { snapshotReasons, type SnapshotReason } from '../../../shared/snapshots';
import { REPORT_ID, SNAPSHOT_ID } from '../audit/entry';
import { sealedBoxSchema } from '../crypto/sealed-box';
import { backendSchemes } from '../secrets/backend';

/**
 * One snapshot of an environment, as saved in `<state>/snapshots/<environment id>/<id>.json` (0600).
 * Per key it records the backend's version id, and — where the backend keeps no versions (keychain,
 * environment variables) or keeps only a few (the local store keeps 10, and none once a key is deleted)
 * — the value itself, escrowed: sealed with the local store's data key, never in plain text. Values
 * of Vault, AWS, Google and Azure stay in their backend; the snapshot names their versions.
 */
export { snapshotReasons, SNAPSHOT_REASON_LABELS, type SnapshotReason } from '../../../shared/snapshots';

const versionId = z.string().regex(/^[A-Za-z0-9._:+/=-]{1,200}$/);
/** Latchkey's own metadata (the rotation policy, the origin of a value): value-free by construction. */
const LATCHKEY_METADATA_KEY = /^latchkey-[a-z0-9-]{1,60}$/;
const LATCHKEY_METADATA_VALUE = /^[A-Za-z0-9._:+=@/-]{0,200}$/;
/** A note typed by a person: one line, no control characters. */
export const SNAPSHOT_NOTE = /^[^\p{Cc}]{0,200}$/u;
export const MAX_SNAPSHOT_KEYS = 20_000;

export const snapshotKeySchema = z
  .object({
    key: z.string().regex(SECRET_KEY),
    /** The version current when the snapshot was taken (backends with versions). */
    version: versionId.optional(),
    /** When that version was written, as the backend says. */
    version_created_at: z.string().max(64).optional(),
    /** The value is in the snapshot's escrow. */
    escrowed: z.boolean(),
    /** Latchkey's own metadata of the secret (its rotation policy), put back when the key is recreated. */
    metadata: z.record(z.string().regex(LATCHKEY_METADATA_KEY), z.string().regex(LATCHKEY_METADATA_VALUE)).optional(),
    /** The key existed but could not be read when the snapshot was taken (the kind of error). */
    unreadable: z.enum(errorKinds).optional(),
  })
  .strict();
export type SnapshotKey = z.infer<typeof snapshotKeySchema>;

export const snapshotFileSchema = z
  .object({
    format: z.literal('latchkey-snapshot'),
    v: z.literal(1),
    id: z.string().regex(SNAPSHOT_ID),
    /** The names when it was taken (an environment may be renamed since; its id stays). */
    project: z.string().regex(PROJECT_NAME),
    environment: z.string().regex(ENVIRONMENT_NAME),
    environment_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    created_at: z.iso.datetime(),
    reason: z.enum(snapshotReasons),
    note: z.string().regex(SNAPSHOT_NOTE).optional(),
    /** The incident this snapshot was taken before (its undo finds it by this). */
    report_id: z.string().regex(REPORT_ID).optional(),
    /** The OS account that took it. */
    user: z.string().regex(/^[^\p{Cc}]{1,128}$/u),
    backend: z.enum(backendSchemes),
    keys: z.array(snapshotKeySchema).max(MAX_SNAPSHOT_KEYS),
    /** Sealed JSON `{key: value}` of the escrowed keys; absent when none is escrowed. */
    escrow: sealedBoxSchema.optional(),
  })
  .strict();
export type SnapshotFile = z.infer<typeof snapshotFileSchema>;

/** What lists show of a snapshot: never a value, never the escrow. */
export interface SnapshotSummary {
  id: string;
  project: string;
  environment: string;
  created_at: string;
  reason: SnapshotReason;
  note?: string;
  report_id?: string;
  user: string;
  backend: SnapshotFile['backend'];
  /** Keys it records, how many with their value escrowed, how many could not be read. */
  keys: number;
  escrowed: number;
  unreadable: number;
}

export function summarize(file: SnapshotFile): SnapshotSummary {
  return {
    id: file.id,
    project: file.project,
    environment: file.environment,
    created_at: file.created_at,
    reason: file.reason,
    ...(file.note === undefined ? {} : { note: file.note }),
    ...(file.report_id === undefined ? {} : { report_id: file.report_id }),
    user: file.user,
    backend: file.backend,
    keys: file.keys.length,
    escrowed: file.keys.filter((key) => key.escrowed).length,
    unreadable: file.keys.filter((key) => key.unreadable !== undefined).length,
  };
}

/** `20260306T100000Z-1a2b3c4d`: sorts by the second it was taken. */
export function newSnapshotId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

/** The part of a secret's metadata a snapshot keeps: Latchkey's own, well-formed entries only. */
export function latchkeyMetadataOf(metadata: Record<string, string> | undefined): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  const kept = Object.entries(metadata).filter(([name, value]) => LATCHKEY_METADATA_KEY.test(name) && LATCHKEY_METADATA_VALUE.test(value));
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}
