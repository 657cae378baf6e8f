import { describe, expect, it } from 'vitest';
import { codecFor, detectFormat } from '../../../electron/core/services/value-codecs';

// Value codecs: only the credential inside a stored value changes; everything else stays byte for byte,
// and an error never quotes the value.
describe('value codecs', () => {
  it('detects the form of a value', () => {
    expect(detectFormat('plain-password')).toBe('password');
    expect(detectFormat('postgres://app:pw@db:5432/shop')).toBe('url');
    expect(detectFormat('https://example.com/no-credentials')).toBe('password');
    expect(detectFormat('redis://:pw@cache:6379')).toBe('url');
    expect(detectFormat('{"username":"app","password":"pw","host":"db"}')).toBe('json');
    expect(detectFormat('{"accessKeyId":"AKIA1","secretAccessKey":"s"}')).toBe('json');
    expect(detectFormat('{"note":"no credential"}')).toBe('password');
  });

  it('url: reads and replaces the password (percent-encoded), keeps host, path, query and fragment', () => {
    const codec = codecFor('url');
    const value = 'postgres://shop_app:p%40ss%2Fword@db-1:5432,db-2:5432/shop?sslmode=verify-full&options=a@b#x';
    expect(codec.read(value)).toEqual({ user: 'shop_app', secret: 'p@ss/word' });
    expect(codec.write(value, { secret: 'n3w/p@ss' })).toBe('postgres://shop_app:n3w%2Fp%40ss@db-1:5432,db-2:5432/shop?sslmode=verify-full&options=a@b#x');
    // Alternating users: the user changes too.
    expect(codec.write(value, { user: 'shop_app_b', secret: 'x' })).toBe('postgres://shop_app_b:x@db-1:5432,db-2:5432/shop?sslmode=verify-full&options=a@b#x');
    expect(codec.read('redis://:only-pw@cache:6379/0')).toEqual({ secret: 'only-pw' });
    expect(() => codec.read('postgres://app@db/shop')).toThrow(/not a URL with a user and a password/);
    expect(() => codec.read('postgres://app:%E0%A4%A@db/shop')).toThrow(/broken %-escape/);
    try {
      codec.read('postgres://app:secret-that-must-not-show@db/shop%');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret-that-must-not-show');
    }
  });

  it('json: username/user and password, or an access key pair; other fields and the layout stay', () => {
    const codec = codecFor('json');
    const compact = '{"engine":"postgres","username":"app","password":"old","port":5432}';
    expect(codec.read(compact)).toEqual({ user: 'app', secret: 'old' });
    expect(codec.write(compact, { secret: 'new' })).toBe('{"engine":"postgres","username":"app","password":"new","port":5432}');
    expect(codec.write(compact, { user: 'app_b', secret: 'new' })).toBe('{"engine":"postgres","username":"app_b","password":"new","port":5432}');
    const pretty = '{\n  "user": "app",\n  "password": "old"\n}';
    expect(codec.write(pretty, { secret: 'new' })).toBe('{\n  "user": "app",\n  "password": "new"\n}');
    const key = '{"accessKeyId":"AKIAOLD","secretAccessKey":"old-secret","region":"eu-west-1"}';
    expect(codec.read(key)).toEqual({ user: 'AKIAOLD', secret: 'old-secret' });
    expect(codec.write(key, { user: 'AKIANEW', secret: 'new-secret' })).toBe('{"accessKeyId":"AKIANEW","secretAccessKey":"new-secret","region":"eu-west-1"}');
    expect(() => codec.read('[1,2]')).toThrow(/not a JSON object/);
  });

  it('password: the value is the credential', () => {
    expect(codecFor('password').read('abc')).toEqual({ secret: 'abc' });
    expect(codecFor('password').write('abc', { user: 'ignored', secret: 'def' })).toBe('def');
  });
});
