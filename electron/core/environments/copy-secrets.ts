import type { PublicError } from '../../../shared/errors';
import { runBounded } from '../async/bounded-pool';
import type { AuditSink } from '../audit/audit-log';
import { toPublicError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import { parseRef } from '../secrets/reference';
import type { SnapshotsBeforeChange } from '../snapshots/before-change';
import { ROTATION_METADATA_KEY } from '../rotation/policy';
import { requireConfirmation, type Confirmation } from './confirmation';
import type { EnvironmentView } from './environment-view';
import { appendStarted } from './audit-started';
import { putSecret, type PutAction } from './put-secret';

/**
 * Copying selected secrets from one environment to another: read from the source backend, write to the
 * target's (verified, check-and-set), one audit entry per key. Existing different values are replaced
 * only with `overwrite`. A protected target needs its name typed.
 */
export interface CopyDeps {
  audit: AuditSink;
  logger?: Logger;
  snapshots?: SnapshotsBeforeChange;
}

export interface CopyRequest {
  from: EnvironmentView;
  to: EnvironmentView;
  keys: string[];
  overwrite?: boolean;
  confirmation?: Confirmation;
  signal?: AbortSignal;
  concurrency?: number;
}

export interface CopyItemResult {
  key: string;
  ok: boolean;
  action: PutAction | 'failed';
  version?: string;
  error?: PublicError;
}

export async function copySecrets(deps: CopyDeps, request: CopyRequest): Promise<CopyItemResult[]> {
  requireConfirmation([request.to], request.confirmation, `copying ${request.keys.length} secret(s) into ${request.to.project}/${request.to.name}`);
  const sources = new Map((await request.from.list(request.signal)).map((secret) => [secret.key, secret.ref]));
  await deps.snapshots?.before([request.to], 'env.copy', { required: true });
  // The batch is on record before anything is written; without a record nothing is written.
  await appendStarted(deps.audit, { action: 'env.copy', project: request.to.project, environment: request.to.name, counts: { total: request.keys.length } });
  const results: CopyItemResult[] = new Array<CopyItemResult>(request.keys.length);

  await runBounded(
    request.keys,
    request.concurrency ?? 4,
    async (key, index) => {
      const sourceRef = sources.get(key);
      const targetRef = request.to.refFor(key);
      try {
        if (sourceRef === undefined) {
          results[index] = { key, ok: false, action: 'failed', error: { kind: 'NotFound', message: `${key} does not exist in ${request.from.project}/${request.from.name}.` } };
          return;
        }
        const source = request.from.backend;
        const sourcePath = parseRef(sourceRef).path;
        const value = (await source.get(sourcePath)).value;
        const policy = source.capabilities.metadata ? (await source.describe(sourcePath)).metadata?.[ROTATION_METADATA_KEY] : undefined;
        const put = await putSecret(request.to.backend, parseRef(targetRef).path, value, {
          overwrite: request.overwrite ?? false,
          ref: targetRef,
          ...(policy === undefined ? {} : { metadata: { [ROTATION_METADATA_KEY]: policy } }),
        });
        results[index] = { key, ok: true, action: put.action, ...(put.version === undefined ? {} : { version: put.version }) };
      } catch (error) {
        deps.logger?.warn('copy failed', { key, error: describeError(error) });
        results[index] = { key, ok: false, action: 'failed', error: toPublicError(error) };
      }
      const result = results[index] as CopyItemResult;
      if (result.action === 'unchanged' || result.action === 'skipped') return;
      await deps.audit
        .append({
          action: 'env.copy',
          outcome: result.ok ? 'ok' : 'failed',
          ...(sourceRef === undefined ? {} : { ref: sourceRef }),
          target_ref: targetRef,
          project: request.to.project,
          environment: request.to.name,
          ...(result.error === undefined ? {} : { error_kind: result.error.kind }),
        })
        .catch((error: unknown) => deps.logger?.error('audit entry for a copy could not be written', { key, error: describeError(error) }));
    },
    request.signal,
  );
  return results.map((result, index) => result ?? { key: request.keys[index] as string, ok: false, action: 'failed', error: { kind: 'Cancelled', message: 'The copy was cancelled before this key.' } });
}
