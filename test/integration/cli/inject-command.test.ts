import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

// `latchkey inject` as a user runs it: a template on disk (or stdin) becomes a 0600 file with the
// values of the local store (real files, real keyring) and of Vault (wire-level fake); all or nothing.

// js-yaml comes with electron-builder (a dev dependency); it reads the written file back as YAML 1.2.
const yamlModule = 'js-yaml';
const yaml = (await import(yamlModule)) as { load(text: string): unknown };

const CANARY = `inject-canary-${randomBytes(4).toString('hex')}`;
const HOSTILE = `${CANARY} "quotes" 'single' $HOME #hash \\back\nnew line: {yaml}`;

describeWithKeyring('latchkey inject (built CLI, real files and keyring, Vault wire-level fake)', () => {
  let xdg: TempXdg;
  let core: Core;
  let vault: VaultFake;
  let env: Record<string, string>;
  let work: string;
  const inject = (args: string[], input?: string) => runLatchkey(['inject', ...args], { env, ...(input === undefined ? {} : { input }) });
  const file = async (name: string, text: string, mode = 0o644) => {
    const path = join(work, name);
    await writeFile(path, text, { mode });
    return path;
  };

  const TEMPLATE = [
    '# config for payments/prod',
    'database:',
    '  password: {{ file://payments/prod/DB_PASSWORD | yaml }}',
    '  url: {{vault://payments/prod/DB_URL|yaml}}',
    'raw: prefix-{{ file://payments/prod/PLAIN }}-suffix',
    'b64: {{ file://payments/prod/DB_PASSWORD | base64 }}',
    'helm: "{{ .Values.untouched }}"',
    '',
  ].join('\n');

  beforeAll(async () => {
    [xdg, vault] = await Promise.all([createTempXdg(), VaultFake.start()]);
    env = { ...xdg.env, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.createToken(), LATCHKEY_SECRETS_LAYOUT: 'native' };
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env });
    work = join(xdg.root, 'work');
    await mkdir(work);
    await core.refs.set('file://payments/prod/DB_PASSWORD', HOSTILE, { confirmed: true });
    await core.refs.set('file://payments/prod/PLAIN', `${CANARY}-plain`, { confirmed: true });
    vault.seed('payments/prod/DB_URL', { value: `postgres://app:${CANARY}@db:5432/app` });
  });
  afterAll(async () => {
    await core.close();
    await vault.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('writes the filled template 0600, every value quoted so YAML and JSON read back exactly; other {{ }} untouched', async () => {
    const template = await file('config.tpl.yml', TEMPLATE);
    const out = join(work, 'config.yml');
    const result = await inject(['-i', template, '-o', out]);
    expect(result).toEqual({ code: 0, stdout: `Wrote ${out} (0600): 4 placeholders, 3 references.\n`, stderr: '' });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const parsed = yaml.load(await readFile(out, 'utf8')) as { database: { password: string; url: string }; raw: string; b64: string; helm: string };
    expect(parsed.database).toEqual({ password: HOSTILE, url: `postgres://app:${CANARY}@db:5432/app` });
    expect(parsed.raw).toBe(`prefix-${CANARY}-plain-suffix`);
    expect(Buffer.from(parsed.b64, 'base64').toString('utf8')).toBe(HOSTILE);
    expect(parsed.helm).toBe('{{ .Values.untouched }}');

    const jsonOut = join(work, 'config.json');
    const jsonTemplate = await file('config.tpl.json', '{"password": {{ file://payments/prod/DB_PASSWORD | json }}, "url": {{ vault://payments/prod/DB_URL | json }}}\n');
    expect(await inject(['-i', jsonTemplate, '-o', jsonOut])).toMatchObject({ code: 0 });
    expect(JSON.parse(await readFile(jsonOut, 'utf8'))).toEqual({ password: HOSTILE, url: `postgres://app:${CANARY}@db:5432/app` });
    const audit = (await core.audit.query({ actions: ['template.inject'] }))[0]!;
    expect(audit).toMatchObject({ action: 'template.inject', outcome: 'ok', refs: ['file://payments/prod/DB_PASSWORD', 'vault://payments/prod/DB_URL', 'file://payments/prod/PLAIN'], counts: { total: 3 } });
  });

  it('replaces an existing output with a new 0600 file, and --json says what it wrote', async () => {
    const out = await file('loose.yml', 'old content\n', 0o644);
    const result = await inject(['-i', await file('small.tpl', 'k: {{ file://payments/prod/PLAIN }}\n'), '-o', out, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ path: out, placeholders: 1, references: 1 });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await readFile(out, 'utf8')).toBe(`k: ${CANARY}-plain\n`);
  });

  it('without -o, with -o -, and from -i - it writes standard output', async () => {
    const template = await file('stdout.tpl', 'pw={{ file://payments/prod/PLAIN | shell }}\n');
    expect(await inject(['-i', template])).toEqual({ code: 0, stdout: `pw='${CANARY}-plain'\n`, stderr: '' });
    expect(await inject(['-i', template, '-o', '-'])).toMatchObject({ code: 0, stdout: `pw='${CANARY}-plain'\n` });
    expect(await inject(['-i', '-'], 'from stdin: {{ vault://payments/prod/DB_URL }}')).toMatchObject({ code: 0, stdout: `from stdin: postgres://app:${CANARY}@db:5432/app` });
  });

  it('all or nothing: a reference that fails names its line and reference, and the existing output stays as it was', async () => {
    const out = await file('keep.yml', 'the previous file\n');
    const template = await file('broken.tpl', 'a: {{ file://payments/prod/PLAIN }}\n\nb: {{ file://payments/prod/NOPE }}\nc: {{ vault://payments/prod/MISSING | json }}\n');
    const result = await inject(['-i', template, '-o', out]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('2 references could not be read, so nothing was written:');
    expect(result.stderr).toContain(`${template} line 3: file://payments/prod/NOPE: `);
    expect(result.stderr).toContain(`${template} line 4: vault://payments/prod/MISSING: `);
    expect(await readFile(out, 'utf8')).toBe('the previous file\n');
    expect(result.stderr).not.toContain(CANARY);
    expect((await core.audit.tail(1))[0]).toMatchObject({ action: 'template.inject', outcome: 'failed', error_kind: 'NotFound' });

    const unknown = await inject(['-i', await file('unknown.tpl', 'x\ny: {{ valut://payments/prod/DB_URL }}\n'), '-o', out]);
    expect(unknown).toMatchObject({ code: 3, stderr: expect.stringContaining('line 2: "valut://" is not a Latchkey reference scheme') });
    const filter = await inject(['-i', await file('filter.tpl', 'y: {{ file://payments/prod/PLAIN | toml }}\n'), '-o', out]);
    expect(filter).toMatchObject({ code: 3, stderr: expect.stringContaining('"| toml" after file://payments/prod/PLAIN is not a filter') });
    expect(await readFile(out, 'utf8')).toBe('the previous file\n');
  });

  it('refuses a symlink, a folder, the template itself, and a place inside Latchkey\'s own folders as output', async () => {
    const template = await file('ok.tpl', 'k: {{ file://payments/prod/PLAIN }}\n');
    const target = await file('target.txt', 'not to be touched\n');
    const link = join(work, 'link.yml');
    await symlink(target, link);
    const linked = await inject(['-i', template, '-o', link]);
    expect(linked).toMatchObject({ code: 1, stderr: expect.stringContaining('it is a symbolic link') });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('not to be touched\n');

    expect(await inject(['-i', template, '-o', work])).toMatchObject({ code: 1, stderr: expect.stringContaining('it is not a regular file') });
    expect(await inject(['-i', template, '-o', template])).toMatchObject({ code: 3, stderr: expect.stringContaining('it is the template itself') });
    for (const own of [join(xdg.paths.stateDir, 'leaked.yml'), join(xdg.paths.configDir, 'sub', '..', 'leaked.yml')]) {
      const inside = await inject(['-i', template, '-o', own]);
      expect(inside).toMatchObject({ code: 1, stderr: expect.stringContaining("inside Latchkey's own folder") });
    }
    expect(await inject(['-i', template, '-o', join(work, 'no-such-folder', 'x.yml')])).toMatchObject({ code: 3, stderr: expect.stringContaining('does not exist') });
  });

  it('reads at most 4 MiB of template, and a missing template is NotFound', async () => {
    const big = await file('big.tpl', 'x'.repeat(4 * 1024 * 1024 + 1));
    expect(await inject(['-i', big])).toMatchObject({ code: 3, stderr: expect.stringContaining('larger than 4096 KiB') });
    expect(await inject(['-i', join(work, 'absent.tpl')])).toMatchObject({ code: 3, stderr: expect.stringContaining('does not exist') });
    expect(await inject([])).toMatchObject({ code: 2 });
  });
});
