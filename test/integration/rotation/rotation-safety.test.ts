import { randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { AUDIT_FILE } from '../../../electron/core/audit/audit-log';
import { envDiffCommand, envExportCommand } from '../../../electron/core/environments/commands';
import { pinnedTo } from '../../../electron/core/environments/resolve-backend';
import { rotateDueCommand } from '../../../electron/core/rotation/commands';
import { ORIGIN_METADATA_KEY } from '../../../electron/core/rotation/origin-records';
import { rotateSecret } from '../../../electron/core/rotation/rotate-secret';
import type { ReadResult, SecretBackend, WriteOptions, WriteResult } from '../../../electron/core/secrets/backend';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// What rotation may touch, on the real local store and keyring (createCore): typed-in values, provider
// keys and URLs are never overwritten; Latchkey's own values are; a damaged secret file blocks nothing
// else; and a write that lands between a rotation and its read-back is never overwritten with the old value.

const CANARY = `safety-canary-${randomBytes(4).toString('hex')}`;
const DAY = 24 * 60 * 60 * 1000;

describeWithKeyring('rotation safety over the real local store and keyring (createCore)', () => {
  let xdg: TempXdg;
  let core: Core;
  const logs = captureLogger();
  const clock = { now: Date.parse('2025-06-01T09:00:00Z') };

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: logs.logger, now: () => new Date(clock.now), env: xdg.env });
    await core.projects.createProject('shop');
    for (const name of ['dev', 'stage', 'prod']) await core.projects.createEnvironment('shop', name);
  });
  afterAll(async () => {
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  const value = async (environment: string, key: string) => (await core.secrets.reveal('shop', environment, key)).value;
  const versions = async (environment: string, key: string) => (await core.secrets.history('shop', environment, key)).map((version) => version.version);
  const secretFile = async (environment: string, key: string) => join(xdg.paths.stateDir, 'store', (await core.projects.find('shop', environment)).environment.id, `${key}.secret`);

  it('typed-in keys, provider keys and URLs are listed for a person and never overwritten; Latchkey\'s own values and chosen policies rotate', async () => {
    const typed: Record<string, string> = {
      STRIPE_KEY: `sk_live_${CANARY}`,
      GITHUB_TOKEN: `ghp_${CANARY}`,
      DATABASE_URL: `postgres://shop:${CANARY}@db.internal:5432/shop`,
      SENTRY_DSN: `https://${CANARY.replace(/-/g, '')}@o1.ingest.sentry.io/42`,
      WEBHOOK_SECRET: `${CANARY}-typed`,
    };
    for (const [key, text] of Object.entries(typed)) await core.secrets.create('shop', 'stage', key, text);
    // A URL keeps being a URL even with a generator policy someone stored on it.
    await core.rotation.setPolicy('shop', 'stage', 'DATABASE_URL', { generator: 'password' });
    await core.secrets.create('shop', 'stage', 'SESSION_SECRET', `${CANARY}-session`);
    await core.rotation.setPolicy('shop', 'stage', 'SESSION_SECRET', { generator: 'hex', length: 64 });

    const preview = await core.incidents.preview({ environments: [{ project: 'shop', environment: 'stage' }] });
    const byKey = Object.fromEntries(preview.items.map((item) => [item.key, item]));
    expect(byKey.STRIPE_KEY).toMatchObject({ class: 'by-hand', rotatable: false, provider: 'Stripe (live secret key)', reason: expect.stringContaining('rotate it at Stripe') });
    expect(byKey.GITHUB_TOKEN).toMatchObject({ class: 'by-hand', provider: 'GitHub (personal access token)' });
    expect(byKey.DATABASE_URL).toMatchObject({ class: 'by-hand', reason: expect.stringContaining('postgres:// URL with credentials inside') });
    expect(byKey.SENTRY_DSN).toMatchObject({ class: 'by-hand', reason: expect.stringContaining('https:// URL with credentials inside') });
    expect(byKey.WEBHOOK_SECRET).toMatchObject({ class: 'by-hand', reason: expect.stringContaining('typed in or imported') });
    expect(byKey.SESSION_SECRET).toMatchObject({ class: 'generate', rotatable: true, policy: 'hex, 64 characters' });
    expect(preview.rotatable).toBe(1);
    expect(JSON.stringify(preview)).not.toContain(CANARY);

    // One click on each: nothing typed in changes.
    for (const key of Object.keys(typed)) {
      const result = await core.rotation.rotate('shop', 'stage', key);
      expect(result, key).toMatchObject({ ok: false, state: 'unchanged', rule: { class: 'by-hand' }, error: { kind: 'InvalidInput', message: expect.stringContaining('rotated by hand, so Latchkey left it unchanged') } });
    }

    const run = await core.incidents.run({ environments: [{ project: 'shop', environment: 'stage' }] }, { confirmation: { assumeYes: true } });
    expect(run.report).toMatchObject({ status: 'completed', counts: { rotated: 1, by_hand: 5 } });
    for (const [key, text] of Object.entries(typed)) {
      expect(await value('stage', key), key).toBe(text);
      expect(await versions('stage', key), key).toEqual(['1']);
    }
    expect(await value('stage', 'SESSION_SECRET')).toMatch(/^[0-9a-f]{64}$/);

    // Latchkey made SESSION_SECRET's value, so its origin record goes with it (value-free metadata).
    await core.rotation.setPolicy('shop', 'stage', 'SESSION_SECRET', undefined);
    const description = await core.refs.describe('file://shop/stage/SESSION_SECRET');
    expect(description.metadata?.[ORIGIN_METADATA_KEY]).toMatch(/^g1-[0-9a-f]{16}$/);
    expect(await core.rotation.policy('shop', 'stage', 'SESSION_SECRET')).toMatchObject({ rule: { class: 'generate', reason: expect.stringContaining('Latchkey generated its current value') } });
    expect((await core.rotation.rotate('shop', 'stage', 'SESSION_SECRET')).ok).toBe(true);
    // A value typed over it is the person's again, though the record stays in the metadata.
    await core.secrets.update('shop', 'stage', 'SESSION_SECRET', { value: `${CANARY}-typed-over` });
    expect(await core.rotation.rotate('shop', 'stage', 'SESSION_SECRET')).toMatchObject({ ok: false, rule: { class: 'by-hand' } });
    expect(await value('stage', 'SESSION_SECRET')).toBe(`${CANARY}-typed-over`);

    const audit = await readFile(join(xdg.paths.stateDir, AUDIT_FILE), 'utf8');
    expect([audit, ...logs.lines].join('\n')).not.toContain(CANARY);
  });

  it('a write that lands between a rotation and its read-back stays current: the old value is never put back over it (issue 15, item 2)', async () => {
    await core.secrets.create('shop', 'dev', 'RACE_KEY', `${CANARY}-leaked`);
    await core.rotation.setPolicy('shop', 'dev', 'RACE_KEY', { generator: 'password' });
    const view = await core.environments.view('shop', 'dev');
    // The read-back is delayed; meanwhile someone stores a value (as `latchkey secrets set` would).
    const raced = delayedReadBack(view.backend, () => core.refs.set('file://shop/dev/RACE_KEY', `${CANARY}-set-meanwhile`));
    const result = await rotateSecret({ ...core.rotation.refDeps, resolveBackend: pinnedTo(raced) }, 'file://shop/dev/RACE_KEY', { project: 'shop', environment: 'dev' });
    expect(result).toMatchObject({ ok: true, state: 'superseded', version: '2', previousVersion: '1', warning: expect.stringContaining('A newer version (3) was written by someone else') });
    expect(await value('dev', 'RACE_KEY')).toBe(`${CANARY}-set-meanwhile`);
    expect(await versions('dev', 'RACE_KEY')).toEqual(['3', '2', '1']);
    const rotated = (await core.secrets.reveal('shop', 'dev', 'RACE_KEY', '2')).value;
    expect(rotated).not.toContain(CANARY);
    expect(rotated).toHaveLength(32);
  });

  it('one damaged secret file blocks nothing else: listed as damaged, the incident, rotate --due, env diff go on; export refuses naming it (issue 15, item 1)', async () => {
    for (const environment of ['dev', 'prod']) {
      for (const key of ['A', 'B', 'C']) {
        await core.secrets.create('shop', environment, `DMG_${key}`, `${CANARY}-${environment}-${key}`, { confirmed: true });
        await core.rotation.setPolicy('shop', environment, `DMG_${key}`, { generator: 'password' }, { confirmed: true });
      }
    }
    await appendFile(await secretFile('dev', 'DMG_B'), 'x');

    const listed = await core.secrets.list('shop', 'dev');
    expect(listed.find((item) => item.key === 'DMG_B')).toEqual({ key: 'DMG_B', note: '', damaged: expect.stringContaining('Secret file://shop/dev/DMG_B is damaged') });
    expect(listed.find((item) => item.key === 'DMG_A')).toMatchObject({ version: '1' });
    expect((await core.refs.list('file://shop/dev/')).find((item) => item.ref === 'file://shop/dev/DMG_B')).toMatchObject({ damaged: expect.stringContaining('is damaged') });

    const diff = await envDiffCommand({ fingerprinter: core.environments.fingerprinter }, await core.environments.view('shop', 'dev'), await core.environments.view('shop', 'prod'));
    expect(diff.json.unreadable).toEqual([{ key: 'DMG_B', environment: 'dev', message: expect.stringContaining('is damaged') }]);
    expect(diff.json.different).toEqual(expect.arrayContaining(['DMG_A', 'DMG_C']));
    expect(diff.exitCode).toBe(1);

    await expect(envExportCommand({ audit: core.audit, outputFiles: core.outputFiles }, await core.environments.view('shop', 'dev'))).rejects.toMatchObject({
      kind: 'InvalidInput',
      message: expect.stringMatching(/^DMG_B in shop\/dev is damaged and cannot be read, so nothing was exported\. Restore the file from a backup, or delete the secret/),
    });

    clock.now += 100 * DAY;
    const due = await rotateDueCommand(core.rotation.refDeps, await core.rotation.environments({ project: 'shop', environments: ['dev', 'prod'] }), { now: () => new Date(clock.now) });
    const rows = Object.fromEntries(due.json.filter((row) => row.ref.includes('/DMG_')).map((row) => [row.ref, row]));
    expect(rows['file://shop/dev/DMG_B']).toMatchObject({ ok: false, error: { kind: 'InvalidInput', message: expect.stringContaining('is damaged') } });
    for (const ref of ['file://shop/dev/DMG_A', 'file://shop/dev/DMG_C', 'file://shop/prod/DMG_A', 'file://shop/prod/DMG_B', 'file://shop/prod/DMG_C']) expect(rows[ref], ref).toMatchObject({ ok: true });
    expect(due.exitCode).toBe(3);

    const run = await core.incidents.run({ environments: [{ project: 'shop', environment: 'dev' }, { project: 'shop', environment: 'prod' }] }, { confirmation: { typedNames: ['prod'] } });
    const items = Object.fromEntries(run.report.items.filter((item) => item.key.startsWith('DMG_')).map((item) => [`${item.environment}/${item.key}`, item]));
    expect(items['dev/DMG_B']).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('is damaged') } });
    for (const name of ['dev/DMG_A', 'dev/DMG_C', 'prod/DMG_A', 'prod/DMG_B', 'prod/DMG_C']) expect(items[name], name).toMatchObject({ status: 'rotated' });
    expect(run.report.status).toBe('partial');
    expect(await value('prod', 'DMG_B')).not.toBe(`${CANARY}-prod-DMG_B`);
  });
});

/** The real backend, with its first read after a write held back until `meanwhile` has run. */
function delayedReadBack(inner: SecretBackend, meanwhile: () => Promise<unknown>): SecretBackend {
  let written = false;
  let raced = false;
  return {
    scheme: inner.scheme,
    capabilities: inner.capabilities,
    get: async (path: string, options?: { version?: string }): Promise<ReadResult> => {
      if (written && !raced) {
        raced = true;
        await meanwhile();
      }
      return inner.get(path, options);
    },
    set: async (path: string, text: string, options?: WriteOptions): Promise<WriteResult> => {
      const result = await inner.set(path, text, options);
      written = true;
      return result;
    },
    delete: (path) => inner.delete(path),
    list: (prefix, options) => inner.list(prefix, options),
    describe: (path) => inner.describe(path),
  };
}
