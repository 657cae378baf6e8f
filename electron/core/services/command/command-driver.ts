import { basename } from 'node:path';
import { z } from 'zod';
import { backendUnavailable, cancelled, invalidInput, isLatchkeyError, notFound, permissionDenied, toPublicError, type LatchkeyError } from '../../errors';
import type { CheckStep, Credential, DriverDeps, RotationPhase, RotationTarget, ServiceDriver, ServiceKindDefinition } from '../driver';
import { checkHookExecutable } from './hook-executable';
import { runHook, type HookResult } from './run-hook';

/**
 * Rotation through an executable the user names (`rotators set REF --command ./rotate-temporal.sh`):
 * Latchkey generates the value and the hook changes it wherever it is checked. Each step runs the hook
 * once (run-hook.ts: value on stdin, context on fd 3, no shell, a time limit) and is judged by its exit
 * code:
 *
 * | step    | phase      | stdin                      | exit code                                        |
 * | ------- | ---------- | -------------------------- | ------------------------------------------------ |
 * | check   | `check`    | the current value (if any) | 0 ready · 2 "phase not handled" (skipped) · else failed |
 * | set     | `set`      | the new value              | 0 done · else failed (the lifecycle then runs rollback) |
 * | test    | `test`     | the new value              | 0 it works · else failed                          |
 * | retire  | `finish`   | the new value              | 0 the old one is retired · else failed           |
 * | undo    | `rollback` | the value to put back      | 0 undone · else failed                            |
 * | refuses | `verify`   | the old value              | 0 it is refused · 1 still accepted · else "cannot tell" |
 *
 * A hook should exit 2 for a phase it does not handle; for `verify` that means Latchkey cannot say the
 * old value is refused, and says so, rather than assume it.
 */
export const commandSettingsSchema = z.strictObject({});
export type CommandSettings = z.infer<typeof commandSettingsSchema>;

const DEFAULT_TIMEOUT_SECONDS = 60;
const NOT_HANDLED = 2;

type Target = RotationTarget<CommandSettings>;

export interface CommandDriverOptions {
  /** Between SIGTERM and SIGKILL when a hook overruns its time limit (default 5 s). */
  killGraceMs?: number;
}

export function createCommandDriver(deps: DriverDeps, options: CommandDriverOptions = {}): ServiceDriver<CommandSettings> {
  const log = deps.logger.child({ driver: 'command' });

  const invoke = async (target: Target, phase: RotationPhase, value: string | undefined, watch: string[]): Promise<{ result: HookResult; executable: string }> => {
    const command = target.rotator.command;
    if (command === undefined) throw invalidInput(`The command rotator of ${target.context.ref} names no executable; attach it again with --command.`);
    const executable = await checkHookExecutable(command);
    const timeoutSeconds = target.rotator.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const { context } = target;
    const result = await runHook({
      executable,
      ...(value === undefined ? {} : { value }),
      watch,
      timeoutMs: timeoutSeconds * 1000,
      killGraceMs: options.killGraceMs ?? 5000,
      ...(target.signal === undefined ? {} : { signal: target.signal }),
      context: {
        version: 1,
        ref: context.ref,
        ...(context.project === undefined ? {} : { project: context.project }),
        ...(context.environment === undefined ? {} : { environment: context.environment }),
        phase,
        incident: context.incident,
        ...(context.reportId === undefined ? {} : { reportId: context.reportId }),
        ...(target.rotator.user === undefined ? {} : { user: target.rotator.user }),
      },
    });
    log.info('ran the rotation hook', { hook: basename(executable), phase, exitCode: result.exitCode, exitSignal: result.exitSignal, stopped: result.stopped, printedValue: result.printedValue });
    return { result, executable };
  };

  /** Throws the error a failed run means; returns for exit code 0. */
  const judge = (run: { result: HookResult; executable: string }, phase: RotationPhase, timeoutSeconds: number): void => {
    const error = failureOf(run, phase, timeoutSeconds);
    if (error !== undefined) throw error;
  };

  const timeoutOf = (target: Target) => target.rotator.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;

  return {
    kind: 'command',
    strategies: ['single'],
    selfMode: false,
    makesCredential: false,

    async check(target, current) {
      const steps: CheckStep[] = [];
      const failed = (name: string, detail: string, error: LatchkeyError) => steps.push({ name, outcome: 'failed', detail, error: toPublicError(error) });
      try {
        if (target.rotator.command === undefined) throw invalidInput('The rotator names no executable; attach it again with --command.');
        await checkHookExecutable(target.rotator.command);
        steps.push({ name: 'executable', outcome: 'passed', detail: `${target.rotator.command} exists and may be run` });
      } catch (error) {
        failed('executable', `${target.rotator.command ?? '(none)'}`, asLatchkeyError(error));
        steps.push({ name: 'hook check', outcome: 'skipped', detail: 'not run: the executable is not usable' });
        return steps;
      }
      const run = await invoke(target, 'check', current?.secret, current === undefined ? [] : [current.secret]).catch((error: unknown) => asLatchkeyError(error));
      if (isLatchkeyError(run)) failed('hook check', 'running the hook with phase "check"', run);
      else if (run.result.exitCode === NOT_HANDLED && !run.result.printedValue) steps.push({ name: 'hook check', outcome: 'skipped', detail: 'the hook does not handle phase "check" (exit code 2)' });
      else {
        const error = failureOf(run, 'check', timeoutOf(target));
        if (error === undefined) steps.push({ name: 'hook check', outcome: 'passed', detail: 'the hook answered phase "check" with exit code 0' });
        else failed('hook check', 'running the hook with phase "check"', error);
      }
      return steps;
    },

    async set(target, current, proposed) {
      judge(await invoke(target, 'set', proposed.secret, [proposed.secret, current.secret]), 'set', timeoutOf(target));
      const user = proposed.user ?? current.user;
      return { ...(user === undefined ? {} : { user }), secret: proposed.secret };
    },

    async test(target, next) {
      judge(await invoke(target, 'test', next.secret, [next.secret]), 'test', timeoutOf(target));
    },

    async retire(target, old, next) {
      judge(await invoke(target, 'finish', next.secret, [next.secret, old.secret]), 'finish', timeoutOf(target));
    },

    async undo(target, current, next) {
      judge(await invoke(target, 'rollback', current.secret, [current.secret, next.secret]), 'rollback', timeoutOf(target));
    },

    async refuses(target, old: Credential) {
      const run = await invoke(target, 'verify', old.secret, [old.secret]);
      const { result } = run;
      if (result.printedValue || result.stopped !== undefined || result.spawnError !== undefined) judge(run, 'verify', timeoutOf(target));
      if (result.exitCode === 0) return true;
      if (result.exitCode === 1) return false;
      if (result.exitCode === NOT_HANDLED) throw invalidInput(`The hook ${run.executable} does not handle phase "verify" (exit code 2), so Latchkey cannot tell whether the old value is refused.`);
      throw backendUnavailable(
        `The hook ${run.executable} answered phase "verify" with ${result.exitCode === null ? `signal ${result.exitSignal ?? '?'}` : `exit code ${result.exitCode}`}; 0 means the old value is refused, 1 that it still works, 2 that the hook cannot tell.`,
      );
    },
  };
}

function failureOf({ result, executable }: { result: HookResult; executable: string }, phase: RotationPhase, timeoutSeconds: number): LatchkeyError | undefined {
  if (result.spawnError !== undefined) {
    const code = result.spawnError.code;
    if (code === 'ENOENT') return notFound(`The rotation hook ${executable} could not be started: it (or the interpreter on its #! line) does not exist.`);
    if (code === 'EACCES') return permissionDenied(`The rotation hook ${executable} could not be started: permission denied. Make it executable: chmod +x ${executable}`);
    return backendUnavailable(`The rotation hook ${executable} could not be started (${code ?? 'error'}).`);
  }
  if (result.printedValue) {
    return invalidInput(
      `The rotation hook ${executable} wrote the secret value to its output during "${phase}". Latchkey dropped that output (it is neither stored nor shown) and counts the step as failed: fix the hook so it never prints the value.`,
    );
  }
  if (result.stopped === 'aborted') return cancelled(`The rotation hook ${executable} was stopped during "${phase}" (cancelled).`);
  if (result.stopped === 'timeout') {
    return backendUnavailable(`The rotation hook ${executable} did not finish "${phase}" within ${timeoutSeconds} s and was stopped (SIGTERM, then SIGKILL). Raise --timeout if it needs longer.`);
  }
  if (result.exitCode === 0) return undefined;
  const how = result.exitCode === null ? `was killed by ${result.exitSignal ?? 'a signal'}` : `exited with code ${result.exitCode}`;
  return backendUnavailable(`The rotation hook ${executable} ${how} during "${phase}"${result.output === '' ? '.' : `: ${result.output}`}`);
}

function asLatchkeyError(error: unknown): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  return backendUnavailable('The rotation hook could not be run.');
}

/** The command kind in the services registry: no settings and no admin credential; the rotator names the executable. */
export const commandServiceKind: ServiceKindDefinition<CommandSettings> = {
  kind: 'command',
  settingsSchema: commandSettingsSchema,
  describe: () => 'a command hook',
  createDriver: (deps) => createCommandDriver(deps),
};
