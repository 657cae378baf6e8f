import { invalidInput } from '../errors';

/**
 * The largest value any backend keeps (the local store's 1 MiB): input of a value is not read past it.
 * Each backend then refuses what is over its own limit (assertValueFits).
 */
export const MAX_VALUE_BYTES = 1024 * 1024;

/** Refuses a value over the backend's limit before anything is sent, naming the limit, never the value. */
export function assertValueFits(value: string, maxBytes: number, where: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) {
    throw invalidInput(`The value is ${bytes} bytes, more than ${where} accepts (${maxBytes} bytes). Store a smaller value or use another backend.`);
  }
}
