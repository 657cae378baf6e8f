/**
 * What is kept of a client library's error as the `cause` of a LatchkeyError. Library errors carry the
 * request they failed on (axios keeps `config.data`, Azure's RestError keeps `request.body`, AWS keeps
 * the raw `$response`), and their messages may quote a request or response body — so a secret value
 * could ride along. Only identifying fields survive: name, code, HTTP status, and the stack frames
 * without the message line.
 */
export interface SafeCause {
  name: string;
  code?: string | number;
  status?: number;
  stack?: string;
}

export function safeCause(error: unknown): SafeCause {
  if (error === null || typeof error !== 'object') return { name: typeof error };
  const record = error as Record<string, unknown>;
  const cause: SafeCause = { name: typeof record.name === 'string' ? record.name : 'Error' };
  const code = record.code;
  if (typeof code === 'string' || typeof code === 'number') cause.code = code;
  const status = httpStatusOf(error);
  if (status !== undefined) cause.status = status;
  if (typeof record.stack === 'string') {
    cause.stack = record.stack
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .slice(0, 8)
      .join('\n');
  }
  return cause;
}

/** The HTTP status a library error reports, under the names the libraries use. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const record = error as Record<string, unknown>;
  const metadata = record.$metadata as { httpStatusCode?: unknown } | undefined;
  const response = record.response as { status?: unknown; statusCode?: unknown } | undefined;
  for (const candidate of [record.statusCode, record.status, metadata?.httpStatusCode, response?.statusCode, response?.status]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate)) return candidate;
  }
  return undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A failure to reach the server or to get its whole answer, which may pass if tried again. */
export function isNetworkFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== null && typeof current === 'object' && depth < 4; depth += 1) {
    const record = current as Record<string, unknown>;
    if (typeof record.code === 'string' && NETWORK_CODES.has(record.code)) return true;
    if (typeof record.errno === 'string' && NETWORK_CODES.has(record.errno)) return true;
    if (record.name === 'TimeoutError' || record.name === 'AbortError') return true;
    current = record.cause;
  }
  return false;
}

/** DNS said the host does not exist: a configuration mistake, not worth retrying. */
export function isUnknownHost(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== null && typeof current === 'object' && depth < 4; depth += 1) {
    const record = current as Record<string, unknown>;
    if (record.code === 'ENOTFOUND') return true;
    current = record.cause;
  }
  return false;
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function parseRetryAfter(header: string | null | undefined, now: () => Date = () => new Date()): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now().getTime());
}
