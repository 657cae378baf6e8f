import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/latchkey.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `latchkey` command as a user would, with `input` on standard input. */
export async function runLatchkey(args: string[], options: { env: Record<string, string>; input?: string }): Promise<CliRun> {
  const { code, stdout, stderr } = await startLatchkey(args, options).exited;
  return { code, stdout, stderr };
}

/**
 * Starts the built `latchkey` and hands back the process, for tests that signal it (Ctrl-C, kill);
 * `exited` says how it ended: its exit code, or the signal that ended it.
 */
export function startLatchkey(args: string[], options: { env: Record<string, string>; input?: string }): { child: ChildProcess; exited: Promise<CliRun & { signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  child.stdin?.end(options.input ?? '');
  return { child, exited };
}
