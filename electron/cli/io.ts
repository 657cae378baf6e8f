import { createInterface } from 'node:readline';
import { readBoundedStream, type ReadLimit } from '../core/fs';
import { MAX_VALUE_BYTES } from '../core/secrets';
import { escapeControls } from './terminal-text';

/** The CLI's contact with the outside world, injectable for tests. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: CliOutput;
  stderr: CliOutput;
  env: Record<string, string | undefined>;
  /** Aborted when the reader of standard output went away (`latchkey … | head`): stop producing output. */
  outputClosed?: AbortSignal;
}

export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * The process's streams. A reader that closes the pipe early (`| head`) makes the next write fail with
 * EPIPE, reported as an 'error' event that would otherwise end the process with a stack trace: here it
 * only means "stop writing" — output is dropped from then on and `outputClosed` tells streaming commands
 * to stop their work. The command then ends as usual, quietly.
 */
export function processIo(): CliIo {
  const closed = new AbortController();
  const output = (stream: NodeJS.WriteStream, isStdout: boolean): CliOutput => {
    let open = true;
    stream.on('error', () => {
      // EPIPE, or any other failure of the stream itself: nobody reads it any more.
      open = false;
      if (isStdout) closed.abort();
    });
    return {
      write: (text) => open && stream.write(text),
      isTTY: stream.isTTY,
    };
  };
  return { stdin: process.stdin, stdout: output(process.stdout, true), stderr: output(process.stderr, false), env: process.env, outputClosed: closed.signal };
}

/** Standard output as commands see it: every write made safe for a terminal, and payloads written exactly. */
export interface GuardedOutput extends CliOutput {
  /**
   * A payload the person asked for byte for byte — a secret value, a .env file: written as it is into a
   * pipe or a file, and with its control characters escaped when a terminal shows it.
   */
  exact(text: string): unknown;
}

export interface GuardedIo extends Omit<CliIo, 'stdout' | 'stderr'> {
  stdout: GuardedOutput;
  stderr: GuardedOutput;
}

/** The one place where output is escaped (terminal-text.ts): every command writes through this. */
export function guardOutput(io: CliIo): GuardedIo {
  const guard = (stream: CliOutput): GuardedOutput => ({
    write: (text) => stream.write(escapeControls(text)),
    exact: (text) => stream.write(stream.isTTY === true ? escapeControls(text) : text),
    ...(stream.isTTY === undefined ? {} : { isTTY: stream.isTTY }),
  });
  return { ...io, stdout: guard(io.stdout), stderr: guard(io.stderr) };
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
export async function readValue(io: Pick<CliIo, 'stdin' | 'stderr'>, keepNewline: boolean, limit: ReadLimit = STDIN_LIMITS.value): Promise<string> {
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
export async function readLine(io: Pick<CliIo, 'stdin' | 'stderr'>, question: string, signal?: AbortSignal): Promise<string | undefined> {
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
