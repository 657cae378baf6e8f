import { cancelled, LatchkeyError } from '../../errors';
import type { Logger } from '../../log';

/**
 * Retries for remote backends. Only transient failures (timeouts, 5xx, throttling, connection reset or
 * refused) are tried again, with capped exponential backoff and full jitter so that many clients do not
 * retry in step; permanent ones (authentication, permission, not found, validation) fail at once. Every
 * attempt has its own timeout.
 */
export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Limit for one attempt (one HTTP request and its answer). */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8_000, timeoutMs: 20_000 };

/** What a caller is told to wait before trying again when the server gave no hint of its own. */
export const DEFAULT_RETRY_HINT_MS = 1_000;

/**
 * A BackendUnavailable failure that may pass if tried again. `serverRetryAfterMs` is the server's own
 * hint (Retry-After); the backoff never waits less than that.
 */
export class TransientBackendError extends LatchkeyError {
  readonly serverRetryAfterMs: number | undefined;

  constructor(message: string, options: { cause?: unknown; serverRetryAfterMs?: number } = {}) {
    super('BackendUnavailable', message, { cause: options.cause, retryAfterMs: options.serverRetryAfterMs ?? DEFAULT_RETRY_HINT_MS });
    this.serverRetryAfterMs = options.serverRetryAfterMs;
  }
}

export function isTransient(error: unknown): error is TransientBackendError {
  return error instanceof TransientBackendError;
}

export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when this attempt times out or the caller gives up; pass it to the client library. */
  signal: AbortSignal;
  timeoutMs: number;
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** What is being done, for the timeout message: e.g. 'Vault at vault.example.com'. */
  target: string;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: TransientBackendError }) => void;
}

export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number, serverRetryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return Math.min(policy.maxDelayMs, Math.max(jittered, serverRetryAfterMs ?? 0));
}

export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `operation` until it succeeds, fails permanently, or the attempts are used up. `operation` must
 * already map its library's errors to LatchkeyError (TransientBackendError for transient ones).
 */
export async function withRetry<T>(operation: (context: AttemptContext) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, target } = options;
  const sleep = options.sleep ?? sleepMs;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw cancelled();
    try {
      return await attemptOnce(operation, attempt, policy.timeoutMs, target, options.signal);
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.attempts) throw error;
      const delayMs = backoffDelayMs(attempt, policy, random, error.serverRetryAfterMs);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

async function attemptOnce<T>(
  operation: (context: AttemptContext) => Promise<T>,
  attempt: number,
  timeoutMs: number,
  target: string,
  callerSignal: AbortSignal | undefined,
): Promise<T> {
  // One controller per attempt, aborted by its own timer or by the caller's signal. (AbortSignal.timeout
  // and a listener on it cost about fifteen times as much, on every request of a busy incident.)
  const controller = new AbortController();
  let stopped: LatchkeyError | undefined;
  let reject: (error: LatchkeyError) => void = () => undefined;
  // The race makes the timeout hold even for a library that ignores the signal.
  const stop = new Promise<never>((_, rejectStop) => (reject = rejectStop));
  const abort = (reason: LatchkeyError) => {
    if (stopped !== undefined) return;
    stopped = reason;
    controller.abort(reason);
    reject(reason);
  };
  const timer = setTimeout(() => abort(timedOut(target, timeoutMs)), timeoutMs);
  const onCallerAbort = () => abort(cancelled());
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    return await Promise.race([operation({ attempt, signal: controller.signal, timeoutMs }), stop]);
  } catch (error) {
    // A library may report the abort as its own error; what happened is the timeout or the cancel.
    if (stopped !== undefined) throw stopped;
    throw error;
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    stop.catch(() => undefined);
  }
}

function timedOut(target: string, timeoutMs: number): LatchkeyError {
  const limit = timeoutMs < 1_000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 100) / 10} s`;
  return new TransientBackendError(`${target} did not answer within ${limit}. Check the network or the service's status, then try again.`);
}

/** What every remote backend's options carry for retries and messages. */
export interface RemoteBackendOptions {
  logger: Logger;
  retry?: RetryPolicy;
  /** For tests: how backoff waits and draws jitter. */
  sleep?: RetryOptions['sleep'];
  random?: () => number;
  /** Where the credentials came from, for messages ("VAULT_TOKEN", 'connection "staging"'). */
  credentialsLabel?: string;
}

/** A backend's retry options: its policy (or the default), test knobs, and a log line per retry. */
export function retryOptionsFor(options: RemoteBackendOptions, logger: Logger, backend: string): Omit<RetryOptions, 'target'> {
  return {
    policy: options.retry ?? DEFAULT_RETRY_POLICY,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.random === undefined ? {} : { random: options.random }),
    onRetry: ({ attempt, delayMs, error }) => logger.info(`${backend} request retried`, { attempt, delayMs, error }),
  };
}

/**
 * withRetry for a client library's call: each attempt's failure is turned into Latchkey's error by
 * `mapError` (transient ones into TransientBackendError, so they are retried).
 */
export function withMappedRetry<T>(
  request: (context: AttemptContext) => Promise<T>,
  mapError: (error: unknown) => unknown,
  options: Omit<RetryOptions, 'signal'>,
  signal: AbortSignal | undefined,
): Promise<T> {
  return withRetry(
    async (context) => {
      try {
        return await request(context);
      } catch (error) {
        throw mapError(error);
      }
    },
    { ...options, ...(signal === undefined ? {} : { signal }) },
  );
}
