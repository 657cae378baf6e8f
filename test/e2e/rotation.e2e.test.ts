import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore } from '../../electron/core';
import { AUDIT_FILE } from '../../electron/core/audit/audit-log';
import { FileLocks } from '../../electron/core/fs/locks';
import { createLogger } from '../../electron/core/log';
import type { PathRequest } from '../../electron/main/path-chooser';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { launchApp, type AppUnderTest } from './harness/launch';

// Rotation, incidents, comparison, .env and the audit trail as a person uses them: the built renderer in
// Chromium, the real preload and router, a real core on real files and the real keyring.

const CANARY = `canary-e2e-rotation-${randomBytes(3).toString('hex')}`;
const HOSTILE: Record<string, string> = {
  QUOTED: `${CANARY} "double" 'single' # not a comment`,
  DOLLARS: `${CANARY} $HOME \${PATH} \\ back\\slash`,
  MULTILINE: `${CANARY}\nline two\n\tindented ünïcødé 🔑\n`,
};
const DAY = 24 * 60 * 60 * 1000;

for (const colorScheme of ['light', 'dark'] as const) {
  describeWithKeyring(`rotation, incidents, compare, .env and audit, end to end (${colorScheme})`, () => {
    let app: AppUnderTest;
    const chooser: { next: string | undefined; asked: PathRequest[] } = { next: undefined, asked: [] };
    const value = (environment: string, key: string) => app.core.secrets.reveal('payments', environment, key).then((read) => read.value);

    beforeAll(async () => {
      app = await launchApp({
        colorScheme,
        keychain: realKeychain(),
        choosePath: async (request) => {
          chooser.asked.push(request);
          return chooser.next;
        },
      });
      const { core } = app;
      await core.projects.createProject('payments');
      for (const environment of ['dev', 'staging', 'prod']) await core.projects.createEnvironment('payments', environment);
      // Written 100 days ago (another process, same store): overdue on the default 90-day period.
      const past = createCore({ paths: app.xdg.paths, keychain: realKeychain(), logger: createLogger({ sink: () => undefined }), now: () => new Date(Date.now() - 100 * DAY) });
      await past.secrets.create('payments', 'dev', 'LEGACY_TOKEN', `${CANARY}-legacy`);
      await past.close();
      await core.secrets.create('payments', 'dev', 'API_KEY', `${CANARY}-api`);
      await core.secrets.create('payments', 'dev', 'DB_PASSWORD', `${CANARY}-db`);
      for (const [key, hostile] of Object.entries(HOSTILE)) await core.secrets.create('payments', 'dev', key, hostile);
      for (let index = 0; index < 8; index += 1) await core.secrets.create('payments', 'staging', `STAGING_${index}`, `${CANARY}-staging-${index}`);
      for (let index = 0; index < 10; index += 1) await core.secrets.create('payments', 'prod', `PROD_${index}`, `${CANARY}-prod-${index}`, { confirmed: true });
      await core.secrets.create('payments', 'prod', 'API_KEY', `${CANARY}-api`, { confirmed: true });
      await app.page.reload();
    });
    afterAll(() => app.close());

    it('one click rotates a secret; the history shows both versions and restores the first; due secrets are badged and filtered', async () => {
      const { page } = app;
      await expect.poll(() => page.getByRole('tab').allTextContents()).toEqual([expect.stringContaining('dev'), 'staging', 'prod']);
      await expect.poll(() => page.locator('tr.secret-row').count()).toBe(6);
      // The schedule: LEGACY_TOKEN is overdue; dev's tab counts it.
      await expect.poll(() => page.locator('tr[data-key="LEGACY_TOKEN"] .pill-overdue').count()).toBe(1);
      expect(await page.getByRole('tab', { name: /dev/ }).locator('.due-count').textContent()).toBe('1');
      await page.getByRole('button', { name: 'Due (1)' }).click();
      await expect.poll(() => page.locator('tr.secret-row').count()).toBe(1);
      await app.screenshot('secrets-due');
      await page.getByRole('button', { name: 'Due (1)' }).click();

      const before = await value('dev', 'API_KEY');
      await page.getByRole('button', { name: 'Rotate API_KEY' }).click();
      await expect.poll(() => page.locator('.toast').allTextContents()).toContain('Rotated API_KEY → version 2.');
      await expect.poll(() => page.locator('tr[data-key="API_KEY"] .version').textContent()).toBe('v2');
      const rotated = await value('dev', 'API_KEY');
      expect(rotated).not.toBe(before);
      expect(await page.content()).not.toContain(rotated);

      await page.getByRole('button', { name: 'History of API_KEY' }).click();
      const history = page.getByRole('dialog', { name: 'History of API_KEY' });
      await expect.poll(() => history.locator('.history li').count()).toBe(2);
      expect(await history.locator('.history li[data-version="2"] .badge').textContent()).toBe('current');
      await app.screenshot('history');
      await history.getByRole('button', { name: 'Restore version 1' }).click();
      await page.getByRole('dialog', { name: 'Restore version 1' }).getByRole('button', { name: 'Restore version 1' }).click();
      await expect.poll(() => history.locator('.history li').count()).toBe(3);
      expect(await value('dev', 'API_KEY')).toBe(before);
      await history.getByRole('button', { name: 'Close' }).click();

      // Rotating LEGACY_TOKEN clears its badge and the tab's count.
      await page.getByRole('button', { name: 'Rotate LEGACY_TOKEN' }).click();
      await expect.poll(() => page.locator('tr[data-key="LEGACY_TOKEN"] .pill-overdue').count()).toBe(0);
      await expect.poll(() => page.getByRole('tab', { name: /dev/ }).locator('.due-count').count()).toBe(0);

      // A protected environment asks for its name first.
      await page.getByRole('tab', { name: /prod/ }).click();
      await page.getByRole('button', { name: 'Rotate API_KEY' }).click();
      const confirmation = page.getByRole('dialog', { name: 'Rotate API_KEY?' });
      await confirmation.getByLabel('Confirmation').fill('prod');
      await confirmation.getByRole('button', { name: 'Rotate now' }).click();
      await expect.poll(() => page.locator('tr[data-key="API_KEY"] .version').textContent()).toBe('v2');
      await page.getByRole('tab', { name: /dev/ }).click();
    });

    it('edits a rotation policy; the next rotation follows it', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Rotation policy of DB_PASSWORD' }).click();
      const dialog = page.getByRole('dialog', { name: 'Rotation of DB_PASSWORD' });
      await dialog.getByLabel('Generator').selectOption('hex');
      await dialog.getByLabel('Length').fill('48');
      await dialog.getByLabel('Rotation period in days', { exact: true }).fill('30');
      await app.screenshot('rotation-policy');
      await dialog.getByRole('button', { name: 'Save policy' }).click();
      await expect.poll(() => page.locator('.toast').allTextContents()).toContain('Saved the rotation policy of DB_PASSWORD.');
      await page.getByRole('button', { name: 'Rotate DB_PASSWORD' }).click();
      await expect.poll(() => page.locator('tr[data-key="DB_PASSWORD"] .version').textContent()).toBe('v2');
      expect(await value('dev', 'DB_PASSWORD')).toMatch(/^[0-9a-f]{48}$/);
    });

    it('incident mode: preview, confirm, a progress bar while it runs, cancel, "Finish what is left", and a saved report', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Incident', exact: true }).click();
      await page.getByLabel('Include payments/staging').check();
      await page.getByLabel('Include payments/prod').check();
      await page.getByRole('button', { name: 'Preview' }).click();
      const previewCard = page.getByRole('region', { name: 'Preview' });
      await expect.poll(() => previewCard.locator('tbody tr').count()).toBe(19);
      await app.screenshot('incident-before');

      // Hold eight prod secrets (as another Latchkey process would): the eight workers wait on them.
      const prodId = (await app.core.projects.find('payments', 'prod')).environment.id;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const holders = new FileLocks();
      const held: Promise<void>[] = [];
      for (let index = 0; index < 8; index += 1) {
        held.push(holders.withLock(join(app.xdg.paths.stateDir, 'store', prodId, `PROD_${index}.secret`), () => gate));
      }

      await page.getByRole('button', { name: /^Rotate 19 secrets/ }).click();
      const confirmation = page.getByRole('dialog', { name: 'Start the incident rotation?' });
      await confirmation.getByLabel('Type prod to confirm').fill('prod');
      await confirmation.getByRole('button', { name: 'Rotate now' }).click();
      const progress = page.getByRole('progressbar', { name: 'Rotating secrets' });
      await expect.poll(() => page.getByRole('table', { name: 'Finished so far' }).locator('tbody tr').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(8);
      expect(await progress.getAttribute('aria-valuenow')).not.toBeNull();
      await app.screenshot('incident-during');
      await progress.getByRole('button', { name: 'Cancel' }).click();
      release();
      await Promise.all(held);

      const result = page.getByRole('region', { name: 'Incident result' });
      await expect.poll(() => result.locator('.pill').first().textContent(), { timeout: 20_000 }).toBe('cancelled');
      expect(await result.locator('tr[data-status="cancelled"]').count()).toBeGreaterThan(0);
      await app.screenshot('incident-partial');
      await result.getByRole('button', { name: 'Finish what is left' }).click();
      const again = page.getByRole('dialog', { name: 'Finish what is left?' });
      await again.getByLabel('Type prod to confirm').fill('prod');
      await again.getByRole('button', { name: 'Finish' }).click();
      await expect.poll(() => result.locator('.pill').first().textContent(), { timeout: 20_000 }).toBe('completed');
      expect(await result.locator('tr[data-status="rotated"]').count()).toBe(19);
      for (let index = 0; index < 10; index += 1) expect(await value('prod', `PROD_${index}`)).not.toBe(`${CANARY}-prod-${index}`);
      await app.screenshot('incident-after');

      // The saved report opens later, readable and as a table.
      await page.getByRole('button', { name: /^Open report / }).first().click();
      const report = page.getByRole('dialog', { name: /^Incident / });
      await report.getByRole('radio', { name: 'Readable report' }).click();
      await expect.poll(() => report.locator('.report-text').textContent()).toContain('COMPLETED');
      await app.screenshot('incident-report');
      await report.getByRole('button', { name: 'Close' }).click();
    });

    it('compare shows missing, different and same per key without values, and copies a secret into a protected environment', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await expect.poll(() => page.locator('tr[data-key="DB_PASSWORD"]').getAttribute('data-state')).toBe('missing');
      expect(await page.locator('tr[data-key="API_KEY"]').getAttribute('data-state')).toBe('missing');
      await page.getByLabel('Compare staging').uncheck();
      await expect.poll(() => page.locator('tr[data-key="API_KEY"]').getAttribute('data-state')).toBe('different');
      await app.screenshot('diff');
      expect(await page.content()).not.toContain(CANARY);

      await page.getByLabel('Select DB_PASSWORD').check();
      await page.getByRole('button', { name: 'Copy 1 selected…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Copy 1 secret' });
      await dialog.getByLabel('Copy from').selectOption('dev');
      await dialog.getByLabel('Copy to').selectOption('prod');
      await dialog.getByLabel('Type prod to confirm').fill('prod');
      await dialog.getByRole('button', { name: 'Copy to prod' }).click();
      await expect.poll(() => dialog.locator('.pill').textContent()).toBe('created');
      await dialog.getByRole('button', { name: 'Done' }).click();
      await expect.poll(() => page.locator('tr[data-key="DB_PASSWORD"]').getAttribute('data-state')).toBe('same');
      expect(await value('prod', 'DB_PASSWORD')).toBe(await value('dev', 'DB_PASSWORD'));
    });

    it('exports a .env that dotenv parses back exactly (0600), and imports one after a preview', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Secrets', exact: true }).click();
      await page.getByRole('tab', { name: /dev/ }).click();
      chooser.next = join(app.xdg.root, `dev-${colorScheme}.env`);
      await page.getByRole('button', { name: '.env' }).click();
      await page.getByRole('menuitem', { name: 'Export .env file…' }).click();
      await expect.poll(() => page.locator('.toast').allTextContents()).toContainEqual(expect.stringMatching(/^Wrote 6 secrets to .*Do not commit it\.$/));
      expect((await stat(chooser.next)).mode & 0o777).toBe(0o600);
      const parsed = parse(await readFile(chooser.next, 'utf8'));
      for (const [key, hostile] of Object.entries(HOSTILE)) expect(parsed[key], key).toBe(hostile);
      for (const item of await app.core.secrets.list('payments', 'dev')) expect(parsed[item.key], item.key).toBe(await value('dev', item.key));

      const importFile = join(app.xdg.root, 'import.env');
      await writeFile(importFile, `NEW_FROM_ENV="${CANARY} imported"\nQUOTED=${CANARY}-replaced\nAPI_KEY=${await value('dev', 'API_KEY')}\n`);
      chooser.next = importFile;
      await page.getByRole('button', { name: '.env' }).click();
      await page.getByRole('menuitem', { name: 'Import .env file…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Import .env into dev' });
      await expect.poll(() => dialog.locator('.key-list.added li').allTextContents()).toEqual(['NEW_FROM_ENV']);
      expect(await dialog.locator('.key-list.changed li').allTextContents()).toEqual(['QUOTED']);
      expect(await dialog.locator('.key-list.unchanged li').allTextContents()).toEqual(['API_KEY']);
      await app.screenshot('env-import');
      await dialog.getByRole('button', { name: 'Import 2 secrets' }).click();
      await dialog.getByRole('button', { name: 'Done' }).click();
      await expect.poll(() => page.locator('tr[data-key="NEW_FROM_ENV"]').count()).toBe(1);
      expect(await value('dev', 'NEW_FROM_ENV')).toBe(`${CANARY} imported`);
    });

    it('imports a Mycelium file: refused while others can read it (with the reason), then imported anyway', async () => {
      const { page } = app;
      const file = join(app.xdg.root, `mycelium-${colorScheme}.json`);
      await writeFile(file, JSON.stringify({ project_name: 'payments', postgres_password: `${CANARY}-pg`, redis_password: `${CANARY}-redis`, temporal_admin_password: null }), { mode: 0o644 });
      chooser.next = file;
      await page.getByRole('button', { name: '.env' }).click();
      await page.getByRole('menuitem', { name: 'Import from Mycelium…' }).click();
      expect(chooser.asked.at(-1)?.defaultPath).toMatch(/\/mycelium\/secrets\/payments\.json$/);
      const dialog = page.getByRole('dialog', { name: 'Import from Mycelium into dev' });
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('readable by group or others (mode 644)');
      await dialog.getByRole('button', { name: 'Import anyway' }).click();
      await expect.poll(() => dialog.locator('tbody tr').count()).toBe(2);
      await dialog.getByRole('button', { name: 'Done' }).click();
      expect(await value('dev', 'POSTGRES_PASSWORD')).toBe(`${CANARY}-pg`);
    });

    it('the Audit screen filters entries and shows the chain intact, then the first problem after a hand edit', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Audit', exact: true }).click();
      await expect.poll(() => page.getByRole('status', { name: 'Verification' }).textContent()).toContain('Intact');
      await page.getByLabel('Action').selectOption('secret.rotate');
      await expect.poll(async () => new Set(await page.locator('.audit-table tbody td:nth-child(3)').allTextContents())).toEqual(new Set(['rotate']));
      await page.getByLabel('Environment').selectOption('payments/prod');
      await expect.poll(async () => new Set(await page.locator('.audit-table tbody td:nth-child(5)').allTextContents())).toEqual(new Set(['payments/prod']));
      await app.screenshot('audit');
      expect(await page.content()).not.toContain(CANARY);

      const path = join(app.xdg.paths.stateDir, AUDIT_FILE);
      const lines = (await readFile(path, 'utf8')).split('\n');
      lines[1] = (lines[1] as string).replace(/"outcome":"(started|ok)"/, (found) => (found.includes('ok') ? '"outcome":"failed"' : '"outcome":"ok"'));
      await writeFile(path, lines.join('\n'));
      await page.getByRole('button', { name: 'Verify again' }).click();
      await expect.poll(() => page.getByRole('alert', { name: 'Verification' }).textContent()).toContain('Line 2 was edited');
      await app.screenshot('audit-tampered');
    });

    it('left no value in the DOM, storage or logs, and raised no console or CSP errors', async () => {
      const { page } = app;
      const dom = await page.content();
      expect(dom).not.toContain(CANARY);
      expect(app.logLines.join('\n')).not.toContain(CANARY);
      expect(await page.evaluate(() => window.localStorage.length + window.sessionStorage.length)).toBe(0);
      expect(app.consoleErrors).toEqual([]);
    });
  });
}
