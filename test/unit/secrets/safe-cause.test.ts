import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { httpStatusOf, isNetworkFailure, parseRetryAfter, safeCause } from '../../../electron/core/secrets/remote/safe-cause';

describe('safe causes', () => {
  it('keeps name, code, status and stack frames, and drops the message and any request it carried', () => {
    const canary = 'canary-in-request-body';
    const error = Object.assign(new Error(`Cannot build HTTP request for {"payload":"${canary}"}`), {
      code: 'ERR_BAD_REQUEST',
      config: { data: JSON.stringify({ value: canary }) },
      response: { status: 400, data: canary },
    });
    const cause = safeCause(error);
    expect(cause).toMatchObject({ name: 'Error', code: 'ERR_BAD_REQUEST', status: 400 });
    expect(inspect(cause, { depth: 10 })).not.toContain(canary);
    expect(cause.stack).toMatch(/^\s+at /);
  });

  it('reads HTTP status under the names the SDKs use', () => {
    expect(httpStatusOf({ statusCode: 404 })).toBe(404);
    expect(httpStatusOf({ $metadata: { httpStatusCode: 503 } })).toBe(503);
    expect(httpStatusOf({ response: { status: 429 } })).toBe(429);
    expect(httpStatusOf(new Error('x'))).toBeUndefined();
  });

  it('recognises network failures, also nested as a cause', () => {
    expect(isNetworkFailure(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isNetworkFailure(new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isNetworkFailure(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(false);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7_000);
    expect(parseRetryAfter('Wed, 01 Jan 2031 00:00:10 GMT', () => new Date('2031-01-01T00:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
