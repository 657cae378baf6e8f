import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

// Issue 15, item 17, on the built CLI: commander echoed `--value=Hunter2-TopSecret` in its "unknown
// option" error (and quotes a refused option value the same way), and `%zz` in a Redis URL ended in
// "unexpected error" with no hint. An option's value is never echoed; a bad URL says what to fix.

const CANARY = 'Hunter2-TopSecret';

describe('usage errors of the built CLI never echo an option value', () => {
  let xdg: TempXdg;
  const run = (args: string[], env: Record<string, string> = {}) => runLatchkey(args, { env: { ...xdg.env, ...env } });

  beforeAll(async () => {
    xdg = await createTempXdg();
  });
  afterAll(async () => {
    await xdg.cleanup();
  });

  it('an unknown option given with its value (--valu=…, -x…) is named without the value', async () => {
    const long = await run(['secrets', 'set', 'file://shop/dev/API_KEY', `--valu=${CANARY}`]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain("unknown option '--valu'");
    const short = await run(['secrets', 'get', 'file://shop/dev/API_KEY', `-q${CANARY}`]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("unknown option '-q'");
    for (const result of [long, short]) expect(`${result.stdout}${result.stderr}`).not.toContain(CANARY);
    // Commander's suggestion (which names only options that exist) is kept.
    expect((await run(['secrets', 'get', 'file://shop/dev/API_KEY', '--vrsion'])).stderr).toBe("error: unknown option '--vrsion'\n(Did you mean --version?)\n");
  });

  it('a refused option value is not quoted back, quotes and all', async () => {
    const refused = await run(['sessions', 'extend', '--id', 'abc', '--hours', `${CANARY}' is invalid. x`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/option '--hours <hours>' argument is invalid\. .*hours/);
    expect(`${refused.stdout}${refused.stderr}`).not.toContain(CANARY);
  });

  it('a Redis URL with a stray % says what to fix, without the password', async () => {
    const result = await run(['sessions', 'list', '--user', 'u1'], { LATCHKEY_REDIS_URL: `redis://:${CANARY}%zz@127.0.0.1:1` });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('The password in the Redis URL has a % that is not followed by two hexadecimal digits');
    expect(result.stderr).toContain('%25');
    expect(result.stderr).not.toContain('unexpected');
    expect(`${result.stdout}${result.stderr}`).not.toContain(CANARY);
  });
});
