import { readFile, stat } from 'node:fs/promises';
import { invalidInput, notFound } from '../errors';

/** A .env file to import, read whole (at most 1 MiB: larger is not a .env file Latchkey imports). */
const MAX_BYTES = 1024 * 1024;

export async function readDotenvFile(path: string): Promise<string> {
  try {
    if ((await stat(path)).size > MAX_BYTES) throw invalidInput(`${path} is larger than 1 MiB; it is not a .env file Latchkey imports.`);
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`${path} does not exist.`);
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw invalidInput(`${path} is a folder, not a .env file.`);
    throw error;
  }
}
