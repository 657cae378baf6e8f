import { createInterface } from 'node:readline';

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

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString('utf8');
  bytes.fill(0);
  return text;
}

/**
 * A value from standard input. One trailing newline is dropped (what `echo` adds) unless asked to keep
 * it; `printf %s "$VALUE"` passes the value exactly either way.
 */
export async function readValue(io: CliIo, keepNewline: boolean): Promise<string> {
  if (io.stdin.isTTY === true) io.stderr.write('Enter the value, then press Ctrl-D:\n');
  const text = await readAll(io.stdin);
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
