import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/latchkey.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: Record<string, string>;
  input?: string;
  /** The directory the command runs in (default: the test's). */
  cwd?: string;
}

/** A running `latchkey` process, for tests that kill it part-way (SIGKILL at a step). */
export interface StartedCli {
  child: ChildProcess;
  /** Settles when it has exited, however that happened. */
  done: Promise<CliRun & { signal: NodeJS.Signals | null }>;
}

/** Starts the built `latchkey` command as a user would, with `input` on standard input. */
export function startLatchkey(args: string[], options: CliOptions): StartedCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(options.input ?? '');
  return { child, done };
}

/** Runs the built `latchkey` command as a user would, with `input` on standard input. */
export async function runLatchkey(args: string[], options: CliOptions): Promise<CliRun> {
  const { code, stdout, stderr } = await startLatchkey(args, options).done;
  return { code, stdout, stderr };
}
