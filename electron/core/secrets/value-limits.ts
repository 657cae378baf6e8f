import { invalidInput } from '../errors';

/** Refuses a value over the backend's limit before anything is sent, naming the limit, never the value. */
export function assertValueFits(value: string, maxBytes: number, where: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) {
    throw invalidInput(`The value is ${bytes} bytes, more than ${where} accepts (${maxBytes} bytes). Store a smaller value or use another backend.`);
  }
}
