import { readBoundedFile } from '../fs/bounded-read';
import { invalidInput } from '../errors';

/** A .env file to import: a regular file of at most 1 MiB (larger is not a .env file Latchkey imports). */
export const DOTENV_FILE_LIMIT = { limit: 1024 * 1024, limitText: '1 MiB', what: 'The .env file' };

export async function readDotenvFile(path: string): Promise<string> {
  return decodeDotenv(await readBoundedFile(path, DOTENV_FILE_LIMIT), path);
}

/**
 * The file's text, refused unless it is UTF-8 throughout: decoding leniently would store U+FFFD in
 * place of every byte it cannot read and report the secret as imported. The message names the line.
 */
export function decodeDotenv(bytes: Buffer, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let line = 1;
    let start = 0;
    for (let index = 0; index <= bytes.length; index += 1) {
      if (index === bytes.length || bytes[index] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, index));
        } catch {
          break;
        }
        line += 1;
        start = index + 1;
      }
    }
    throw invalidInput(`${where} is not UTF-8 text (line ${line} holds bytes of another encoding), so its values would not be imported as written. Save it as UTF-8 and import it again.`);
  }
}
