import { describe, expect, it } from 'vitest';
import { parseEnvTemplate } from '../../../electron/core/run/env-template';

describe('--env-file: a .env file whose unquoted scheme:// values are references', () => {
  const text = [
    '# payments, production',
    'DB_URL=vault://payments/prod/DB_URL',
    'STRIPE_KEY=file://payments/prod/STRIPE_KEY',
    'export AWS_THING=aws://handsfree/thing',
    'PORT=8080',
    'API_URL="https://api.example.com/v1"',
    "CALLBACK='myapp://done'",
    'GREETING="hello # not a comment"',
    'EMPTY=',
    'MULTI="line one',
    'line two"',
    'LAST=keychain://deploy/token',
  ].join('\n');

  it('reads references and literals with their lines, as dotenv reads the file', () => {
    expect(parseEnvTemplate(text, '.env.tpl')).toEqual([
      { name: 'DB_URL', line: 2, source: { kind: 'reference', ref: 'vault://payments/prod/DB_URL' } },
      { name: 'STRIPE_KEY', line: 3, source: { kind: 'reference', ref: 'file://payments/prod/STRIPE_KEY' } },
      { name: 'AWS_THING', line: 4, source: { kind: 'reference', ref: 'aws://handsfree/thing' } },
      { name: 'PORT', line: 5, source: { kind: 'literal', value: '8080' } },
      { name: 'API_URL', line: 6, source: { kind: 'literal', value: 'https://api.example.com/v1' } },
      { name: 'CALLBACK', line: 7, source: { kind: 'literal', value: 'myapp://done' } },
      { name: 'GREETING', line: 8, source: { kind: 'literal', value: 'hello # not a comment' } },
      { name: 'EMPTY', line: 9, source: { kind: 'literal', value: '' } },
      { name: 'MULTI', line: 10, source: { kind: 'literal', value: 'line one\nline two' } },
      { name: 'LAST', line: 12, source: { kind: 'reference', ref: 'keychain://deploy/token' } },
    ]);
  });

  it('a name assigned twice keeps its last line (dotenv keeps the last value)', () => {
    expect(parseEnvTemplate('A=1\nB=2\nA=vault://x\n', 'f')).toEqual([
      { name: 'B', line: 2, source: { kind: 'literal', value: '2' } },
      { name: 'A', line: 3, source: { kind: 'reference', ref: 'vault://x' } },
    ]);
  });

  it('an unquoted value with another scheme is refused with its line and scheme — never the rest of the value — and how to pass it as a plain value', () => {
    const attempt = () => parseEnvTemplate('OK=1\nDB=valut://payments/prod/DB\n', '.env.tpl');
    expect(attempt).toThrow(expect.objectContaining({ kind: 'InvalidInput', message: expect.stringContaining('.env.tpl line 2: DB refers to "valut://"') }));
    expect(attempt).toThrow(/quote it: DB="valut:\/\/…"/);
    const url = () => parseEnvTemplate('DATABASE_URL=postgres://app:pa55word-canary@db/app\n', '.env.tpl');
    expect(url).toThrow(/line 1: DATABASE_URL refers to "postgres:\/\/"/);
    expect(url).not.toThrow(/pa55word-canary/);
  });

  it('a reference the backend form refuses is reported with its line', () => {
    expect(() => parseEnvTemplate('\n\nX=file://', 't')).toThrow(/t line 3: X: .*not a secret reference/);
  });

  it('names that are not environment variable names are refused with the rule', () => {
    expect(() => parseEnvTemplate('db.password=file://a/b/C\n', 'f')).toThrow(
      expect.objectContaining({ kind: 'InvalidInput', message: expect.stringMatching(/f line 1: "db\.password" is not a valid environment variable name; a name has letters, digits and "_", not starting with a digit/) }),
    );
    expect(() => parseEnvTemplate('1ST=x\n', 'f')).toThrow(/"1ST" is not a valid environment variable name/);
    expect(() => parseEnvTemplate('A-B=x\n', 'f')).toThrow(/"A-B"/);
  });
});
