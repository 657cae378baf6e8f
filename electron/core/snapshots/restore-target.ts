import { isLatchkeyError, LatchkeyError } from '../errors';
import type { SecretBackend } from '../secrets/backend';
import type { OpenedSnapshot } from './snapshot-store';
import type { SnapshotReason } from './snapshot-record';

/**
 * What a restore aims at, key by key: a value (read from a version the backend still keeps, or from a
 * snapshot's escrow), "absent" (the key did not exist then), or "unavailable" with the reason (a
 * version the backend has since destroyed, a key that could not be read). Built from a snapshot, a
 * point in time, or an incident report; planned and applied the same way whatever it came from.
 */
export type TargetSource = 'snapshot' | 'history' | 'incident-report';

export type KeyTarget =
  | {
      kind: 'value';
      source: TargetSource;
      /** The backend version whose value this is, where it is one. */
      version?: string;
      /** Latchkey's own metadata to give a recreated key (its rotation policy). */
      metadata?: Record<string, string>;
      read(): Promise<string>;
    }
  | { kind: 'absent'; source: TargetSource }
  | { kind: 'unavailable'; reason: string };

export type TargetDescription =
  | { kind: 'snapshot'; snapshot_id: string; created_at: string; reason: SnapshotReason; note?: string }
  /** exact: every key's target came from version history that reaches back to `at`. */
  | { kind: 'time'; at: string; exact: boolean; snapshot_id?: string }
  | { kind: 'incident'; report_id: string; snapshot_id?: string };

export interface RestoreTarget {
  description: TargetDescription;
  keys: Map<string, KeyTarget>;
  /**
   * The whole environment is restored: a key that exists now and that the target does not name was
   * created since, and is deleted only when the person ticks it. Otherwise only the named keys count.
   */
  wholeEnvironment: boolean;
  /** Keys deliberately not restored, with the reason (shown in the preview, never written). */
  leftOut: { key: string; reason: string }[];
  /** What the person should know about how the target was found (what is exact, what is best effort). */
  notes: string[];
}

/** Reads one version of a secret; a version the backend no longer keeps is said so plainly. */
export async function readVersion(backend: SecretBackend, path: string, version: string, key: string): Promise<string> {
  try {
    return (await backend.get(path, { version })).value;
  } catch (error) {
    if (isLatchkeyError(error) && (error.kind === 'NotFound' || error.kind === 'InvalidInput')) {
      throw new LatchkeyError('NotFound', `version ${shortVersion(version)} of ${key} is no longer kept by the backend (destroyed, deleted or pruned since)`, { cause: error });
    }
    throw error;
  }
}

export function shortVersion(version: string): string {
  return version.length > 12 ? `${version.slice(0, 8)}…` : version;
}

/**
 * A snapshot as a target: escrowed keys from the escrow, the others by their recorded version. With
 * `keys`, only those keys count, and one the snapshot does not hold is "absent" (created since).
 */
export async function targetFromSnapshot(snapshot: OpenedSnapshot, backend: SecretBackend, pathOf: (key: string) => string, options: { keys?: string[] } = {}): Promise<RestoreTarget> {
  const { file } = snapshot;
  let escrowed: Map<string, string> | undefined;
  const escrowedValue = async (key: string) => {
    escrowed ??= await snapshot.values();
    const value = escrowed.get(key);
    if (value === undefined) throw new LatchkeyError('InvalidInput', `the snapshot's escrow has no value for ${key}`);
    return value;
  };
  const wanted = options.keys === undefined ? undefined : new Set(options.keys);
  const keys = new Map<string, KeyTarget>();
  for (const recorded of file.keys) {
    if (wanted !== undefined && !wanted.has(recorded.key)) continue;
    const metadata = recorded.metadata === undefined ? {} : { metadata: recorded.metadata };
    if (recorded.unreadable !== undefined) {
      keys.set(recorded.key, { kind: 'unavailable', reason: `it could not be read when the snapshot was taken (${recorded.unreadable})` });
    } else if (recorded.escrowed) {
      keys.set(recorded.key, { kind: 'value', source: 'snapshot', ...(recorded.version === undefined ? {} : { version: recorded.version }), ...metadata, read: () => escrowedValue(recorded.key) });
    } else if (recorded.version !== undefined) {
      const version = recorded.version;
      keys.set(recorded.key, { kind: 'value', source: 'snapshot', version, ...metadata, read: () => readVersion(backend, pathOf(recorded.key), version, recorded.key) });
    } else {
      keys.set(recorded.key, { kind: 'unavailable', reason: 'the snapshot recorded neither its version nor its value' });
    }
  }
  for (const key of wanted ?? []) if (!keys.has(key)) keys.set(key, { kind: 'absent', source: 'snapshot' });
  return {
    description: { kind: 'snapshot', snapshot_id: file.id, created_at: file.created_at, reason: file.reason, ...(file.note === undefined ? {} : { note: file.note }) },
    keys,
    wholeEnvironment: wanted === undefined,
    leftOut: [],
    notes: [],
  };
}
