import { SECRET_KEY, nameRules } from '../../../shared/names';
import { runBounded } from '../async/bounded-pool';
import type { EnvironmentView } from '../environments/environment-view';
import { cancelled, invalidInput, isLatchkeyError, LatchkeyError } from '../errors';
import type { SecretBackend } from '../secrets/backend';
import { parseRef, type SecretRef } from '../secrets/reference';
import type { TemplateVariable } from './env-template';
import { checkVariableNames } from './variable-names';

/**
 * Which variables a program gets, and their values: an environment's secrets (all of them, or the
 * keys given with --only) and the lines of an env file (literal values and references). Every value is
 * read before anything starts, with a bounded number of reads in flight; one that cannot be read stops
 * the whole run, so a program never starts with part of its secrets.
 */
export interface RunSelection {
  project?: string;
  environment?: string;
  /** Keys of the environment; all of them when absent. */
  only?: readonly string[];
  /** The parsed env file, with its path for messages. */
  envFile?: { path: string; variables: readonly TemplateVariable[] };
}

/** One variable to read: where from, and how (the backend the environment or the reference is on). */
export interface PlannedRead {
  name: string;
  /** The reference read (for messages and the audit trail; a name, never a value). */
  ref: string;
  /** The env file's line, for messages. */
  line?: number;
  /** A key the environment's listing named: if it is gone by the time it is read, it was deleted and is left out. */
  listed: boolean;
  backend(): Promise<SecretBackend>;
  path: string;
}

export interface RunPlan {
  project?: string;
  environment?: string;
  reads: PlannedRead[];
  literals: { name: string; value: string }[];
}

export interface RunVariable {
  name: string;
  value: string;
  /** Where it was read; undefined for a literal of the env file. */
  ref?: string;
}

export interface ResolvedRun {
  variables: RunVariable[];
  /** Listed keys that were deleted before they could be read. */
  gone: string[];
}

export interface RunPlanDeps {
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
  resolveBackend(ref: SecretRef): Promise<SecretBackend>;
}

const ONLY_HINT = 'Rename the secret, or choose the others with --only.';

export async function planRun(deps: RunPlanDeps, selection: RunSelection, signal?: AbortSignal): Promise<RunPlan> {
  const reads = new Map<string, PlannedRead>();
  const literals = new Map<string, string>();
  if (selection.project !== undefined && selection.environment !== undefined) {
    const view = await deps.viewEnvironment(selection.project, selection.environment);
    const backend = async () => view.backend;
    if (selection.only !== undefined) {
      for (const key of selection.only) {
        if (!SECRET_KEY.test(key)) throw invalidInput(`"${key.slice(0, 60)}" (--only) is not a secret key: use ${nameRules.key}.`);
      }
      checkVariableNames(selection.only, 'Every --only key becomes a variable of the same name.');
      for (const key of selection.only) reads.set(key, { name: key, ref: view.refFor(key), listed: false, backend, path: parseRef(view.refFor(key)).path });
    } else {
      const listed = await view.list(signal);
      checkVariableNames(
        listed.map((secret) => secret.key),
        ONLY_HINT,
      );
      for (const secret of listed) reads.set(secret.key, { name: secret.key, ref: secret.ref, listed: true, backend, path: parseRef(secret.ref).path });
    }
  }
  // The env file's lines are explicit, so they win over an environment's key of the same name.
  for (const variable of selection.envFile?.variables ?? []) {
    if (variable.source.kind === 'literal') {
      reads.delete(variable.name);
      literals.set(variable.name, variable.source.value);
      continue;
    }
    const ref = parseRef(variable.source.ref);
    literals.delete(variable.name);
    reads.set(variable.name, { name: variable.name, ref: variable.source.ref, line: variable.line, listed: false, backend: () => deps.resolveBackend(ref), path: ref.path });
  }
  return {
    ...(selection.project === undefined ? {} : { project: selection.project }),
    ...(selection.environment === undefined ? {} : { environment: selection.environment }),
    reads: [...reads.values()],
    literals: [...literals].map(([name, value]) => ({ name, value })),
  };
}

/** Kinds that say the backend itself is not usable now: no point reading the rest. */
const STOPS_EVERYTHING = new Set<LatchkeyError['kind']>(['BackendUnavailable', 'Unauthenticated', 'PermissionDenied', 'Locked', 'Internal']);

interface Failure {
  read: PlannedRead;
  error: unknown;
}

export async function readRun(plan: RunPlan, options: { concurrency: number; signal?: AbortSignal; envFile?: string }): Promise<ResolvedRun> {
  const values = new Array<string | undefined>(plan.reads.length);
  const failures: Failure[] = [];
  const gone: string[] = [];
  // A backend that is down fails every read: stop at the first such failure instead of waiting on each.
  const stop = new AbortController();
  const abortOnCaller = () => stop.abort();
  options.signal?.addEventListener('abort', abortOnCaller, { once: true });
  try {
    await runBounded(
      plan.reads,
      options.concurrency,
      async (read, index) => {
        try {
          values[index] = (await (await read.backend()).get(read.path)).value;
        } catch (error) {
          if (read.listed && isLatchkeyError(error) && error.kind === 'NotFound') {
            gone.push(read.name);
            return;
          }
          failures.push({ read, error });
          if (!isLatchkeyError(error) || STOPS_EVERYTHING.has(error.kind)) stop.abort();
        }
      },
      stop.signal,
    );
  } finally {
    options.signal?.removeEventListener('abort', abortOnCaller);
  }
  if (options.signal?.aborted === true) throw cancelled('Interrupted while reading secrets; nothing was started.');
  if (failures.length > 0) throw readFailure(failures, options.envFile);
  const variables: RunVariable[] = plan.literals.map((literal) => ({ ...literal }));
  plan.reads.forEach((read, index) => {
    const value = values[index];
    if (value !== undefined) variables.push({ name: read.name, value, ref: read.ref });
  });
  return { variables, gone: gone.sort() };
}

/** Secrets that could not be read, each with its reason (for a one-line notice when a watched run looks again). */
export class UnreadableSecrets extends LatchkeyError {
  constructor(
    kind: LatchkeyError['kind'],
    summary: string,
    items: string[],
    readonly failures: { name: string; ref: string; reason: string }[],
    cause: unknown,
  ) {
    super(kind, summary, { cause, items });
  }
}

/** One error for every failed read: names and references, the first error's kind unless all are "not found / invalid". */
function readFailure(failures: Failure[], envFile: string | undefined): LatchkeyError {
  const kinds = failures.map((failure) => (isLatchkeyError(failure.error) ? failure.error.kind : 'Internal'));
  const serious = kinds.find((kind) => kind !== 'NotFound' && kind !== 'InvalidInput');
  const kind = serious ?? (kinds.includes('NotFound') ? 'NotFound' : 'InvalidInput');
  const sorted = failures
    .slice()
    .sort((a, b) => (a.read.line ?? 0) - (b.read.line ?? 0) || a.read.name.localeCompare(b.read.name))
    .map((failure) => ({
      ...failure,
      reason: isLatchkeyError(failure.error) ? failure.error.message : 'an unexpected error (run with LATCHKEY_LOG_LEVEL=debug for details)',
    }));
  const lines = sorted.slice(0, 10).map((failure) => {
    const where = failure.read.line === undefined || envFile === undefined ? '' : `${envFile} line ${failure.read.line}: `;
    return `${where}${failure.read.name} (${failure.read.ref}): ${failure.reason}`;
  });
  const more = failures.length > 10 ? [`… and ${failures.length - 10} more`] : [];
  const head = failures.length === 1 ? 'A secret could not be read, so nothing was started:' : `${failures.length} secrets could not be read, so nothing was started:`;
  const listed = sorted.map((failure) => ({ name: failure.read.name, ref: failure.read.ref, reason: failure.reason }));
  return new UnreadableSecrets(kind, head, [...lines, ...more], listed, failures[0]!.error);
}
