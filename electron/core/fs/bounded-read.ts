import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { invalidInput, notFound, permissionDenied } from '../errors';

/**
 * Every read of input from outside — a file the person named, standard input — goes through here: it
 * stops at the documented limit instead of reading on (a 300 MB value, /dev/zero), and a file must be a
 * regular file (a FIFO would hang the read, a device never ends). Reading stops at `limit + 1` bytes,
 * so nothing larger than the limit is ever held in memory.
 */
export interface ReadLimit {
  /** The most bytes accepted. */
  limit: number;
  /** What is read, for messages: "The .env file", "The value on standard input". */
  what: string;
  /** How the limit is said to people, e.g. "1 MiB". */
  limitText: string;
}

/** A regular file, at most `limit` bytes. `followSymlink: false` refuses a link (O_NOFOLLOW). */
export async function readBoundedFile(path: string, options: ReadLimit & { followSymlink?: boolean }): Promise<Buffer> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one; it makes no
    // difference to a regular file, and anything else is refused below before a byte is read.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlink === false ? (constants.O_NOFOLLOW ?? 0) : 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`${path} does not exist.`);
    if (code === 'ELOOP') throw permissionDenied(`Refusing to read ${path}: it is a symbolic link.`);
    if (code === 'EISDIR') throw invalidInput(`${path} is a folder, not a file.`);
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw invalidInput(`${path} is a folder, not a file.`);
    if (!stats.isFile()) throw invalidInput(`${path} is not a regular file (it is a pipe, socket or device), so ${options.what.toLowerCase()} cannot be read from it.`);
    if (stats.size > options.limit) throw tooLarge(options);
    const buffer = Buffer.alloc(options.limit + 1);
    let length = 0;
    // The size may change while reading: read until the end or one byte past the limit, whichever is first.
    while (length <= options.limit) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > options.limit) {
      buffer.fill(0);
      throw tooLarge(options);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** A stream (standard input) read to its end, refused — and no longer read — once it passes `limit` bytes. */
export async function readBoundedStream(stream: NodeJS.ReadableStream & { destroy?: () => void }, options: ReadLimit): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(bytes);
    length += bytes.length;
    if (length > options.limit) {
      stream.destroy?.();
      for (const part of chunks) part.fill(0);
      throw tooLarge(options);
    }
  }
  const whole = Buffer.concat(chunks);
  for (const part of chunks) part.fill(0);
  return whole;
}

function tooLarge(options: ReadLimit) {
  return invalidInput(`${options.what} is larger than ${options.limitText}, the most Latchkey accepts here; nothing was read past that, and nothing was changed.`);
}
