import { backendUnavailable, invalidInput, isLatchkeyError, LatchkeyError, permissionDenied, unauthenticated } from '../errors';

/**
 * Turns what ioredis and Redis report into a LatchkeyError a person can act on. Foreign messages are
 * matched, never repeated: only Redis error codes and system error codes (ECONNREFUSED…) are echoed.
 *
 * `connectionCause` is the last error the connection itself reported: when a command fails only with
 * "Connection is closed", that is where the real reason (wrong password, refused TLS) is.
 */
export const RETRY_AFTER_MS = 2_000;

export function redisFailure(error: unknown, target: string, connectionCause?: unknown, commandTimeoutMs?: number): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  const own = describe(error);
  // A paused or overloaded server: it took the command and did not answer in time. That is not "down",
  // and whatever was sent may still run once it answers again.
  if (/^Command timed out/i.test(own.message)) {
    const limit = commandTimeoutMs === undefined ? '' : ` within ${formatSeconds(commandTimeoutMs)}`;
    return backendUnavailable(
      `Redis at ${target} did not answer${limit}: the command timed out (the server is busy, paused or overloaded). What was already sent may still run when it answers again.`,
      { cause: error, retryAfterMs: RETRY_AFTER_MS },
    );
  }
  if (own.generic && connectionCause !== undefined) {
    const cause = describe(connectionCause);
    if (!cause.generic) return classify(cause, target, error);
  }
  return classify(own, target, error);
}

/**
 * True when the server refused to run a script at all — an ACL user without +@scripting, EVAL renamed
 * away, a proxy that wants KEYS, a server older than Redis 7 that cannot read a `#!lua` line — rather
 * than the script failing while it ran. Walks then go on without scripts.
 */
export function isScriptingRefused(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return (
    /^NOPERM.*'(eval|evalsha|eval_ro|evalsha_ro|script)'/i.test(message) ||
    /unknown command [`'"]?(eval|evalsha|script)/i.test(message) ||
    /numkeys|bad lua script|shebang|Error compiling script|not allowed from scripts|scripting is disabled/i.test(message)
  );
}

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

interface Described {
  message: string;
  code: string | undefined;
  /** A failure that says only that the connection is gone, not why. */
  generic: boolean;
}

function describe(error: unknown): Described {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const generic = /Connection is closed|max retries per request|Stream isn't writeable|enableOfflineQueue/i.test(message);
  return { message, code: typeof code === 'string' ? code : undefined, generic };
}

function classify({ message, code }: Described, target: string, cause: unknown): LatchkeyError {
  if (/^WRONGPASS|invalid username-password|invalid password/i.test(message)) {
    return unauthenticated(
      `Redis at ${target} refused the username or password. Check the ACL user name of the connection and the password stored in the keychain, then try again.`,
      { cause },
    );
  }
  if (/^NOAUTH/.test(message)) {
    return unauthenticated(`Redis at ${target} requires a password. Store it in the keychain for this connection, then try again.`, { cause });
  }
  if (/^NOPERM/.test(message)) {
    return permissionDenied(
      `The Redis user of this connection is not allowed to do this on ${target} (NOPERM). Grant it read and write access to the session keys and to the "latchkey:*" keys.`,
      { cause },
    );
  }
  if (/^WRONGTYPE/.test(message)) {
    return invalidInput(`A key Latchkey expected to be a session hash on ${target} holds another type of value. Latchkey left it alone.`, { cause });
  }
  if (/certificate|altnames|self[- ]signed|UNABLE_TO_VERIFY|CERT_|ERR_TLS|SSL routines|wrong version number/i.test(`${message} ${code ?? ''}`)) {
    const detail = code === undefined ? '' : ` (${code})`;
    return backendUnavailable(
      `The TLS connection to Redis at ${target} failed${detail}: the server's certificate is not trusted or does not name this host, or the server does not speak TLS. Check the CA certificate and the host name, or use redis:// for a server without TLS.`,
      { cause },
    );
  }
  if (code === 'ECONNRESET' || /ECONNRESET|socket hang up/.test(message)) {
    return backendUnavailable(
      `Redis at ${target} closed the connection before answering. If the server requires TLS, use a rediss:// URL (with its CA certificate); otherwise check that it is a Redis server and try again.`,
      { cause, retryAfterMs: RETRY_AFTER_MS },
    );
  }
  if (/^Too many Cluster redirections/i.test(message)) {
    // ioredis gives up after following MOVED/ASK/TRYAGAIN 16 times: slots are moving or a master is failing over.
    return backendUnavailable(`The Redis Cluster at ${target} kept redirecting the command (slots moving between nodes, or a master failing over). Try again in a moment.`, {
      cause,
      retryAfterMs: RETRY_AFTER_MS,
    });
  }
  if (/^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)/.test(message)) {
    const redisCode = message.split(' ', 1)[0];
    return backendUnavailable(`Redis at ${target} is not ready (${redisCode}). Try again in a moment.`, { cause, retryAfterMs: RETRY_AFTER_MS });
  }
  const systemCode = code ?? /\b(E[A-Z]{4,})\b/.exec(message)?.[1];
  const reason = systemCode === undefined ? '' : ` (${systemCode})`;
  if (systemCode !== undefined || /Connection is closed|max retries|timed out|timeout|not available|refresh slots|startup nodes|sentinel/i.test(message)) {
    return backendUnavailable(
      `Redis at ${target} is not reachable${reason}. Check that it is running and that the address is right, then retry.`,
      { cause, retryAfterMs: RETRY_AFTER_MS },
    );
  }
  return new LatchkeyError('Internal', `Redis at ${target} answered with an unexpected error. Details are in the log.`, { cause });
}
