import type { RetryPolicy } from '../../electron/core/secrets/remote/retry';

/** The production retry behaviour with short waits, so fault tests run in milliseconds. */
export const FAST_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 };
