import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { runBounded } from '../async/bounded-pool';
import type { AuditSink } from '../audit/audit-log';
import { auditRef } from '../audit/audited';
import { AUDIT_LIST_MAX } from '../audit/entry';
import type { OutputFiles } from '../envfiles/private-output-file';
import { invalidInput, isLatchkeyError, LatchkeyError } from '../errors';
import type { SecretBackend } from '../secrets/backend';
import { parseRef, type SecretRef } from '../secrets/reference';
import { applyQuotingFilter } from './quoting-filters';
import { parseTemplate, renderTemplate, type Placeholder } from './template';

/**
 * `latchkey inject`: a template with `{{ <reference> }}` placeholders becomes a file holding the
 * values. All or nothing: every reference is read (a bounded number at a time) and every value
 * quoted before anything is written, and a failure names each reference with its line. The output is
 * created 0600, atomically; a symbolic link, a folder, the template itself, or a place inside
 * Latchkey's own state or config folders is refused.
 */
export interface InjectDeps {
  resolveBackend(ref: SecretRef): Promise<SecretBackend>;
  audit: AuditSink;
  /** Refuses and writes the output file (links, folders, Latchkey's own folders refused there). */
  outputFiles: OutputFiles;
}

export interface InjectRequest {
  template: string;
  /** Where the template came from, for messages ("config.tpl.yml", "standard input"). */
  source: string;
  /** The template's path, so that it is never overwritten by its own output. */
  inputPath?: string;
  /** Where to write; undefined: the text is returned (for standard output). */
  output?: string;
  concurrency: number;
}

export interface InjectResult {
  text?: string;
  path?: string;
  /** Placeholders replaced, and distinct references read. */
  placeholders: number;
  references: number;
}

export async function injectTemplate(deps: InjectDeps, request: InjectRequest): Promise<InjectResult> {
  const placeholders = parseTemplate(request.template, request.source);
  const refs = [...new Set(placeholders.map((placeholder) => placeholder.ref))];
  const record = (outcome: 'ok' | 'failed', kind?: LatchkeyError['kind']) =>
    deps.audit.append({
      action: 'template.inject',
      outcome,
      ...(refs.length === 0 ? {} : { refs: refs.slice(0, AUDIT_LIST_MAX).map(auditRef) }),
      counts: { total: refs.length },
      ...(kind === undefined ? {} : { error_kind: kind }),
    });
  try {
    if (request.output !== undefined) await checkInjectOutput(request.output, request.inputPath, deps.outputFiles);
    const values = await readReferences(deps, refs, placeholders, request);
    const text = renderTemplate(request.template, placeholders, (placeholder) =>
      applyQuotingFilter(placeholder.filter, values.get(placeholder.ref)!, `${request.source} line ${placeholder.line} (${placeholder.ref})`),
    );
    // On record before the values leave: an injection that cannot be audited does not happen.
    await record('ok');
    const counted = { placeholders: placeholders.length, references: refs.length };
    if (request.output === undefined) return { text, ...counted };
    await deps.outputFiles.write(request.output, text);
    return { path: request.output, ...counted };
  } catch (error) {
    if (isLatchkeyError(error) && error.kind !== 'Internal') await record('failed', error.kind).catch(() => undefined);
    throw error;
  }
}

async function readReferences(deps: InjectDeps, refs: string[], placeholders: Placeholder[], request: InjectRequest): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const failures: { ref: string; error: unknown }[] = [];
  await runBounded(refs, request.concurrency, async (ref) => {
    try {
      const parsed = parseRef(ref);
      values.set(ref, (await (await deps.resolveBackend(parsed)).get(parsed.path)).value);
    } catch (error) {
      failures.push({ ref, error });
    }
  });
  if (failures.length === 0) return values;
  const linesOf = (ref: string) => placeholders.filter((placeholder) => placeholder.ref === ref).map((placeholder) => placeholder.line);
  const kinds = failures.map((failure) => (isLatchkeyError(failure.error) ? failure.error.kind : 'Internal'));
  const kind = kinds.find((candidate) => candidate !== 'NotFound' && candidate !== 'InvalidInput') ?? (kinds.includes('NotFound') ? 'NotFound' : 'InvalidInput');
  const lines = failures
    .map((failure) => ({ ...failure, lines: linesOf(failure.ref) }))
    .sort((a, b) => a.lines[0]! - b.lines[0]!)
    .slice(0, 10)
    .map((failure) => {
      const why = isLatchkeyError(failure.error) ? failure.error.message : 'an unexpected error (run with LATCHKEY_LOG_LEVEL=debug for details)';
      return `${request.source} line ${failure.lines.join(', ')}: ${failure.ref}: ${why}`;
    });
  const more = failures.length > 10 ? [`… and ${failures.length - 10} more`] : [];
  const head = failures.length === 1 ? 'A reference could not be read, so nothing was written:' : `${failures.length} references could not be read, so nothing was written:`;
  throw new LatchkeyError(kind, head, { cause: failures[0]!.error, items: [...lines, ...more] });
}

/** Refuses an output that is a link or a folder, inside Latchkey's own folders (core.outputFiles), or the template itself. */
async function checkInjectOutput(output: string, inputPath: string | undefined, outputFiles: OutputFiles): Promise<void> {
  await outputFiles.check(output);
  if (inputPath !== undefined) {
    const target = join(await realpath(dirname(resolve(output))), basename(output));
    const realInput = await realpath(inputPath).catch(() => resolve(inputPath));
    if (realInput === target) throw invalidInput(`Refusing to write ${output}: it is the template itself. Choose another output file.`);
  }
}
