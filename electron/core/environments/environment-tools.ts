import type { AuditSink } from '../audit/audit-log';
import { exportEnvironment, type ExportResult } from '../envfiles/export-environment';
import type { OutputFiles } from '../envfiles/private-output-file';
import { applyDotenvImport, previewDotenvImport, type DotenvImportPreview, type DotenvImportResult } from '../envfiles/import-dotenv';
import { importMycelium, myceliumSecretsPath, type MyceliumImportResult } from '../envfiles/mycelium-import';
import { invalidInput } from '../errors';
import type { Logger } from '../log';
import type { SnapshotsBeforeChange } from '../snapshots/before-change';
import type { Confirmation } from './confirmation';
import { copySecrets, type CopyItemResult } from './copy-secrets';
import type { ImportTargets } from './import-target';
import { compareEnvironments, type EnvironmentComparison } from './diff';
import type { EnvironmentView } from './environment-view';
import type { Fingerprinter } from './fingerprint';

/**
 * Environments of a project side by side, and secrets moving in and out of them: diff, copy, .env
 * export and import, Mycelium import — by project and environment name, as the app and the CLI ask.
 */
export interface EnvironmentToolsDeps {
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
  /** Imports write to an environment they create when missing (like secrets set file://p/e/K). */
  importTargets: ImportTargets;
  audit: AuditSink;
  logger: Logger;
  /** One per process: fingerprints are comparable only within one key. */
  fingerprinter: Fingerprinter;
  now: () => Date;
  /** Where exports are written (never inside Latchkey's own folders). */
  outputFiles: OutputFiles;
  /** For the default Mycelium path ($XDG_STATE_HOME, HOME). */
  env: Record<string, string | undefined>;
  /** Imports and copies snapshot the environment they change first. */
  snapshots?: SnapshotsBeforeChange;
}

/** Columns of a side-by-side view (the screen shows up to six). */
const MAX_COLUMNS = 6;

export function createEnvironmentTools(deps: EnvironmentToolsDeps) {
  const view = (project: string, environment: string) => deps.viewEnvironment(project, environment);
  const compareDeps = { fingerprinter: deps.fingerprinter, logger: deps.logger };
  const writeDeps = { audit: deps.audit, logger: deps.logger, ...(deps.snapshots === undefined ? {} : { snapshots: deps.snapshots }) };

  return {
    /** Per key and environment: missing, unreadable, or a value group (equal numbers in a row mean equal values). */
    async compare(project: string, environments: string[], signal?: AbortSignal): Promise<EnvironmentComparison> {
      const names = [...new Set(environments)];
      if (names.length < 2 || names.length > MAX_COLUMNS) throw invalidInput(`Compare two to ${MAX_COLUMNS} different environments.`);
      const views = await Promise.all(names.map((name) => view(project, name)));
      return compareEnvironments(compareDeps, views, signal === undefined ? {} : { signal });
    },

    async copy(project: string, from: string, to: string, keys: string[], options: { overwrite?: boolean; confirmation?: Confirmation; signal?: AbortSignal } = {}): Promise<CopyItemResult[]> {
      if (from === to) throw invalidInput('Choose two different environments to copy between.');
      if (keys.length === 0) throw invalidInput('Choose at least one secret to copy.');
      return copySecrets(writeDeps, { from: await view(project, from), to: await view(project, to), keys, ...options });
    },

    /** The .env text (no `out`), or the file written 0o600 at `out`. */
    async exportDotenv(project: string, environment: string, options: { out?: string; signal?: AbortSignal } = {}): Promise<ExportResult> {
      return exportEnvironment({ ...writeDeps, outputFiles: deps.outputFiles, now: deps.now }, await view(project, environment), options);
    },

    async previewImport(project: string, environment: string, text: string, signal?: AbortSignal): Promise<DotenvImportPreview> {
      return previewDotenvImport({ fingerprinter: deps.fingerprinter }, await deps.importTargets.planned(project, environment), text, signal);
    },

    async applyImport(project: string, environment: string, text: string, options: { confirmation?: Confirmation; signal?: AbortSignal; keys?: string[] } = {}): Promise<DotenvImportResult> {
      const target = await deps.importTargets.forWrite(project, environment, options.confirmation);
      return applyDotenvImport({ ...writeDeps, fingerprinter: deps.fingerprinter }, target, text, options);
    },

    async importMycelium(project: string, environment: string, file: string, options: { force?: boolean; overwrite?: boolean; confirmation?: Confirmation } = {}): Promise<MyceliumImportResult> {
      return importMycelium(writeDeps, await deps.importTargets.forWrite(project, environment, options.confirmation), file, options);
    },

    /** Where Mycelium keeps a project's secrets: $XDG_STATE_HOME/mycelium/secrets/<project>.json. */
    myceliumPath: (project: string) => myceliumSecretsPath(project, deps.env),
  };
}

export type EnvironmentTools = ReturnType<typeof createEnvironmentTools>;
