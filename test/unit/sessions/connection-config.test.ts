import { describe, expect, it } from 'vitest';
import { sessionServerFromUrl, parseSessionServer } from '../../../electron/core/sessions/connection';
import { redisFailure } from '../../../electron/core/sessions/redis-errors';

describe('session server settings', () => {
  it('fills in bounded defaults', () => {
    expect(parseSessionServer({ url: 'redis://127.0.0.1:6379' })).toMatchObject({ mode: 'standalone', prefix: 'session:', connectTimeoutMs: 5000, maxReconnectAttempts: 2 });
  });

  it('refuses a password in a stored URL and says where it belongs', () => {
    expect(() => parseSessionServer({ url: 'redis://:hunter2@host:6379' })).toThrow(/keychain/);
    try {
      parseSessionServer({ url: 'redis://:hunter2@host:6379' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('splits the password off a --redis URL', () => {
    const { config, password } = sessionServerFromUrl('rediss://ops:p%40ss@redis.example:6380/2', { prefix: 'hf:' });
    expect(password).toBe('p@ss');
    expect(config.url).toBe('rediss://ops@redis.example:6380/2');
    expect(config.prefix).toBe('hf:');
  });

  it('requires what each mode needs', () => {
    expect(() => parseSessionServer({ mode: 'cluster' })).toThrow(/nodes is required/);
    expect(() => parseSessionServer({ mode: 'sentinel' })).toThrow(/sentinel is required/);
    expect(() => parseSessionServer({ url: 'http://x' })).toThrow(/redis:\/\//);
    expect(() => parseSessionServer({ url: 'redis://x', connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/);
    expect(() => parseSessionServer({ url: 'redis://x', tls: { certFile: '/c' } })).toThrow(/keyFile/);
  });
});

describe('Redis failures become typed errors', () => {
  const target = '10.0.0.1:6379';
  const cases: [unknown, string, RegExp][] = [
    [new Error('WRONGPASS invalid username-password pair or user is disabled.'), 'Unauthenticated', /refused the username or password/],
    [new Error('NOAUTH Authentication required.'), 'Unauthenticated', /requires a password/],
    [new Error("NOPERM this user has no permissions to access one of the keys used as arguments"), 'PermissionDenied', /latchkey:\*/],
    [Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6379'), { code: 'ECONNREFUSED' }), 'BackendUnavailable', /not reachable \(ECONNREFUSED\)/],
    [new Error('LOADING Redis is loading the dataset in memory'), 'BackendUnavailable', /not ready \(LOADING\)/],
    [Object.assign(new Error('self-signed certificate'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'BackendUnavailable', /TLS connection .* failed \(SELF_SIGNED_CERT_IN_CHAIN\)/],
    [new Error('CLUSTERDOWN The cluster is down'), 'BackendUnavailable', /not ready \(CLUSTERDOWN\)/],
    [new Error('Too many Cluster redirections. Last error: TRYAGAIN Multiple keys request during rehashing of slot'), 'BackendUnavailable', /kept redirecting/],
    [new Error('ERR something odd'), 'Internal', /unexpected error/],
  ];
  it.each(cases)('%s', (error, kind, message) => {
    const mapped = redisFailure(error, target);
    expect(mapped.kind).toBe(kind);
    expect(mapped.message).toMatch(message);
    expect(mapped.cause).toBe(error);
  });

  it('explains a bare "Connection is closed" by the connection’s own last error', () => {
    const mapped = redisFailure(new Error('Connection is closed.'), target, new Error('WRONGPASS invalid username-password pair'));
    expect(mapped.kind).toBe('Unauthenticated');
    expect(redisFailure(new Error('Connection is closed.'), target).kind).toBe('BackendUnavailable');
  });
});
