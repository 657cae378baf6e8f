import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LeakContext, LeakOperation } from '../leak-operation';

/**
 * `latchkey run` and `latchkey inject`: values go into the started program's environment (run) or the
 * file the person asked for (inject) — never into either process's arguments, Latchkey's own
 * environment, its output (with --mask), its errors and notices, the audit trail or its folders.
 */
async function seed(context: LeakContext, label: string): Promise<{ token: string; password: string }> {
  const token = context.canary(`${label}-token`);
  const password = context.canary(`${label}-password`);
  await context.core.refs.set('file://leaks/dev/TOKEN', token);
  await context.core.refs.set('file://leaks/dev/DB_PASSWORD', password);
  return { token, password };
}

/** A folder of the person's, outside Latchkey's (an env file, a template, inject's output); removed afterwards. */
async function outsideFolder(work: (folder: string) => Promise<void>): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'latchkey-leaks-run-'));
  try {
    await work(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

const inDev = ['--project', 'leaks', '--env', 'dev'];

export const operations: LeakOperation[] = [
  {
    name: 'CLI run: the secrets reach the program through its environment only',
    async run(context) {
      await seed(context, 'run');
      // The program checks it got them (the environment is the one place they may be) and stays a moment, so its command line is read too.
      const run = await context.cli(['run', ...inDev, '--', 'sh', '-c', 'test -n "$TOKEN" && test -n "$DB_PASSWORD" && sleep 0.3'], { childEnvironmentCarriesValue: true });
      expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' });
    },
  },
  {
    name: 'CLI run --mask: a program printing its secrets on stdout and stderr',
    async run(context) {
      await seed(context, 'mask');
      const run = await context.cli(['run', ...inDev, '--mask', '--', 'sh', '-c', 'printf "token %s\\n" "$TOKEN"; printf "password %s\\n" "$DB_PASSWORD" >&2; sleep 0.2'], { childEnvironmentCarriesValue: true });
      expect(run).toMatchObject({ code: 0, stdout: 'token <redacted:TOKEN>\n', stderr: 'password <redacted:DB_PASSWORD>\n' });
    },
  },
  {
    name: 'CLI run refusals: a missing key, an env file with an unknown scheme and a literal value, a program that does not exist',
    async run(context) {
      await seed(context, 'refused');
      expect(await context.cli(['run', ...inDev, '--only', 'TOKEN', '--only', 'NOPE', '--', 'true'])).toMatchObject({ code: 3 });
      const literal = context.canary('env-file-literal');
      await outsideFolder(async (folder) => {
        const envFile = join(folder, '.env.tpl');
        await writeFile(envFile, `TOKEN=file://leaks/dev/TOKEN\nDATABASE_URL=postgres://app:${literal}@db/app\n`, { mode: 0o600 });
        expect(await context.cli(['run', '--env-file', envFile, '--', 'true'])).toMatchObject({ code: 3 });
      });
      expect(await context.cli(['run', ...inDev, '--', 'no-such-program-for-leaks'], { childEnvironmentCarriesValue: true })).toMatchObject({ code: 127 });
    },
  },
  {
    name: 'CLI run --watch: a restart after the secret changes (notices name keys only)',
    async run(context) {
      await seed(context, 'watch');
      await outsideFolder(async (folder) => {
        const started = join(folder, 'started');
        // The first program marks that it started and waits; the one started after the change exits.
        const running = context.cli(['run', ...inDev, '--watch', '--grace', '1', '--', 'sh', '-c', 'if [ -e "$0" ]; then exit 0; fi; touch "$0"; exec sleep 30', started], {
          childEnvironmentCarriesValue: true,
        });
        await expect.poll(() => existsSync(started), { timeout: 30_000 }).toBe(true);
        await context.core.refs.set('file://leaks/dev/TOKEN', context.canary('watch-rotated'));
        const run = await running;
        expect(run.code).toBe(0);
        expect(run.stderr).toContain('TOKEN changed; restarting sh');
      });
    },
  },
  {
    name: 'CLI inject: into a file the person chose, to stdout, and a refusal',
    async run(context) {
      const { token, password } = await seed(context, 'inject');
      await outsideFolder(async (folder) => {
        const template = join(folder, 'config.tpl.yml');
        await writeFile(template, 'token: {{ file://leaks/dev/TOKEN | yaml }}\npassword: {{ file://leaks/dev/DB_PASSWORD | json }}\n');
        const out = join(folder, 'config.yml');
        expect(await context.cli(['inject', '-i', template, '-o', out])).toMatchObject({ code: 0 });
        expect(await readFile(out, 'utf8')).toBe(`token: "${token}"\npassword: "${password}"\n`);
        expect(await context.cli(['inject', '-i', template], { stdoutCarriesValue: true })).toMatchObject({ code: 0 });
        await writeFile(template, 'token: {{ file://leaks/dev/TOKEN }}\nmissing: {{ file://leaks/dev/NOPE }}\n');
        expect(await context.cli(['inject', '-i', template, '-o', out])).toMatchObject({ code: 3 });
      });
    },
  },
];
