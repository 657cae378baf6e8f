import { runBounded } from '../async/bounded-pool';
import type { AuditSink } from '../audit/audit-log';
import type { EnvironmentView } from '../environments/environment-view';
import { LatchkeyError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import { parseRef } from '../secrets/reference';
import { formatDotenv } from './dotenv-format';
import type { OutputFiles } from './private-output-file';

/**
 * `.env` export of one environment: every value read, formatted so dotenv reads it back unchanged, and
 * either returned (for standard output) or written to a 0o600 file. All values are formatted before
 * anything is written, so a value that cannot be represented leaves no file behind. A secret that cannot
 * be read — a damaged file included — refuses the whole export, naming it: a .env with a key silently
 * missing would deploy an app that fails later and far from here, so the person fixes or removes that
 * secret first.
 */
export interface ExportDeps {
  audit: AuditSink;
  /** Writes the file, refusing paths inside Latchkey's own folders (core.outputFiles). */
  outputFiles: OutputFiles;
  now?: () => Date;
  logger?: Logger;
}

export interface ExportResult {
  /** The file's text when no `out` path was given (the CLI prints it). */
  text?: string;
  path?: string;
  count: number;
}

export async function exportEnvironment(deps: ExportDeps, environment: EnvironmentView, options: { out?: string; signal?: AbortSignal } = {}): Promise<ExportResult> {
  const secrets = await environment.list(options.signal);
  const entries: { key: string; value: string }[] = new Array<{ key: string; value: string }>(secrets.length);
  const failed: string[] = [];
  const damaged = secrets.filter((secret) => secret.summary?.damaged !== undefined).map((secret) => secret.key);
  await runBounded(
    secrets,
    8,
    async (secret, index) => {
      if (secret.summary?.damaged !== undefined) return;
      try {
        entries[index] = { key: secret.key, value: (await environment.backend.get(parseRef(secret.ref).path)).value };
      } catch (error) {
        deps.logger?.warn('secret unreadable for export', { ref: secret.ref, error: describeError(error) });
        failed.push(secret.key);
      }
    },
    options.signal,
  );
  options.signal?.throwIfAborted();
  const record = async (outcome: 'ok' | 'failed', kind?: LatchkeyError['kind']) =>
    deps.audit.append({
      action: 'env.export',
      outcome,
      project: environment.project,
      environment: environment.name,
      counts: { total: secrets.length },
      ...(kind === undefined ? {} : { error_kind: kind }),
    });
  try {
    if (damaged.length > 0) {
      throw new LatchkeyError(
        'InvalidInput',
        `${listOf(damaged)} in ${environment.project}/${environment.name} ${damaged.length === 1 ? 'is' : 'are'} damaged and cannot be read, so nothing was exported. ` +
          'Restore the file from a backup, or delete the secret (latchkey secrets rm) and set it again, then export.',
      );
    }
    if (failed.length > 0) {
      throw new LatchkeyError('BackendUnavailable', `Could not read ${listOf(failed)} to export; nothing was written. Check access to the backend and try again.`);
    }
    const text = formatDotenv(entries, { project: environment.project, environment: environment.name, generatedAt: (deps.now ?? (() => new Date()))() });
    if (options.out !== undefined) await deps.outputFiles.check(options.out);
    // On record before the values leave: an export that cannot be audited does not happen.
    await record('ok');
    if (options.out === undefined) return { text, count: entries.length };
    await deps.outputFiles.write(options.out, text);
    return { path: options.out, count: entries.length };
  } catch (error) {
    if (error instanceof LatchkeyError && error.kind !== 'Internal') await record('failed', error.kind).catch(() => undefined);
    throw error;
  }
}

function listOf(keys: string[]): string {
  const sorted = [...keys].sort();
  return `${sorted.slice(0, 10).join(', ')}${sorted.length > 10 ? ` and ${sorted.length - 10} more` : ''}`;
}
