import type { ErrorKind, PublicError } from '../../shared/errors';

export interface LatchkeyErrorOptions {
  /** The lower-level error, kept for debugging; never shown to users (it may quote input). */
  cause?: unknown;
  retryAfterMs?: number;
  /** The input field the error is about (a settings path such as "address"), for a form to point at. */
  field?: string;
  /**
   * Items the message lists (one secret or reference per item), each shown on a line of its own under
   * it. Kept apart so that the CLI can escape each as one line: an item may quote input, and a newline
   * inside it must not forge a line of output.
   */
  items?: readonly string[];
}

/**
 * The one error type of core. `message` is written for the person using Latchkey: what went wrong and
 * what to do. It must never contain a secret value or token.
 */
export class LatchkeyError extends Error {
  readonly kind: ErrorKind;
  readonly retryAfterMs: number | undefined;
  readonly field: string | undefined;
  /** The message without its items. */
  readonly summary: string;
  readonly items: readonly string[];

  constructor(kind: ErrorKind, message: string, options: LatchkeyErrorOptions = {}) {
    const items = options.items ?? [];
    super([message, ...items.map((item) => `  ${item}`)].join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = `LatchkeyError(${kind})`;
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
    this.field = options.field;
    this.summary = message;
    this.items = items;
  }
}

export function isLatchkeyError(error: unknown): error is LatchkeyError {
  return error instanceof LatchkeyError;
}

export const notFound = (message: string, options?: LatchkeyErrorOptions) => new LatchkeyError('NotFound', message, options);
export const conflict = (message: string, options?: LatchkeyErrorOptions) => new LatchkeyError('Conflict', message, options);
export const permissionDenied = (message: string, options?: LatchkeyErrorOptions) =>
  new LatchkeyError('PermissionDenied', message, options);
export const unauthenticated = (message: string, options?: LatchkeyErrorOptions) =>
  new LatchkeyError('Unauthenticated', message, options);
export const backendUnavailable = (message: string, options?: LatchkeyErrorOptions) =>
  new LatchkeyError('BackendUnavailable', message, options);
export const invalidInput = (message: string, options?: LatchkeyErrorOptions) => new LatchkeyError('InvalidInput', message, options);
export const confirmationRequired = (message: string) => new LatchkeyError('ConfirmationRequired', message);
export const cancelled = (message = 'The operation was cancelled.') => new LatchkeyError('Cancelled', message);
export const locked = (message = 'Latchkey is locked. Unlock it to continue.') => new LatchkeyError('Locked', message);

/**
 * The form of an error that may leave the main process (IPC result, CLI output). Anything that is not a
 * LatchkeyError is reported as Internal with a fixed message: its own message may quote input (JSON
 * parse errors do), so it is never passed on.
 */
export function toPublicError(error: unknown): PublicError {
  if (isLatchkeyError(error)) {
    return {
      kind: error.kind,
      message: error.message,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.field === undefined ? {} : { field: error.field }),
    };
  }
  return { kind: 'Internal', message: 'Latchkey hit an unexpected error. Details are in the log; no secret values are recorded there.' };
}
