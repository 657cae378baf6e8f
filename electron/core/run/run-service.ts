import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { ENVIRONMENT_NAME, PROJECT_NAME } from '../../../shared/names';
import type { AuditSink } from '../audit/audit-log';
import { auditCommandName, auditRef } from '../audit/audited';
import { AUDIT_LIST_MAX, type AuditEvent } from '../audit/entry';
import type { EnvironmentView } from '../environments/environment-view';
import { createFingerprinter } from '../environments/fingerprint';
import { auditUnavailable } from '../environments/audit-started';
import { invalidInput, isLatchkeyError, LatchkeyError } from '../errors';
import { readBoundedText } from '../fs/read-bounded-text';
import type { Logger } from '../log';
import type { SecretBackend } from '../secrets/backend';
import { parseFilePath } from '../secrets/file-backend';
import { parseRef, type SecretRef } from '../secrets/reference';
import { watchForChanges, type ChangeWatcher } from './change-watcher';
import { buildChildEnvironment, type ChildEnvironment } from './child-environment';
import { parseEnvTemplate } from './env-template';
import { checkProgramFits, execLimitsFor, type ExecLimits } from './exec-limits';
import { startProgram, type ProgramEnd, type RunningProgram } from './program-process';
import { planRun, readRun, UnreadableSecrets, type RunPlan, type RunSelection } from './run-variables';
import { maskableValues } from './secret-masker';
import type { WatchedRuns } from './watched-runs';
import { startSignalRelay, type RelayedSignal, type SignalSource } from './signal-relay';

/**
 * `latchkey run`: a program started with secrets in its environment, behaving as if it had been
 * started directly (docs/using-secrets.md). The steps, in order:
 * 1. read the env file, list the environment, read every secret (bounded, in parallel); any failure,
 *    or Ctrl-C, ends here: nothing has started;
 * 2. build the environment (the parent's plus the secrets) and check the OS will take it;
 * 3. record the start in the audit trail (no record, no start), start the program, forward signals;
 * 4. with --watch, look again when a secret may have changed and restart the program with the new
 *    values (SIGTERM, a grace period, SIGKILL);
 * 5. record how it ended and return its exit code.
 */
export interface RunRequest {
  project?: string;
  environment?: string;
  only?: readonly string[];
  /** Path of a .env template (`NAME=value` or `NAME=<reference>`). */
  envFile?: string;
  command: string;
  args: readonly string[];
  mask: boolean;
  /** A secret replaces an inherited variable of the same name (false: --no-override). */
  override: boolean;
  watch?: { intervalMs: number; graceMs: number };
  /** Reads in flight at once. */
  concurrency: number;
}

/** The process side: Latchkey's own environment, output, signals, and where its notices go. */
export interface RunTerminal {
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signals: SignalSource;
  /** One line for the person (stderr), never a value. */
  notice(message: string): void;
  inForeground?: () => boolean;
}

export interface RunServiceDeps {
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
  resolveBackend(ref: SecretRef): Promise<SecretBackend>;
  /** The local store's folder of an environment, when its secrets are there. */
  storeFolderOf(project: string, environment: string): Promise<string | undefined>;
  /** The local store's root folder (watched for environment folders that appear). */
  storeRoot: string;
  audit: AuditSink;
  logger: Logger;
  /** Where watched runs say which keys they use (for the app); absent: not recorded. */
  watchedRuns?: WatchedRuns;
  platform?: NodeJS.Platform;
  execLimits?: () => ExecLimits;
}

/** More than any system lets a program start with (Linux: 6 MiB at most), so no usable env file is refused. */
const MAX_ENV_FILE_BYTES = 8 * 1024 * 1024;
const DEBOUNCE_MS = 250;
/** Signals after which no restart begins: the person wants the program to stop. */
const STOPPING = new Set<RelayedSignal>(['SIGINT', 'SIGTERM', 'SIGQUIT']);

interface Prepared {
  plan: RunPlan;
  child: ChildEnvironment;
  gone: string[];
}

export function createRunService(deps: RunServiceDeps) {
  const platform = deps.platform ?? process.platform;
  const limits = deps.execLimits ?? (() => execLimitsFor(platform));
  const fingerprinter = createFingerprinter();
  const fingerprints = (prepared: Prepared) => new Map(prepared.child.given.map((variable) => [variable.name, fingerprinter.fingerprint(variable.value)]));

  /** Steps 1 and 2: every value read and the environment built and checked, or an error. */
  const prepare = async (selection: RunSelection, request: RunRequest, terminal: RunTerminal, signal?: AbortSignal): Promise<Prepared> => {
    const plan = await planRun(deps, selection, signal);
    const resolved = await readRun(plan, { concurrency: request.concurrency, ...(signal === undefined ? {} : { signal }), ...(request.envFile === undefined ? {} : { envFile: request.envFile }) });
    const child = buildChildEnvironment(terminal.env, resolved.variables, { override: request.override });
    checkProgramFits({ command: request.command, args: request.args, env: child.env }, limits());
    return { plan, child, gone: resolved.gone };
  };

  /** What every entry of a run says: where its secrets came from (names checked before they are recorded) and which program. */
  const auditBase = (request: RunRequest, plan?: RunPlan): Omit<AuditEvent, 'outcome'> => {
    const project = plan?.project ?? request.project;
    const environment = plan?.environment ?? request.environment;
    return {
      action: 'env.run',
      ...(project !== undefined && PROJECT_NAME.test(project) ? { project } : {}),
      ...(environment !== undefined && ENVIRONMENT_NAME.test(environment) ? { environment } : {}),
      command: auditCommandName(request.command),
    };
  };

  const recordStart = async (request: RunRequest, prepared: Prepared, changed?: number) => {
    // An environment is recorded by project and environment; an env file's references one by one.
    const fromFile = new Set(prepared.plan.reads.filter((read) => read.line !== undefined).map((read) => read.ref));
    const refs = [...new Set(prepared.child.given.flatMap((variable) => (variable.ref !== undefined && fromFile.has(variable.ref) ? [variable.ref] : [])))];
    try {
      await deps.audit.append({
        ...auditBase(request, prepared.plan),
        outcome: 'started',
        keys: prepared.child.given.map((variable) => variable.name).slice(0, AUDIT_LIST_MAX),
        ...(refs.length === 0 ? {} : { refs: refs.slice(0, AUDIT_LIST_MAX).map(auditRef) }),
        counts: { total: prepared.child.given.length, ...(changed === undefined ? {} : { changed }) },
      });
    } catch (error) {
      throw auditUnavailable(error, 'the program was not started: Latchkey does not hand out secrets without a record');
    }
  };

  const recordEnd = (request: RunRequest, plan: RunPlan | undefined, end: ProgramEnd) =>
    deps.audit
      .append({
        ...auditBase(request, plan),
        outcome: end.exitCode === 0 ? 'ok' : 'failed',
        exit_code: end.exitCode,
        ...(end.signal === undefined ? {} : { signal: end.signal }),
      })
      .catch((error: unknown) => deps.logger.error('audit: the end of a run was not recorded', { error }));

  const announce = (terminal: RunTerminal, prepared: Prepared, mask: boolean) => {
    if (prepared.gone.length > 0) terminal.notice(`${list(prepared.gone)} ${prepared.gone.length === 1 ? 'was' : 'were'} deleted while being read and ${prepared.gone.length === 1 ? 'is' : 'are'} left out.`);
    if (prepared.child.kept.length > 0) terminal.notice(`--no-override: ${list(prepared.child.kept)} kept the value already in the environment.`);
    if (mask) {
      const { tooShort } = maskableValues(prepared.child.given);
      if (tooShort.length > 0) terminal.notice(`--mask: ${list(tooShort)} ${tooShort.length === 1 ? 'is' : 'are'} shorter than 4 characters and not masked.`);
    }
  };

  /** Tells the app which keys this watched run hands out (names only); a failure only costs that display. */
  const showWatched = async (request: RunRequest, prepared: Prepared) => {
    const { project, environment } = prepared.plan;
    if (deps.watchedRuns === undefined || project === undefined || environment === undefined) return;
    await deps.watchedRuns
      .record({ pid: process.pid, project, environment, command: auditCommandName(request.command), keys: prepared.child.given.map((variable) => variable.name), startedAt: new Date().toISOString() })
      .catch((error: unknown) => deps.logger.warn('run: the watched run was not recorded for the app', { error }));
  };

  const launch = (request: RunRequest, prepared: Prepared, terminal: RunTerminal): RunningProgram =>
    startProgram(
      {
        command: request.command,
        args: request.args,
        env: prepared.child.env,
        ...(request.mask ? { mask: maskableValues(prepared.child.given).masked } : {}),
      },
      { stdout: terminal.stdout, stderr: terminal.stderr },
    );

  return {
    /** Runs the program to its end and returns Latchkey's exit code; throws (nothing started) when a secret cannot be used. */
    async run(request: RunRequest, terminal: RunTerminal): Promise<number> {
      if (request.command === '') throw invalidInput('Name the program to run after --.');
      const relay = startSignalRelay(terminal.signals, terminal.inForeground);
      const startup = new AbortController();
      let interrupted: RelayedSignal | undefined;
      relay.route((signal) => {
        interrupted ??= signal;
        startup.abort();
      });
      let watcher: ChangeWatcher | undefined;
      let plan: RunPlan | undefined;
      try {
        const selection: RunSelection = {
          ...(request.project === undefined ? {} : { project: request.project }),
          ...(request.environment === undefined ? {} : { environment: request.environment }),
          ...(request.only === undefined ? {} : { only: request.only }),
        };
        if (request.envFile !== undefined) {
          const text = await readBoundedText(request.envFile, { maxBytes: MAX_ENV_FILE_BYTES, what: 'an env file' });
          if (text === '' && (await isPipe(request.envFile))) {
            // Node.js itself reads `--env-file <path>` wherever it sits on its command line (nodejs/node#54232), and a pipe read once is empty.
            throw invalidInput(`The env file ${request.envFile} is a pipe that was already read. Give it with -f instead of --env-file (Node.js reads --env-file itself). Nothing was started.`);
          }
          selection.envFile = { path: request.envFile, variables: parseEnvTemplate(text, request.envFile) };
        }
        let prepared: Prepared;
        try {
          // Ctrl-C does not wait for requests in flight (a backend may take its time): they are abandoned.
          prepared = await Promise.race([prepare(selection, request, terminal, startup.signal), rejectWhenAborted(startup.signal)]);
        } catch (error) {
          if (interrupted !== undefined) throw error;
          await deps.audit.append({ ...auditBase(request), outcome: 'failed', error_kind: isLatchkeyError(error) ? error.kind : 'Internal' }).catch(() => undefined);
          throw saysNothingStarted(error);
        }
        plan = prepared.plan;
        if (interrupted !== undefined) throw new LatchkeyError('Cancelled', 'Interrupted while reading secrets; nothing was started.');
        announce(terminal, prepared, request.mask);
        await recordStart(request, prepared);

        let current = launch(request, prepared, terminal);
        let currentPrints = fingerprints(prepared);
        let stopping = false;
        let restart: Promise<void> | undefined;
        relay.route((signal) => {
          if (STOPPING.has(signal)) stopping = true;
          if (!relay.reachedProgram(signal)) current.signal(signal);
        });

        if (request.watch !== undefined) {
          const { intervalMs, graceMs } = request.watch;
          const name = auditCommandName(request.command);
          let checking = false;
          let again = false;
          // A backend that stays down is reported once, and again when it answers.
          let problem: string | undefined;
          const check = async () => {
            if (checking) {
              again = true;
              return;
            }
            checking = true;
            try {
              do {
                again = false;
                let next: Prepared;
                try {
                  next = await prepare(selection, request, terminal);
                } catch (error) {
                  const now = whyUnreadable(error);
                  if (now !== problem) terminal.notice(`could not look at the secrets again (${now}); ${name} keeps running with the values it has.`);
                  problem = now;
                  continue;
                }
                if (problem !== undefined) terminal.notice(`the secrets can be read again; ${name} restarts if one of them changed.`);
                problem = undefined;
                const changes = compare(currentPrints, fingerprints(next));
                if (changes === undefined || stopping || current.done) continue;
                terminal.notice(`${changes.text}; restarting ${name} (SIGTERM, then SIGKILL after ${formatSeconds(graceMs)}).`);
                let finish!: () => void;
                restart = new Promise<void>((resolve) => (finish = resolve));
                try {
                  await current.stop(graceMs);
                  if (stopping) return;
                  announce(terminal, next, request.mask);
                  await recordStart(request, next, changes.count);
                  current = launch(request, next, terminal);
                  currentPrints = fingerprints(next);
                  plan = next.plan;
                  await showWatched(request, next);
                } finally {
                  finish();
                  restart = undefined;
                }
              } while (again);
            } catch (error) {
              terminal.notice(`could not restart ${name}: ${isLatchkeyError(error) ? error.message : 'an unexpected error'}`);
              stopping = true;
            } finally {
              checking = false;
            }
          };
          const folders = await watchedFolders(deps, prepared.plan);
          watcher = watchForChanges({
            directories: folders.directories,
            storeRoot: deps.storeRoot,
            poll: folders.remote,
            intervalMs,
            debounceMs: DEBOUNCE_MS,
            onCheck: () => void check(),
            onFallback: (reason) => terminal.notice(`file watching is unavailable (${reason}); looking every ${formatSeconds(intervalMs)} instead.`),
          });
          await showWatched(request, prepared);
          const how = [...(folders.directories.length > 0 ? ['the local store as it changes'] : []), ...(folders.remote ? [`other backends every ${formatSeconds(intervalMs)}`] : [])];
          terminal.notice(`--watch: ${name} restarts when one of its ${prepared.child.given.length} secrets changes (looking at ${how.join('; ')}).`);
        }

        let end: ProgramEnd;
        for (;;) {
          const running = current;
          end = await running.ended;
          const pending = restart;
          if (pending !== undefined) await pending;
          if (current === running) break;
        }
        watcher?.close();
        if (end.notStarted !== undefined) terminal.notice(end.notStarted);
        await recordEnd(request, plan, end);
        return end.exitCode;
      } catch (error) {
        if (interrupted !== undefined && (!isLatchkeyError(error) || error.kind === 'Cancelled')) {
          terminal.notice(`interrupted (${interrupted}) while reading secrets; ${auditCommandName(request.command)} was not started.`);
          await deps.audit.append({ ...auditBase(request, plan), outcome: 'cancelled' }).catch(() => undefined);
          return 128 + (constants.signals[interrupted] ?? 0);
        }
        throw error;
      } finally {
        watcher?.close();
        relay.stop();
        if (request.watch !== undefined) await deps.watchedRuns?.remove(process.pid).catch(() => undefined);
      }
    },
  };
}

/**
 * What differs between two sets of keyed fingerprints (by name; the values themselves are not kept
 * for this): "DB_PASSWORD changed, NEW_KEY added, OLD_KEY removed", or undefined when nothing did.
 */
function compare(before: Map<string, string>, after: Map<string, string>): { text: string; count: number } | undefined {
  const changed = [...after].filter(([name, print]) => before.has(name) && before.get(name) !== print).map(([name]) => name);
  const added = [...after.keys()].filter((name) => !before.has(name));
  const removed = [...before.keys()].filter((name) => !after.has(name));
  const parts = [
    ...(changed.length > 0 ? [`${list(changed)} changed`] : []),
    ...(added.length > 0 ? [`${list(added)} added`] : []),
    ...(removed.length > 0 ? [`${list(removed)} removed`] : []),
  ];
  return parts.length === 0 ? undefined : { text: parts.join(', '), count: changed.length + added.length + removed.length };
}

/** Which local-store folders to watch, and whether anything lives elsewhere (then it is polled). */
async function watchedFolders(deps: RunServiceDeps, plan: RunPlan): Promise<{ directories: string[]; remote: boolean }> {
  const directories = new Set<string>();
  let remote = false;
  if (plan.project !== undefined && plan.environment !== undefined && plan.reads.some((read) => read.line === undefined)) {
    const folder = await deps.storeFolderOf(plan.project, plan.environment);
    if (folder === undefined) remote = true;
    else directories.add(folder);
  }
  for (const read of plan.reads.filter((candidate) => candidate.line !== undefined)) {
    const ref = parseRef(read.ref);
    if (ref.scheme !== 'file') {
      remote = true;
      continue;
    }
    const { project, environment } = parseFilePath(ref.path);
    const folder = await deps.storeFolderOf(project, environment).catch(() => undefined);
    if (folder === undefined) remote = true;
    else directories.add(folder);
  }
  return { directories: [...directories], remote };
}

/** One line on why secrets could not be read again: the first failing secret and its reason, or the error's first line. */
function whyUnreadable(error: unknown): string {
  if (error instanceof UnreadableSecrets) {
    const [first] = error.failures;
    const more = error.failures.length > 1 ? ` and ${error.failures.length - 1} more` : '';
    return `${first!.name} (${first!.ref}): ${first!.reason.replace(/\s+$/, '')}${more}`;
  }
  return isLatchkeyError(error) ? error.summary : 'an unexpected error';
}

async function isPipe(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFIFO() === true;
}

/** A failure before the start, whatever raised it, tells the person that the program did not start. */
function saysNothingStarted(error: unknown): unknown {
  if (!isLatchkeyError(error) || /nothing was started/i.test(error.message)) return error;
  return new LatchkeyError(error.kind, `${error.message} Nothing was started.`, { cause: error, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) });
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  const interrupted = () => new LatchkeyError('Cancelled', 'Interrupted while reading secrets; nothing was started.');
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(interrupted());
    else signal.addEventListener('abort', () => reject(interrupted()), { once: true });
  });
}

function list(names: readonly string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

function formatSeconds(ms: number): string {
  return `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
}

export type RunService = ReturnType<typeof createRunService>;
