import { open } from 'node:fs/promises';
import { invalidInput, notFound, permissionDenied } from '../errors';

/**
 * A text file a person hands Latchkey (an env file, a template), read whole but never past `maxBytes`:
 * a pipe or a huge file is cut off with a clear error instead of filling memory. Works on pipes too
 * (`--env-file <(…)`), which report no size up front. The text must be UTF-8.
 */
export async function readBoundedText(path: string, options: { maxBytes: number; what: string }): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw openError(path, error, options.what);
  }
  try {
    if ((await handle.stat()).isDirectory()) throw invalidInput(`${path} is a folder, not ${options.what}.`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.alloc(64 * 1024);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        throw openError(path, error, options.what);
      }
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > options.maxBytes) throw invalidInput(`${path} is larger than ${Math.round(options.maxBytes / 1024)} KiB; that is more than ${options.what} Latchkey reads.`);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return decodeUtf8(Buffer.concat(chunks), path, options.what);
  } finally {
    await handle.close();
  }
}

/** Standard input as text, with the same bound (`-i -`). */
export async function readBoundedTextStream(stream: NodeJS.ReadableStream, options: { maxBytes: number; what: string }): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > options.maxBytes) throw invalidInput(`Standard input is larger than ${Math.round(options.maxBytes / 1024)} KiB; that is more than ${options.what} Latchkey reads.`);
    chunks.push(bytes);
  }
  return decodeUtf8(Buffer.concat(chunks), 'Standard input', options.what);
}

function decodeUtf8(bytes: Buffer, where: string, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidInput(`${where} is not UTF-8 text; Latchkey reads ${what} as UTF-8.`);
  }
}

function openError(path: string, error: unknown, what: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return notFound(`${path} does not exist.`);
  if (code === 'EISDIR') return invalidInput(`${path} is a folder, not ${what}.`);
  if (code === 'EACCES' || code === 'EPERM') return permissionDenied(`${path} cannot be read: permission denied.`);
  return error as Error;
}
