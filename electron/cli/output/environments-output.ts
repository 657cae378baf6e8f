import { diffEnvironments, type CompareDeps, type Confirmation, type EnvironmentDiff, type EnvironmentView } from '../../core/environments';
import { exportEnvironment, type ExportDeps, applyDotenvImport, previewDotenvImport, type DotenvImportPreview, type DotenvImportResult, type ImportDeps, importMycelium, type MyceliumImportDeps, type MyceliumImportResult } from '../../core/envfiles';
import { exitCodeForAll } from '../exit-codes';
import type { CommandOutput } from './command-output';

/** The environment commands of `latchkey`, as plain functions returning a CommandOutput. */

/** `latchkey env diff --project P --env A --env B` → {missing_in_a, missing_in_b, different, same, unreadable} */
export async function envDiffCommand(deps: CompareDeps, a: EnvironmentView, b: EnvironmentView): Promise<CommandOutput<EnvironmentDiff>> {
  const diff = await diffEnvironments(deps, a, b);
  const list = (title: string, keys: string[]) => (keys.length === 0 ? [] : [`${title} (${keys.length}):`, ...keys.map((key) => `  ${key}`)]);
  const text = [
    ...list(`missing in ${a.name}`, diff.missing_in_a),
    ...list(`missing in ${b.name}`, diff.missing_in_b),
    ...list('different', diff.different),
    ...list('same', diff.same),
    ...(diff.unreadable.length === 0 ? [] : [`UNREADABLE, not compared (${diff.unreadable.length}):`, ...diff.unreadable.map((item) => `  ${item.key} in ${item.environment}: ${item.message}`)]),
  ].join('\n');
  // Everything readable was compared; a key that was not makes the command fail, so a script notices.
  return { json: diff, text: text === '' ? 'Both environments are empty.' : text, exitCode: diff.unreadable.length === 0 ? 0 : 1 };
}

/**
 * `latchkey env export --project P --env E [--out FILE]`. Without --out the .env text is the output
 * (print it as is); with --out the file is written 0o600 and the output says where.
 */
export async function envExportCommand(deps: ExportDeps, environment: EnvironmentView, options: { out?: string } = {}): Promise<CommandOutput<{ path?: string; count: number }> & { stdout?: string }> {
  const result = await exportEnvironment(deps, environment, options);
  if (result.text !== undefined) return { json: { count: result.count }, text: '', stdout: result.text, exitCode: 0 };
  return { json: { path: result.path as string, count: result.count }, text: `Wrote ${result.count} secret(s) to ${result.path} (mode 600). Do not commit it.`, exitCode: 0 };
}

export type EnvImportJson = { applied: false; preview: DotenvImportPreview } | ({ applied: true } & DotenvImportResult);

/**
 * `latchkey env import --project P --env E FILE [--yes]`. Without a confirmation it returns the preview
 * (the CLI shows it and asks); with one it applies.
 */
export async function envImportCommand(deps: ImportDeps, environment: EnvironmentView, fileText: string, options: { confirmation?: Confirmation; keys?: string[] } = {}): Promise<CommandOutput<EnvImportJson>> {
  const previewText = (preview: DotenvImportPreview) =>
    [
      `add (${preview.added.length}): ${preview.added.join(', ') || '-'}`,
      `change (${preview.changed.length}): ${preview.changed.join(', ') || '-'}`,
      `unchanged (${preview.unchanged.length})`,
      ...preview.invalid.map((item) => `ignored ${item.key}: ${item.reason}`),
      ...preview.duplicates.map((item) => `set twice: ${item.key} (lines ${item.lines.join(', ')}; line ${item.lines.at(-1)} is imported)`),
      ...preview.ignored.map((item) => `skipped line ${item.line}: ${item.reason}`),
    ].join('\n');
  if (options.confirmation === undefined) {
    const preview = await previewDotenvImport(deps, environment, fileText);
    return { json: { applied: false, preview }, text: previewText(preview), exitCode: 0 };
  }
  const result = await applyDotenvImport(deps, environment, fileText, { confirmation: options.confirmation, ...(options.keys === undefined ? {} : { keys: options.keys }) });
  const lines = result.results.map((item) => (item.ok ? `${item.action}  ${item.key}` : `FAILED   ${item.key}: ${item.error?.message ?? ''}`));
  return {
    json: { applied: true, ...result },
    text: [previewText(result.preview), ...lines, ...undoHint(environment, result.snapshot_id)].join('\n'),
    exitCode: exitCodeForAll(result.results.map((item) => item.error)),
  };
}

/** How to undo an import: restore the environment to the snapshot taken just before it. */
function undoHint(environment: EnvironmentView, snapshotId: string | undefined): string[] {
  if (snapshotId === undefined) return [];
  return [`Snapshot ${snapshotId} was taken before the import; undo it with: latchkey env restore --project ${environment.project} --env ${environment.name} --snapshot ${snapshotId} --delete-new`];
}

/** `latchkey import mycelium FILE --project P --env E [--force] [--overwrite]` */
export async function importMyceliumCommand(
  deps: MyceliumImportDeps,
  environment: EnvironmentView,
  file: string,
  options: { force?: boolean; overwrite?: boolean; confirmation?: Confirmation } = {},
): Promise<CommandOutput<MyceliumImportResult>> {
  const result = await importMycelium(deps, environment, file, options);
  const text = [
    ...result.results.map((item) => (item.ok ? `${item.action.padEnd(9)} ${item.key}${item.note === undefined ? '' : `  (${item.note})`}` : `FAILED    ${item.key}: ${item.error?.message ?? ''}`)),
    ...undoHint(environment, result.snapshot_id),
  ].join('\n');
  return { json: result, text, exitCode: exitCodeForAll(result.results.map((item) => item.error)) };
}
