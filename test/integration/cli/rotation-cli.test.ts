import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { AUDIT_FILE } from '../../../electron/core/audit/audit-log';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { forgetStoreKey } from '../../harness/store-key';
import { captureLogger } from '../../harness/log-capture';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

// The rotation, incident, environment and audit commands as a user runs them: the built `latchkey`
// binary, real files in a temporary XDG tree, the data key in gnome-keyring.

const CANARY = `cli-rotation-canary-${randomBytes(4).toString('hex')}`;
const HOSTILE: Record<string, string> = {
  QUOTES: `${CANARY} "double" 'single' \`back\``,
  HASH_DOLLAR: `${CANARY} # not a comment $HOME \${HOME}`,
  BACKSLASH: `${CANARY}\\n is not a newline \\ end\\`,
  MULTILINE: `${CANARY}\nsecond line\n  indented\n`,
  UNICODE: `${CANARY} ünïcødé ✓ 🔑`,
  SPACES: `  ${CANARY} padded  `,
};

describeWithKeyring('latchkey rotate, incident, env, import and audit (the built CLI, real files, real keyring)', () => {
  let xdg: TempXdg;
  // Set-up and checks of stored values go through a core in this process (on the same files and
  // keyring), so that the spawned CLI runs only the commands under test.
  let core: Core;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
  const get = async (ref: string) => (await core.refs.get(ref)).value;
  const set = (ref: string, value: string) => core.refs.set(ref, value, { confirmed: true });
  const json = <T>(text: string) => JSON.parse(text) as T;

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env: xdg.env });
    await core.projects.createProject('shop');
    for (const environment of ['dev', 'prod']) await core.projects.createEnvironment('shop', environment);
    for (const [key, value] of Object.entries(HOSTILE)) await set(`file://shop/dev/${key}`, value);
    for (const key of ['API_KEY', 'DB_PASSWORD']) {
      await set(`file://shop/dev/${key}`, `${CANARY}-dev-${key}`);
      await set(`file://shop/prod/${key}`, `${CANARY}-prod-${key}`);
    }
  });
  afterAll(async () => {
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('rotate <ref>... leaves typed-in values to a person (exit 3, nothing written); with --policy it rotates and prints {ref, ok, class, version, changed_at, old_retired}, never a value', async () => {
    const refused = await run(['rotate', 'file://shop/dev/API_KEY', 'file://shop/dev/DB_PASSWORD', '--json']);
    expect(refused.code).toBe(3);
    expect(json(refused.stdout)).toEqual([
      { ref: 'file://shop/dev/API_KEY', ok: false, class: 'by-hand', changed_at: null, old_retired: false, error: { kind: 'InvalidInput', message: expect.stringContaining('is rotated by hand, so Latchkey left it unchanged') } },
      { ref: 'file://shop/dev/DB_PASSWORD', ok: false, class: 'by-hand', changed_at: null, old_retired: false, error: { kind: 'InvalidInput', message: expect.stringContaining('typed in or imported') } },
    ]);
    expect(await get('file://shop/dev/API_KEY')).toBe(`${CANARY}-dev-API_KEY`);
    expect((await run(['rotate', 'file://shop/dev/API_KEY'])).stdout).toMatch(/^BY HAND {2}file:\/\/shop\/dev\/API_KEY\n/);

    const rotated = await run(['rotate', 'file://shop/dev/API_KEY', 'file://shop/dev/DB_PASSWORD', '--policy', 'password-32', '--json']);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(json(rotated.stdout)).toEqual([
      { ref: 'file://shop/dev/API_KEY', ok: true, class: 'generate', version: '2', changed_at: null, old_retired: false },
      { ref: 'file://shop/dev/DB_PASSWORD', ok: true, class: 'generate', version: '2', changed_at: null, old_retired: false },
    ]);
    const value = await get('file://shop/dev/API_KEY');
    expect(value).not.toContain(CANARY);
    expect(value).toHaveLength(32);
    expect(rotated.stdout).not.toContain(value);

    const hex = await run(['rotate', 'file://shop/dev/API_KEY', '--policy', 'hex-64']);
    expect(hex).toMatchObject({ code: 0, stdout: expect.stringContaining('rotated  file://shop/dev/API_KEY  → version 3') });
    expect(await get('file://shop/dev/API_KEY')).toMatch(/^[0-9a-f]{64}$/);
    // The chosen policy was stored with the value: the next rotation needs none.
    expect(await run(['rotate', 'file://shop/dev/API_KEY'])).toMatchObject({ code: 0 });
    expect(await get('file://shop/dev/API_KEY')).toMatch(/^[0-9a-f]{64}$/);

    const missing = await run(['rotate', 'file://shop/dev/NOPE', '--json']);
    expect(missing.code).toBe(3);
    expect(json<{ ok: boolean }[]>(missing.stdout)[0]).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
    expect(await run(['rotate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--due') });
    expect(await run(['rotate', 'file://shop/dev/API_KEY', '--policy', 'nonsense-9'])).toMatchObject({ code: 3, stderr: expect.stringContaining('not valid') });
  });

  it('rollback <ref> makes the previous value current; secrets history --json lists versions with times, no values', async () => {
    const before = await get('file://shop/dev/DB_PASSWORD');
    await core.rotation.rotate('shop', 'dev', 'DB_PASSWORD');
    expect(await get('file://shop/dev/DB_PASSWORD')).not.toBe(before);
    const rolledBack = await run(['rollback', 'file://shop/dev/DB_PASSWORD', '--json']);
    expect(rolledBack.code).toBe(0);
    expect(json(rolledBack.stdout)).toEqual({ ref: 'file://shop/dev/DB_PASSWORD', ok: true, version: '4', restored_from: '2' });
    expect(await get('file://shop/dev/DB_PASSWORD')).toBe(before);

    const history = await run(['secrets', 'history', 'file://shop/dev/DB_PASSWORD', '--json']);
    const parsed = json<{ ref: string; versions: { version: string; created_at: string; current: boolean }[] }>(history.stdout);
    expect(parsed.ref).toBe('file://shop/dev/DB_PASSWORD');
    expect(parsed.versions.map((version) => [version.version, version.current])).toEqual([
      ['4', true],
      ['3', false],
      ['2', false],
      ['1', false],
    ]);
    for (const version of parsed.versions) expect(Date.parse(version.created_at)).not.toBeNaN();
    expect(history.stdout).not.toContain(before);
    expect(history.stdout).not.toContain(CANARY);
    expect((await run(['secrets', 'history', 'file://shop/dev/DB_PASSWORD'])).stdout).toMatch(/^\* 4 /);
  });

  it('rotate --due rotates exactly what the schedule shows as overdue or due soon, and lists due by-hand secrets for a person', async () => {
    // Three secrets written 100 days ago by another process of the same store: one with a generator
    // policy, one with a 365-day policy, one typed in.
    const past = new Date(Date.now() - 100 * 24 * 60 * 60 * 1000);
    const old = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, now: () => past });
    try {
      await old.secrets.create('shop', 'prod', 'OLD_TOKEN', `${CANARY}-old`, { confirmed: true });
      await old.rotation.setPolicy('shop', 'prod', 'OLD_TOKEN', { generator: 'password' }, { confirmed: true });
      await old.secrets.create('shop', 'prod', 'YEARLY', `${CANARY}-yearly`, { confirmed: true });
      await old.rotation.setPolicy('shop', 'prod', 'YEARLY', { generator: 'password', periodDays: 365 }, { confirmed: true });
      await old.secrets.create('shop', 'prod', 'PARTNER_KEY', `sk_live_${CANARY}`, { confirmed: true });
    } finally {
      await old.close();
    }
    const due = await run(['rotate', '--due', '--project', 'shop', '--json']);
    expect(due.code).toBe(0);
    expect(json<{ ref: string; ok: boolean; class?: string }[]>(due.stdout).map((row) => [row.ref, row.ok, row.class])).toEqual([
      ['file://shop/prod/OLD_TOKEN', true, 'generate'],
      ['file://shop/prod/PARTNER_KEY', false, 'by-hand'],
    ]);
    expect(await get('file://shop/prod/YEARLY')).toBe(`${CANARY}-yearly`);
    expect(await get('file://shop/prod/PARTNER_KEY')).toBe(`sk_live_${CANARY}`);
    const again = await run(['rotate', '--due', '--project', 'shop']);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/^BY HAND {2}file:\/\/shop\/prod\/PARTNER_KEY\n {2}Due \(overdue\) for a person to rotate: It looks like a Stripe \(live secret key\) credential/) });
    expect(again.stdout).not.toContain(CANARY);
    expect(await run(['rotate', '--due', 'file://shop/dev/API_KEY'])).toMatchObject({ code: 2 });
  });

  it('incident rotate needs --yes (or the typed name) for prod, rotates what Latchkey may, lists the rest to rotate by hand, and saves a report; mark-rotated records the hand work', async () => {
    const refused = await run(['incident', 'rotate', '--project', 'shop', '--env', 'dev', '--env', 'prod']);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('prod') });
    const before = await get('file://shop/prod/API_KEY');
    expect(before).toBe(`${CANARY}-prod-API_KEY`);
    const oldToken = await get('file://shop/prod/OLD_TOKEN');

    const done = await run(['incident', 'rotate', '--project', 'shop', '--env', 'dev', '--env', 'prod', '--yes', '--json']);
    expect(done.code).toBe(0);
    type Item = { ref: string; status: string; class?: string; provider?: string };
    const result = json<{ report_id: string; status: string; counts: { rotated: number; total: number; by_hand: number }; items: Item[]; report: { json: string; text: string } }>(done.stdout);
    expect(result.status).toBe('completed');
    const classOf = Object.fromEntries(result.items.map((item) => [item.ref, [item.status, item.class]]));
    expect(classOf['file://shop/prod/OLD_TOKEN']).toEqual(['rotated', 'generate']);
    expect(classOf['file://shop/dev/API_KEY']).toEqual(['rotated', 'generate']);
    expect(classOf['file://shop/prod/API_KEY']).toEqual(['by-hand', 'by-hand']);
    expect(classOf['file://shop/dev/QUOTES']).toEqual(['by-hand', 'by-hand']);
    expect(result.items.find((item) => item.ref === 'file://shop/prod/PARTNER_KEY')).toMatchObject({ status: 'by-hand', provider: 'Stripe (live secret key)' });
    expect(result.counts.rotated + result.counts.by_hand).toBe(result.counts.total);
    // Latchkey rotated its own; the typed-in ones were left as they are.
    expect(await get('file://shop/prod/OLD_TOKEN')).not.toBe(oldToken);
    expect(await get('file://shop/prod/API_KEY')).toBe(before);
    expect(done.stdout).not.toContain(CANARY);
    expect((await stat(result.report.json)).mode & 0o777).toBe(0o600);
    const human = await run(['incident', 'rotate', '--project', 'shop', '--env', 'prod', '--yes']);
    expect(human.stdout).toContain('Rotate these by hand — Latchkey did not change them');
    expect(human.stdout).toContain('TO DO  file://shop/prod/PARTNER_KEY  [Stripe (live secret key)]');

    const marked = await run(['incident', 'mark-rotated', result.report_id, 'file://shop/prod/API_KEY', 'file://shop/prod/PARTNER_KEY', '--json']);
    expect(marked.code).toBe(0);
    expect(json<{ counts: { marked: number }; items: (Item & { marked?: { by: string } })[] }>(marked.stdout).counts.marked).toBe(2);
    expect(await run(['incident', 'mark-rotated', result.report_id, 'file://shop/prod/OLD_TOKEN'])).toMatchObject({ code: 3, stderr: expect.stringContaining('not one to rotate by hand') });

    const listed = json<{ id: string; status: string }[]>((await run(['incident', 'list', '--json'])).stdout);
    expect(listed.map((report) => report.id)).toContain(result.report_id);
    const shown = await run(['incident', 'show', result.report_id]);
    expect(shown.stdout).toContain(`Latchkey incident report ${result.report_id}`);
    expect(shown.stdout).toContain('COMPLETED');
    expect(shown.stdout).toMatch(/ROTATE BY HAND \(\d+\)/);
    expect(shown.stdout).toMatch(/shop\/prod {2}PARTNER_KEY {2}file:\/\/shop\/prod\/PARTNER_KEY {2}\[Stripe \(live secret key\)\]\n.*\n {6}done: marked rotated by hand at /);
    expect(shown.stdout).not.toContain(CANARY);
    expect(await run(['incident', 'show', '20250101T000000Z-00000000'])).toMatchObject({ code: 3 });
  });

  it('env diff --json says what is missing, different and same, without values', async () => {
    await set('file://shop/prod/SHARED', `${CANARY}-shared`);
    await set('file://shop/dev/SHARED', `${CANARY}-shared`);
    const diff = await run(['env', 'diff', '--project', 'shop', '--env', 'dev', '--env', 'prod', '--json']);
    expect(diff.code).toBe(0);
    expect(json(diff.stdout)).toEqual({
      missing_in_a: ['OLD_TOKEN', 'PARTNER_KEY', 'YEARLY'],
      missing_in_b: Object.keys(HOSTILE).sort(),
      different: ['API_KEY', 'DB_PASSWORD'],
      same: ['SHARED'],
      unreadable: [],
    });
    expect(diff.stdout).not.toContain(CANARY);
    expect(await run(['env', 'diff', '--project', 'shop', '--env', 'dev'])).toMatchObject({ code: 2 });
  });

  it('env export writes a .env that dotenv parses back exactly; --out makes a 0600 file with the do-not-commit header', async () => {
    // The incident above rotated them: hostile values again, as new versions.
    for (const [key, value] of Object.entries(HOSTILE)) await set(`file://shop/dev/${key}`, value);
    const exported = await run(['env', 'export', '--project', 'shop', '--env', 'dev']);
    expect(exported.code).toBe(0);
    const parsed = parse(exported.stdout);
    for (const [key, value] of Object.entries(HOSTILE)) expect(parsed[key], key).toBe(value);
    expect(parsed.API_KEY).toBe(await get('file://shop/dev/API_KEY'));

    const out = join(xdg.root, 'exported.env');
    const written = await run(['env', 'export', '--project', 'shop', '--env', 'dev', '--out', out, '--json']);
    expect(json(written.stdout)).toEqual({ path: out, count: Object.keys(parsed).length });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const text = await readFile(out, 'utf8');
    expect(text).toMatch(/do not commit/i);
    expect(parse(text)).toEqual(parsed);
  });

  it('env import previews by name and writes nothing without --yes; with --yes it applies', async () => {
    const file = join(xdg.root, 'import.env');
    await writeFile(file, `API_KEY=${CANARY}-imported\nNEW_ONE="${CANARY} new"\nSHARED=${CANARY}-shared\n`);
    const preview = await run(['env', 'import', '--project', 'shop', '--env', 'prod', file, '--json']);
    expect(preview.code).toBe(2);
    expect(json(preview.stdout)).toEqual({ applied: false, preview: { added: ['NEW_ONE'], changed: ['API_KEY'], unchanged: ['SHARED'], invalid: [], duplicates: [], ignored: [] } });
    expect(preview.stderr).toContain('--yes');
    await expect(get('file://shop/prod/NEW_ONE')).rejects.toMatchObject({ kind: 'NotFound' });

    const applied = await run(['env', 'import', '--project', 'shop', '--env', 'prod', file, '--yes', '--json']);
    expect(applied.code).toBe(0);
    expect(await get('file://shop/prod/NEW_ONE')).toBe(`${CANARY} new`);
    expect(await get('file://shop/prod/API_KEY')).toBe(`${CANARY}-imported`);
    expect(applied.stdout).not.toContain(CANARY);
  });

  it('import mycelium refuses a group-readable file and says why, imports it with --force, and a 0600 file as is', async () => {
    const file = join(xdg.root, 'shop.json');
    const secrets = { project_name: 'shop', postgres_password: `${CANARY}-pg`, redis_password: `${CANARY}-redis`, temporal_admin_password: `${CANARY}-temporal` };
    await writeFile(file, JSON.stringify(secrets), { mode: 0o644 });
    const refused = await run(['import', 'mycelium', file, '--project', 'shop', '--env', 'dev']);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('readable by group or others (mode 644)') });
    await expect(get('file://shop/dev/POSTGRES_PASSWORD')).rejects.toMatchObject({ kind: 'NotFound' });

    const forced = await run(['import', 'mycelium', file, '--project', 'shop', '--env', 'dev', '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(json<{ results: { key: string; action: string }[] }>(forced.stdout).results.map((item) => [item.key, item.action])).toEqual([
      ['POSTGRES_PASSWORD', 'created'],
      ['REDIS_PASSWORD', 'created'],
      ['TEMPORAL_ADMIN_PASSWORD', 'created'],
    ]);
    expect(await get('file://shop/dev/TEMPORAL_ADMIN_PASSWORD')).toBe(`${CANARY}-temporal`);

    const privateFile = join(xdg.root, 'private.json');
    await writeFile(privateFile, JSON.stringify({ ...secrets, redis_password: `${CANARY}-redis-2` }), { mode: 0o600 });
    const kept = await run(['import', 'mycelium', privateFile, '--project', 'shop', '--env', 'dev']);
    expect(kept).toMatchObject({ code: 0, stdout: expect.stringContaining('skipped   REDIS_PASSWORD') });
    expect(await run(['import', 'mycelium', privateFile, '--project', 'shop', '--env', 'prod'])).toMatchObject({ code: 2 });
  });

  it('audit tail lists what happened (no values); audit verify exits 0, and 3 with the line after a hand edit', async () => {
    const tail = await run(['audit', 'tail', '-n', '200', '--json']);
    const entries = json<{ action: string; outcome: string }[]>(tail.stdout);
    const actions = new Set(entries.map((entry) => entry.action));
    for (const action of ['secret.write', 'secret.rotate', 'secret.rollback', 'secret.mark-rotated', 'incident.run', 'env.export', 'env.import', 'import.mycelium']) expect(actions, action).toContain(action);
    expect(tail.stdout).not.toContain(CANARY);
    expect(await run(['audit', 'verify'])).toMatchObject({ code: 0, stdout: expect.stringContaining('intact') });

    const path = join(xdg.paths.stateDir, AUDIT_FILE);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[4] = (lines[4] as string).replace('"outcome":"ok"', '"outcome":"failed"').replace('"outcome":"started"', '"outcome":"failed"');
    await writeFile(path, lines.join('\n'));
    const verified = await run(['audit', 'verify', '--json']);
    expect(verified.code).toBe(3);
    expect(json<{ intact: boolean; problems: { line: number; kind: string }[] }>(verified.stdout)).toMatchObject({ intact: false, problems: [{ line: 5, kind: 'edited' }] });
    // The whole CLI wrote no value into the audit trail.
    expect(await readFile(path, 'utf8')).not.toContain(CANARY);
  });

  it('on an environment bound to a Vault connection (wire-level fake): incident, rotate --connection, rollback, env diff against the local store', async () => {
    const vault = await VaultFake.start();
    try {
      const seedEnv = { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.createToken() };
      expect(await runLatchkey(['connections', 'add', 'vault-staging', '--from-env', 'vault', '--json'], { env: { ...xdg.env, ...seedEnv } })).toMatchObject({ code: 0 });
      await core.projects.createEnvironment('shop', 'staging');
      expect(await run(['envs', 'bind', 'shop', 'staging', '--connection', 'vault-staging', '--prefix', 'shop/staging/'])).toMatchObject({ code: 0 });
      // With a generator policy in Vault's metadata, as `rotate --policy` stores it.
      const view = await core.environments.view('shop', 'staging');
      for (const key of ['API_KEY', 'DB_PASSWORD']) await view.backend.set(view.refFor(key).replace(/^vault:\/\//, ''), `${CANARY}-staging-${key}`, { metadata: { [ROTATION_METADATA_KEY]: 'password-32' } });
      const before = await core.secrets.reveal('shop', 'staging', 'API_KEY');

      const incident = await run(['incident', 'rotate', '--project', 'shop', '--env', 'staging', '--yes', '--json']);
      expect(incident.code).toBe(0);
      expect(json<{ counts: { rotated: number } }>(incident.stdout).counts.rotated).toBe(2);
      const after = await core.secrets.reveal('shop', 'staging', 'API_KEY');
      expect(after.value).not.toBe(before.value);
      expect(Number(after.version)).toBe(Number(before.version) + 1);

      // The same secret by reference on the saved connection (not the seed variables, which are unset here).
      const ref = (await core.environments.view('shop', 'staging')).refFor('API_KEY');
      expect(ref).toMatch(/^vault:\/\//);
      expect(await run(['rotate', ref, '--connection', 'vault-staging', '--json'])).toMatchObject({ code: 0 });
      expect(await run(['rollback', ref, '--connection', 'vault-staging', '--json'])).toMatchObject({ code: 0 });
      expect((await core.secrets.reveal('shop', 'staging', 'API_KEY')).value).toBe(after.value);
      expect(await run(['rotate', ref])).toMatchObject({ code: 3, stderr: '' });

      const diff = await run(['env', 'diff', '--project', 'shop', '--env', 'prod', '--env', 'staging', '--json']);
      expect(json<{ different: string[] }>(diff.stdout).different).toEqual(['API_KEY', 'DB_PASSWORD']);
      expect(`${incident.stdout}${diff.stdout}`).not.toContain(CANARY);
    } finally {
      await vault.close();
    }
  });
});
