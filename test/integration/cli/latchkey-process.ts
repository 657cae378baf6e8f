import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/latchkey.js', import.meta.url));

/**
 * The built `latchkey` as a running process the test talks to while it runs: its output as it comes,
 * signals sent to its pid, its children found through /proc — for `latchkey run`, whose behaviour is
 * all about the process it starts.
 */
export interface LatchkeyProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout (or stderr) has matched `pattern`; rejects, with what it printed, if the process ends first or after `timeoutMs` (default 60 s). */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL to its children, then to it: for clean-up after a failed check (nothing is left running). */
  killAll(): Promise<void>;
}

export interface StartOptions {
  env: Record<string, string | undefined>;
  input?: string;
}

export function startLatchkey(args: string[], options: StartOptions): LatchkeyProcess {
  return startWatched(process.execPath, [BIN, ...args], options);
}

/** Any command, watched the same way (e.g. `script`, which runs latchkey in a pseudo-terminal). */
export function startWatched(command: string, args: string[], options: StartOptions): LatchkeyProcess {
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; stream: 'stdout' | 'stderr'; resolve: (match: RegExpMatchArray) => void; reject: (error: Error) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = (waiter.stream === 'stdout' ? stdout : stderr).match(waiter.pattern);
      if (match !== null) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`latchkey ended (code ${code}) before ${waiter.stream} matched ${waiter.pattern}.\nstdout: ${stdout}\nstderr: ${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  return {
    child,
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern, stream = 'stdout', timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${stream} did not match ${pattern} within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
        }, timeoutMs);
        const waiter = {
          pattern,
          stream,
          resolve: (match: RegExpMatchArray) => {
            clearTimeout(timer);
            resolve(match);
          },
          reject: (error: Error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        waiters.push(waiter);
        check();
      }),
    exited,
    signal: (signal) => child.kill(signal),
    async killAll() {
      for (const pid of await childrenOf(child.pid!)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      child.kill('SIGKILL');
    },
  };
}

/** The pids of a process's children (from /proc/<pid>/task/<tid>/children). */
/** The command that runs the built latchkey, for a shell line (e.g. inside `script -c`). */
export function latchkeyCommandLine(args: string[]): string {
  return [process.execPath, BIN, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
}

export async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    children.push(...text.split(/\s+/).filter(Boolean).map(Number));
  }
  return children;
}

/** A process's command line and initial environment, as other users of the machine could read them. */
export async function procView(pid: number): Promise<{ cmdline: string; environ: string }> {
  return {
    cmdline: await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => ''),
    environ: await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => ''),
  };
}
