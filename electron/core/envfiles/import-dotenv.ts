import type { PublicError } from '../../../shared/errors';
import { SECRET_KEY, nameRules } from '../../../shared/names';
import type { AuditSink } from '../audit/audit-log';
import { appendStarted } from '../environments/audit-started';
import { requireConfirmation, type Confirmation } from '../environments/confirmation';
import type { EnvironmentView } from '../environments/environment-view';
import { createFingerprinter, type Fingerprinter } from '../environments/fingerprint';
import { putSecret } from '../environments/put-secret';
import { invalidInput, toPublicError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import { parseRef } from '../secrets/reference';
import { analyseDotenv } from './dotenv-lines';
import type { SnapshotsBeforeChange } from '../snapshots/before-change';

/**
 * `.env` import: parse with dotenv, show what would be added, changed or left alone (compared by keyed
 * fingerprint — the preview holds names only), what dotenv would do silently (a name set twice, lines it
 * skips), then write on confirmation — all of it, or the keys the person kept ticked. Apply computes the
 * plan again against the environment as it is then, and writes with check-and-set.
 */
export interface ImportDeps {
  audit: AuditSink;
  fingerprinter?: Fingerprinter;
  logger?: Logger;
  snapshots?: SnapshotsBeforeChange;
}

export interface DotenvImportPreview {
  added: string[];
  changed: string[];
  unchanged: string[];
  /** Names in the file that cannot be secret keys, with the reason. */
  invalid: { key: string; reason: string }[];
  /** Names set more than once, with their lines; the last one is imported (as dotenv reads it). */
  duplicates: { key: string; lines: number[] }[];
  /** Lines that are not assignments dotenv reads (by number; a line is never quoted). */
  ignored: { line: number; reason: string }[];
}

export interface DotenvImportResult {
  preview: DotenvImportPreview;
  results: { key: string; ok: boolean; action: 'created' | 'updated' | 'failed'; version?: string; error?: PublicError }[];
  /** The snapshot taken before the import: restoring its keys from it undoes the import. */
  snapshot_id?: string;
}

const MAX_FILE_BYTES = 1024 * 1024;

export function parseDotenvText(text: string): ReturnType<typeof analyseDotenv> {
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) throw invalidInput('The .env file is larger than 1 MiB; split it or import it in parts.');
  return analyseDotenv(text);
}

export async function previewDotenvImport(deps: Pick<ImportDeps, 'fingerprinter'>, environment: EnvironmentView, text: string, signal?: AbortSignal): Promise<DotenvImportPreview> {
  return (await plan(deps, environment, text, signal)).preview;
}

export async function applyDotenvImport(
  deps: ImportDeps,
  environment: EnvironmentView,
  text: string,
  options: { confirmation?: Confirmation; signal?: AbortSignal; /** Only these of the added and changed keys (the ones left ticked). */ keys?: string[] } = {},
): Promise<DotenvImportResult> {
  const { preview, values } = await plan(deps, environment, text, options.signal);
  const chosen = (key: string) => options.keys === undefined || options.keys.includes(key);
  const writes = [...preview.added.filter(chosen).map((key) => ({ key, overwrite: false })), ...preview.changed.filter(chosen).map((key) => ({ key, overwrite: true }))];
  if (writes.length === 0) return { preview, results: [] };
  requireConfirmation([environment], options.confirmation, `importing ${writes.length} secret(s) into ${environment.project}/${environment.name}`);
  const before = await deps.snapshots?.before([environment], 'env.import', { required: true });
  await appendStarted(deps.audit, { action: 'env.import', project: environment.project, environment: environment.name, counts: { total: writes.length } });

  const results: DotenvImportResult['results'] = [];
  for (const { key, overwrite } of writes) {
    options.signal?.throwIfAborted();
    const ref = environment.refFor(key);
    try {
      const put = await putSecret(environment.backend, parseRef(ref).path, values.get(key) as string, { overwrite, ref });
      const action = put.action === 'updated' ? 'updated' : 'created';
      results.push({ key, ok: true, action, ...(put.version === undefined ? {} : { version: put.version }) });
    } catch (error) {
      deps.logger?.warn('import of one key failed', { key, error: describeError(error) });
      results.push({ key, ok: false, action: 'failed', error: toPublicError(error) });
    }
    const last = results[results.length - 1] as DotenvImportResult['results'][number];
    await deps.audit
      .append({ action: 'secret.write', outcome: last.ok ? 'ok' : 'failed', ref, project: environment.project, environment: environment.name, ...(last.error === undefined ? {} : { error_kind: last.error.kind }) })
      .catch((error: unknown) => deps.logger?.error('audit entry for an imported key could not be written', { key, error: describeError(error) }));
  }
  const failed = results.filter((result) => !result.ok).length;
  await deps.audit
    .append({
      action: 'env.import',
      outcome: failed === 0 ? 'ok' : failed === results.length ? 'failed' : 'partial',
      project: environment.project,
      environment: environment.name,
      counts: { total: results.length, added: results.filter((result) => result.action === 'created').length, changed: results.filter((result) => result.action === 'updated').length, failed },
    })
    .catch((error: unknown) => deps.logger?.error('audit entry closing an import could not be written', { error: describeError(error) }));
  return { preview, results, ...(before?.snapshots[0] === undefined ? {} : { snapshot_id: before.snapshots[0].id }) };
}

async function plan(deps: Pick<ImportDeps, 'fingerprinter'>, environment: EnvironmentView, text: string, signal?: AbortSignal) {
  const analysis = parseDotenvText(text);
  const parsed = analysis.values;
  const fingerprinter = deps.fingerprinter ?? createFingerprinter();
  const existing = new Map((await environment.list(signal)).map((secret) => [secret.key, secret.ref]));
  const preview: DotenvImportPreview = { added: [], changed: [], unchanged: [], invalid: [], duplicates: analysis.duplicates, ignored: analysis.ignored };
  const values = new Map<string, string>();
  for (const key of Object.keys(parsed).sort()) {
    const value = parsed[key] as string;
    if (!SECRET_KEY.test(key)) {
      preview.invalid.push({ key, reason: `Secret names use ${nameRules.key}.` });
      continue;
    }
    values.set(key, value);
    const ref = existing.get(key);
    if (ref === undefined) {
      preview.added.push(key);
      continue;
    }
    const current = (await environment.backend.get(parseRef(ref).path)).value;
    (fingerprinter.fingerprint(current) === fingerprinter.fingerprint(value) ? preview.unchanged : preview.changed).push(key);
  }
  return { preview, values };
}
