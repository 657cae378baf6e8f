import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { createMaskingStream, type MaskedValue } from './secret-masker';

/**
 * One start of the program: spawned without a shell, its arguments as given, its environment as
 * built; standard input, output and error are Latchkey's own (the terminal passes through), except
 * that --mask pipes output and error through the masker. How it ended is reported the way a shell
 * reports it: its exit code, 128 + the signal's number when a signal killed it, 127 when the command
 * does not exist and 126 when it cannot be executed.
 */
export interface ProgramLaunch {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  /** Values to mask in output and error; undefined: no masking, the streams are inherited. */
  mask?: readonly MaskedValue[];
}

export interface ProgramEnd {
  /** What Latchkey exits with. */
  exitCode: number;
  /** The signal that killed the program. */
  signal?: NodeJS.Signals;
  /** Set when the program never started: why, for people. */
  notStarted?: string;
}

export interface RunningProgram {
  readonly pid: number | undefined;
  readonly ended: Promise<ProgramEnd>;
  /** It has exited (or never started). */
  readonly done: boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves when it has ended. */
  stop(graceMs: number): Promise<ProgramEnd>;
}

export interface ProgramOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function startProgram(launch: ProgramLaunch, output: ProgramOutput): RunningProgram {
  const masked = launch.mask !== undefined;
  const child: ChildProcess = spawn(launch.command, [...launch.args], {
    env: launch.env,
    stdio: masked ? ['inherit', 'pipe', 'pipe'] : 'inherit',
    shell: false,
    windowsHide: false,
  });
  if (masked) {
    pipeMasked(child.stdout, output.stdout, launch.mask ?? []);
    pipeMasked(child.stderr, output.stderr, launch.mask ?? []);
  }

  const ended = new Promise<ProgramEnd>((resolve) => {
    let spawnFailure: ProgramEnd | undefined;
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Only a failure to start arrives before the pid; later errors (a failed kill) change nothing here.
      if (child.pid === undefined) {
        spawnFailure = notStarted(launch.command, error);
        resolve(spawnFailure);
      }
    });
    // 'close' comes after the exit and after the piped output has been read to its end.
    child.once('close', (code, signal) => {
      if (spawnFailure !== undefined) return;
      if (signal !== null) resolve({ exitCode: 128 + (constants.signals[signal] ?? 0), signal });
      else resolve({ exitCode: code ?? 1 });
    });
  });

  let exited = false;
  child.once('exit', () => (exited = true));
  void ended.then(() => (exited = true));

  return {
    pid: child.pid,
    ended,
    get done() {
      return exited;
    },
    signal(signal) {
      if (!exited) child.kill(signal);
    },
    async stop(graceMs) {
      if (!exited) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
          resolve();
        }, graceMs);
      });
      const end = await Promise.race([ended, killed.then(() => ended)]);
      clearTimeout(timer);
      return end;
    },
  };
}

function pipeMasked(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream, values: readonly MaskedValue[]): void {
  if (from === null) return;
  const masking = createMaskingStream(values);
  from.pipe(masking);
  masking.on('data', (chunk: Buffer) => {
    to.write(chunk);
  });
  // Where Latchkey's own output is closed (`latchkey run --mask … | head -1`), stop reading: the
  // program then gets EPIPE or SIGPIPE on its next write, as it would writing to the pipe itself.
  to.once('error', () => masking.destroy());
  masking.once('close', () => (from as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.());
}

/** Why a command did not start, as a shell says it (with its exit code). */
function notStarted(command: string, error: NodeJS.ErrnoException): ProgramEnd {
  if (error.code === 'ENOENT') {
    if (!command.includes('/')) return { exitCode: 127, notStarted: `${command}: command not found` };
    if (existsSync(command)) return { exitCode: 126, notStarted: `${command}: cannot run it; the interpreter on its #! line was not found` };
    return { exitCode: 127, notStarted: `${command}: no such file or directory` };
  }
  if (error.code === 'EACCES' || error.code === 'EISDIR' || error.code === 'ENOEXEC') {
    return { exitCode: 126, notStarted: `${command}: permission denied (not an executable file)` };
  }
  if (error.code === 'E2BIG') return { exitCode: 126, notStarted: `${command}: the environment and arguments are larger than the system allows (E2BIG)` };
  return { exitCode: 126, notStarted: `${command}: could not be started (${error.code ?? 'unknown error'})` };
}
