import { createInterface } from 'node:readline';
import { readBoundedStream, type ReadLimit } from '../core/fs/bounded-read';
import { MAX_VALUE_BYTES } from '../core/secrets/value-limits';

/** The CLI's contact with the outside world, injectable for tests. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Limits of what the CLI reads from standard input (README, "The command line"). */
export const STDIN_LIMITS = {
  /** A secret value, with room for the newline `echo` adds. */
  value: { limit: MAX_VALUE_BYTES + 2, limitText: '1 MiB', what: 'The value on standard input' },
  /** A session token (the HandsFree server's are 43 characters). */
  token: { limit: 4096, limitText: '4 KiB', what: 'The token on standard input' },
  /** Connection credentials as JSON (a Google service-account key is about 2.5 KiB). */
  credentials: { limit: 64 * 1024, limitText: '64 KiB', what: 'The credentials on standard input' },
} as const satisfies Record<string, ReadLimit>;

export async function readAll(stream: NodeJS.ReadableStream, limit: ReadLimit): Promise<string> {
  const bytes = await readBoundedStream(stream, limit);
  const text = bytes.toString('utf8');
  bytes.fill(0);
  return text;
}

/**
 * A value from standard input. One trailing newline is dropped (what `echo` adds) unless asked to keep
 * it; `printf %s "$VALUE"` passes the value exactly either way.
 */
export async function readValue(io: CliIo, keepNewline: boolean, limit: ReadLimit = STDIN_LIMITS.value): Promise<string> {
  if (io.stdin.isTTY === true) io.stderr.write('Enter the value, then press Ctrl-D:\n');
  const text = await readAll(io.stdin, limit);
  if (keepNewline) return text;
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/**
 * One line typed in a terminal after `question` (on stderr); undefined when standard input is not a
 * terminal, or when `signal` aborts (Ctrl-C at the prompt).
 */
export async function readLine(io: CliIo, question: string, signal?: AbortSignal): Promise<string | undefined> {
  const aborted = () => signal?.aborted === true;
  if (io.stdin.isTTY !== true || aborted()) return undefined;
  io.stderr.write(question);
  const lines = createInterface({ input: io.stdin, terminal: false });
  const onAbort = () => lines.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const answer = await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(''));
    });
    return aborted() ? undefined : answer;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    lines.close();
  }
}
