import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

// Issue 15, item 15 (.env import changed values silently) and issue 14, defect 2 (imports into a new
// project or environment refused with "Create it first" while `secrets set file://p/e/K` creates both),
// on the built CLI with the real local store and keyring.

const CANARY = 'canary-imports-cli-3b7e';

describeWithKeyring('latchkey env import and import mycelium (built CLI, real keyring)', () => {
  const keychain = realKeychain();
  let xdg: TempXdg;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
  const get = async (ref: string) => (await run(['secrets', 'get', ref])).stdout;
  const envFile = async (name: string, content: string | Buffer) => {
    const path = join(xdg.root, name);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };

  beforeAll(async () => {
    xdg = await createTempXdg();
    expect((await run(['secrets', 'set', 'file://shop/dev/B', '--value-stdin'], 'b-before')).code).toBe(0);
  });
  afterAll(async () => {
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('a file that is not UTF-8 is refused, naming the line, and nothing is written', async () => {
    const file = await envFile('latin1.env', Buffer.concat([Buffer.from('A=fine\nB=caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const result = await run(['env', 'import', file, '--project', 'shop', '--env', 'dev', '--yes']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('is not UTF-8 text (line 2');
    expect(await get('file://shop/dev/B')).toBe('b-before');
    expect((await run(['secrets', 'get', 'file://shop/dev/A'])).code).toBe(3);
  });

  it('the preview names a variable set twice and every line it skips (by number only); --skip leaves a key as it is', async () => {
    const file = await envFile('dups.env', `A=${CANARY}-1\nthis is not an assignment ${CANARY}\nA=${CANARY}-2\nB=${CANARY}-b\nC=${CANARY}-c\n`);
    const preview = await run(['env', 'import', file, '--project', 'shop', '--env', 'dev', '--json']);
    expect(preview.code).toBe(2);
    const json = JSON.parse(preview.stdout) as { applied: boolean; preview: { duplicates: unknown; ignored: unknown } };
    expect(json).toMatchObject({ applied: false, preview: { duplicates: [{ key: 'A', lines: [1, 3] }], ignored: [{ line: 2 }] } });
    const human = await run(['env', 'import', file, '--project', 'shop', '--env', 'dev']);
    expect(human.stdout).toContain('set twice: A (lines 1, 3; line 3 is imported)');
    expect(human.stdout).toContain('skipped line 2: not a NAME=value assignment');
    expect(human.stdout + human.stderr + preview.stdout).not.toContain(CANARY);

    const applied = await run(['env', 'import', file, '--project', 'shop', '--env', 'dev', '--yes', '--skip', 'B']);
    expect(applied.code).toBe(0);
    expect(await get('file://shop/dev/A')).toBe(`${CANARY}-2`);
    expect(await get('file://shop/dev/C')).toBe(`${CANARY}-c`);
    expect(await get('file://shop/dev/B')).toBe('b-before');
    expect((await run(['env', 'import', file, '--project', 'shop', '--env', 'dev', '--yes', '--skip', 'NOPE'])).code).toBe(2);
  });

  it('imports into a new project and environment create them, as secrets set does; a new protected one needs --yes first', async () => {
    const file = await envFile('new.env', 'TOKEN=from-env-file\n');
    const created = await run(['env', 'import', file, '--project', 'fresh', '--env', 'dev', '--yes']);
    expect(created.code).toBe(0);
    expect(await get('file://fresh/dev/TOKEN')).toBe('from-env-file');

    // The preview of a new environment shows everything as added and creates nothing.
    const preview = await run(['env', 'import', file, '--project', 'fresh', '--env', 'prod', '--json']);
    expect(preview.code).toBe(2);
    expect(JSON.parse(preview.stdout)).toMatchObject({ applied: false, preview: { added: ['TOKEN'] } });
    expect(JSON.parse((await run(['envs', 'ls', 'fresh', '--json'])).stdout).map((environment: { name: string }) => environment.name)).toEqual(['dev']);

    expect((await run(['env', 'import', file, '--project', 'fresh', '--env', 'prod', '--yes'])).code).toBe(0);
    const environments = JSON.parse((await run(['envs', 'ls', 'fresh', '--json'])).stdout) as { name: string; protected: boolean }[];
    expect(environments.find((environment) => environment.name === 'prod')).toMatchObject({ protected: true });

    const mycelium = await envFile('mycelium.json', JSON.stringify({ project_name: 'other', postgres_password: 'pg-password-1' }));
    expect((await run(['import', 'mycelium', mycelium, '--project', 'other', '--env', 'staging'])).code).toBe(0);
    expect(await get('file://other/staging/POSTGRES_PASSWORD')).toBe('pg-password-1');
    const refused = await run(['import', 'mycelium', mycelium, '--project', 'other', '--env', 'production']);
    expect(refused.code).toBe(2);
    expect((await run(['envs', 'ls', 'other', '--json'])).stdout).not.toContain('production');
  });
});
