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

/** Runs the built `latchkey` command as a user would, with `input` on standard input. */
export async function runLatchkey(args: string[], options: CliOptions): Promise<CliRun> {
  const { code, stdout, stderr } = await startLatchkey(args, options).exited;
  return { code, stdout, stderr };
}

/**
 * Starts the built `latchkey` and hands back the process, for tests that signal it (Ctrl-C, SIGKILL at
 * a step); `exited` says how it ended: its exit code, or the signal that ended it.
 */
export function startLatchkey(args: string[], options: CliOptions): { child: ChildProcess; exited: Promise<CliRun & { signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
  const exited = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  // A process killed before it read its input must not fail the test with EPIPE.
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(options.input ?? '');
  return { child, exited };
}

/**
 * Runs the built `latchkey` as `latchkey … | head -c N` would: standard output is read until `bytes`
 * bytes arrived, then its read end is closed while the command may still be writing.
 */
export function runLatchkeyClosingStdout(args: string[], options: { env: Record<string, string>; bytes: number; input?: string }): Promise<CliRun & { received: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let received = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
      stdout += chunk.toString('utf8');
      if (received >= options.bytes) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? -1 : 128), stdout, stderr, received }));
    child.stdin.end(options.input ?? '');
  });
}
