import type { ErrorKind } from '../../../shared/errors';
import { runBounded } from '../async/bounded-pool';
import { currentOsUser } from '../audit/os-user';
import type { EnvironmentView } from '../environments/environment-view';
import { isLatchkeyError, LatchkeyError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import { readStable } from '../rotation/rotate-secret';
import type { SecretBackend } from '../secrets/backend';
import { parseRef } from '../secrets/reference';
import { latchkeyMetadataOf, MAX_SNAPSHOT_KEYS, newSnapshotId, type SnapshotFile, type SnapshotKey, type SnapshotReason } from './snapshot-record';
import type { SnapshotStore } from './snapshot-store';

/**
 * Taking a snapshot: every key of the environment with the version current now, and the value itself
 * in the escrow where the backend cannot give it back later (see escrowsValues). A key that cannot be
 * read is recorded as unreadable rather than failing the snapshot; a snapshot that cannot be saved fails.
 */
export interface TakeSnapshotDeps {
  store: SnapshotStore;
  now: () => Date;
  logger?: Logger;
  user?: string;
  /** Reads in flight at once (default 8). */
  concurrency?: number;
}

export interface TakeSnapshotRequest {
  view: EnvironmentView;
  environmentId: string;
  reason: SnapshotReason;
  note?: string;
  reportId?: string;
  signal?: AbortSignal;
}

/**
 * Whether a snapshot keeps a key's value (sealed) rather than only its version id: on backends without
 * versions (keychain, environment variables), and on the local store, which keeps only a secret's last
 * 10 versions and none once it is deleted. Its escrow lives next to the store, under the same key, so
 * this widens nothing. Remote backends keep their own versions; their values never come to disk here.
 */
export function escrowsValues(backend: SecretBackend): boolean {
  return !backend.capabilities.versions || backend.scheme === 'file';
}

export async function takeSnapshot(deps: TakeSnapshotDeps, request: TakeSnapshotRequest): Promise<SnapshotFile> {
  const { view } = request;
  const listed = await view.list(request.signal);
  if (listed.length > MAX_SNAPSHOT_KEYS) throw new LatchkeyError('InvalidInput', `${view.project}/${view.name} holds more than ${MAX_SNAPSHOT_KEYS} secrets; Latchkey snapshots environments up to that size.`);
  const escrow = escrowsValues(view.backend);
  const keys: SnapshotKey[] = new Array<SnapshotKey>(listed.length);
  const values = new Map<string, string>();

  await runBounded(
    listed,
    deps.concurrency ?? 8,
    async (secret, index) => {
      const metadata = latchkeyMetadataOf(secret.summary?.metadata);
      const base = { key: secret.key, ...(metadata === undefined ? {} : { metadata }) };
      try {
        const path = parseRef(secret.ref).path;
        // A value kept in the escrow is read twice: a damaged read must not become the value a restore puts back.
        const read = escrow && !view.backend.capabilities.versions ? await readStable(view.backend, path) : await view.backend.get(path);
        if (escrow) values.set(secret.key, read.value);
        keys[index] = {
          ...base,
          ...(read.version === undefined ? {} : { version: read.version }),
          ...(read.createdAt === undefined ? {} : { version_created_at: read.createdAt }),
          escrowed: escrow,
        };
      } catch (error) {
        deps.logger?.warn('snapshot: a secret could not be read', { ref: secret.ref, error: describeError(error) });
        keys[index] = { ...base, escrowed: false, unreadable: kindOf(error) };
      }
    },
    request.signal,
  );
  request.signal?.throwIfAborted();

  const created = deps.now();
  const file: Omit<SnapshotFile, 'escrow'> = {
    format: 'latchkey-snapshot',
    v: 1,
    id: newSnapshotId(created),
    project: view.project,
    environment: view.name,
    environment_id: request.environmentId,
    created_at: created.toISOString(),
    reason: request.reason,
    ...(request.note === undefined || request.note === '' ? {} : { note: request.note }),
    ...(request.reportId === undefined ? {} : { report_id: request.reportId }),
    user: deps.user ?? currentOsUser(),
    backend: view.backend.scheme,
    keys,
  };
  await deps.store.save(file, values);
  values.clear();
  return file as SnapshotFile;
}

function kindOf(error: unknown): ErrorKind {
  return isLatchkeyError(error) ? error.kind : 'Internal';
}
