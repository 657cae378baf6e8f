import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PathRequest } from '../../electron/main/path-chooser';
import { ROTATION_METADATA_KEY } from '../../electron/core/rotation/policy';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { forgetStoreKey } from '../harness/store-key';
import { launchApp, type AppUnderTest } from './harness/launch';

// Snapshots and undo as a person uses them: the built renderer in Chromium, the real preload and router,
// a real core on real files and the real keyring. A wrong .env import undone from its result; a
// protected environment restored to a snapshot through the preview; an incident undone from its result.

const CANARY = `canary-e2e-snapshots-${randomBytes(3).toString('hex')}`;

describeWithKeyring('snapshots, restore and undo, end to end', () => {
  let app: AppUnderTest;
  const chooser: { next: string | undefined; asked: PathRequest[] } = { next: undefined, asked: [] };
  const value = (environment: string, key: string) => app.core.secrets.reveal('orders', environment, key).then((read) => read.value);
  const keys = async (environment: string) => (await app.core.secrets.list('orders', environment)).map((item) => item.key).sort();

  beforeAll(async () => {
    app = await launchApp({
      colorScheme: 'light',
      keychain: realKeychain(),
      choosePath: async (request) => {
        chooser.asked.push(request);
        return chooser.next;
      },
    });
    const { core } = app;
    await core.projects.createProject('orders');
    for (const environment of ['dev', 'prod']) await core.projects.createEnvironment('orders', environment);
    for (const key of ['API_KEY', 'DB_PASSWORD', 'TOKEN']) await core.secrets.create('orders', 'dev', key, `${CANARY}-dev-${key}`);
    const policy = { metadata: { [ROTATION_METADATA_KEY]: 'password-32-p90' }, confirmed: true };
    for (const key of ['A', 'B']) await core.refs.set(`file://orders/prod/${key}`, `${CANARY}-prod-${key}`, policy);
    await app.page.reload();
  });
  afterAll(async () => {
    await forgetStoreKey(realKeychain(), app.xdg.paths.stateDir);
    await app.close();
  });

  it('a wrong .env import is undone from its result: the preview by key, then the values from before and the stray key gone', async () => {
    const { page } = app;
    await expect.poll(() => page.locator('tr.secret-row').count()).toBe(3);
    const file = join(app.xdg.root, 'wrong.env');
    await writeFile(file, `API_KEY=${CANARY}-wrong\nTOKEN=${CANARY}-wrong-token\nSTRAY=${CANARY}-stray\n`, { mode: 0o600 });
    chooser.next = file;
    await page.getByRole('button', { name: '.env' }).click();
    await page.getByRole('menuitem', { name: 'Import .env file…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import .env into dev' });
    await dialog.getByRole('button', { name: 'Import 3 secrets' }).click();
    await expect.poll(() => dialog.locator('tbody tr').count()).toBe(3);
    await rm(file);
    expect(await value('dev', 'API_KEY')).toBe(`${CANARY}-wrong`);

    await dialog.getByRole('button', { name: 'Undo import' }).click();
    const undo = page.getByRole('dialog', { name: 'Undo the import into dev' });
    await expect.poll(() => undo.locator('tr[data-key]').count()).toBe(3);
    expect(await undo.locator('tr[data-key="API_KEY"] .pill').textContent()).toBe('will change');
    expect(await undo.locator('tr[data-key="TOKEN"] .pill').textContent()).toBe('will change');
    expect(await undo.getByRole('checkbox', { name: 'Delete STRAY' }).isChecked()).toBe(true);
    expect(await undo.locator('.restore-summary').first().textContent()).toContain('2 will change, 0 will be recreated, 1 will be deleted');
    await app.screenshot('import-undo-preview');
    await undo.getByRole('button', { name: 'Restore 3 secrets' }).click();
    await expect.poll(() => undo.locator('.pill-completed').count()).toBe(1);
    expect(await undo.locator('tr[data-key="STRAY"] .pill').textContent()).toBe('deleted');
    await undo.getByRole('button', { name: 'Done' }).click();

    await expect.poll(() => page.locator('tr.secret-row').count()).toBe(3);
    expect(await value('dev', 'API_KEY')).toBe(`${CANARY}-dev-API_KEY`);
    expect(await value('dev', 'TOKEN')).toBe(`${CANARY}-dev-TOKEN`);
    expect(await keys('dev')).toEqual(['API_KEY', 'DB_PASSWORD', 'TOKEN']);
  });

  it('restores a protected environment to a snapshot: compare with now, tick a key created since, type the name, restore', async () => {
    const { page, core } = app;
    await page.getByRole('tab', { name: /prod/ }).click();
    await expect.poll(() => page.locator('tr.secret-row').count()).toBe(2);
    await page.getByRole('button', { name: 'Snapshots' }).click();
    const snapshots = page.getByRole('dialog', { name: 'Snapshots of orders/prod' });
    await snapshots.getByRole('textbox', { name: 'Snapshot note' }).fill('before the release');
    await snapshots.getByRole('button', { name: 'Take a snapshot' }).click();
    await expect.poll(() => snapshots.locator('tr[data-snapshot]').count()).toBe(1);
    expect(await snapshots.locator('tr[data-snapshot]').textContent()).toContain('before the release');
    // At the window's minimum size the dialog still fits: nothing scrolls sideways, every control in view.
    await page.setViewportSize({ width: 960, height: 600 });
    expect(await snapshots.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    for (const name of ['Take a snapshot', 'Close']) expect(await snapshots.getByRole('button', { name }).isVisible()).toBe(true);
    await app.screenshot('snapshots-minimum-size');
    await page.setViewportSize({ width: 1280, height: 800 });

    await core.refs.set('file://orders/prod/A', `${CANARY}-prod-A-later`, { confirmed: true });
    await core.refs.remove('file://orders/prod/B', { confirmed: true });
    await core.refs.set('file://orders/prod/C', `${CANARY}-prod-C`, { confirmed: true });

    await snapshots.getByRole('button', { name: /^Compare the snapshot of .* with now$/ }).click();
    const restore = page.getByRole('dialog', { name: /^Restore prod to its snapshot of / });
    await expect.poll(() => restore.locator('tr[data-key]').count()).toBe(3);
    expect(await restore.locator('tr[data-key="A"] .pill').textContent()).toBe('will change');
    expect(await restore.locator('tr[data-key="B"] .pill').textContent()).toBe('will be recreated');
    const stray = restore.getByRole('checkbox', { name: 'Delete C' });
    expect(await stray.isChecked()).toBe(false);
    await app.screenshot('restore-preview');
    await stray.check();
    const button = restore.getByRole('button', { name: 'Restore 3 secrets' });
    expect(await button.isDisabled()).toBe(true);
    await restore.getByRole('textbox', { name: 'Type prod to confirm' }).fill('prod');
    await button.click();
    await expect.poll(() => restore.locator('.pill-completed').count()).toBe(1);
    await app.screenshot('restore-done');
    await restore.getByRole('button', { name: 'Done' }).click();

    // Back to the list: the restore took its own snapshot first.
    await expect.poll(() => snapshots.locator('tr[data-snapshot]').count()).toBe(2);
    expect(await snapshots.locator('tr[data-snapshot]').first().textContent()).toContain('before a restore');
    await app.screenshot('snapshots-list');
    await snapshots.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.locator('tr.secret-row').count()).toBe(2);
    expect(await value('prod', 'A')).toBe(`${CANARY}-prod-A`);
    expect(await value('prod', 'B')).toBe(`${CANARY}-prod-B`);
    expect(await keys('prod')).toEqual(['A', 'B']);
  });

  it('an incident is undone from its result for the secrets that were stored only', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Incident', exact: true }).click();
    await page.getByRole('checkbox', { name: /prod/ }).first().check();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('button', { name: /^Rotate 2 secrets/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Start the incident rotation?' });
    await confirm.getByRole('textbox', { name: 'Type prod to confirm' }).fill('prod');
    await confirm.getByRole('button', { name: 'Rotate now' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Incident result' }).locator('.pill-completed').count()).toBe(1);
    expect(await value('prod', 'A')).not.toBe(`${CANARY}-prod-A`);

    await page.getByRole('button', { name: 'Undo…' }).click();
    const undo = page.getByRole('dialog', { name: /^Undo incident / });
    await expect.poll(() => undo.locator('tr[data-key]').count()).toBe(2);
    await undo.getByRole('textbox', { name: 'Type prod to confirm' }).fill('prod');
    await undo.getByRole('button', { name: 'Put back 2 values' }).click();
    await expect.poll(() => undo.locator('.pill-completed').count()).toBe(1);
    await undo.getByRole('button', { name: 'Done' }).click();
    expect(await value('prod', 'A')).toBe(`${CANARY}-prod-A`);
    expect(await value('prod', 'B')).toBe(`${CANARY}-prod-B`);
  });

  it('left no value in the DOM, storage or logs, and raised no console or CSP errors', async () => {
    const { page } = app;
    expect(await page.content()).not.toContain(CANARY);
    expect(app.logLines.join('\n')).not.toContain(CANARY);
    expect(await page.evaluate(() => window.localStorage.length + window.sessionStorage.length)).toBe(0);
    expect(app.consoleErrors).toEqual([]);
  });
});
