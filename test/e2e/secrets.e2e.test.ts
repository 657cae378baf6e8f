import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { launchApp, type AppUnderTest } from './harness/launch';

const CANARY = 'canary-e2e-5d9c41aa-value';
const CANARY_2 = 'canary-e2e-rotated-2f7b';

for (const colorScheme of ['light', 'dark'] as const) {
  describeWithKeyring(`secrets in the local store, end to end (${colorScheme})`, () => {
    let app: AppUnderTest;
    beforeAll(async () => {
      app = await launchApp({ colorScheme, keychain: realKeychain(), clipboardClearMs: 1500 });
    });
    afterAll(() => app.close());

    it('walks a new user from an empty app to secrets: create, search, reveal, copy, edit, delete', async () => {
      const { page } = app;

      await expect.poll(() => page.getByRole('heading', { name: 'Welcome to Latchkey' }).isVisible()).toBe(true);
      await app.screenshot('welcome');

      // A project, with dev / staging / prod to start from.
      await page.getByRole('button', { name: 'Create your first project' }).click();
      await page.getByRole('dialog', { name: 'New project' }).getByRole('textbox').fill('payments');
      await page.getByRole('button', { name: 'Create project' }).click();
      await expect.poll(() => page.getByRole('tab').allTextContents()).toEqual(['dev', 'staging', 'prod']);

      // Two secrets in dev.
      for (const [key, value, note] of [
        ['STRIPE_KEY', CANARY, 'Stripe live key'],
        ['DATABASE_URL', 'postgres://app@db/payments', 'primary database'],
      ] as const) {
        await page.getByRole('button', { name: 'New secret' }).click();
        const dialog = page.getByRole('dialog', { name: 'New secret in dev' });
        await dialog.getByPlaceholder('API_KEY').fill(key);
        await dialog.getByLabel('Value', { exact: true }).fill(value);
        await dialog.getByPlaceholder('What it is for, who owns it').fill(note);
        if (key === 'STRIPE_KEY') await app.screenshot('new-secret-dialog');
        await dialog.getByRole('button', { name: 'Add secret' }).click();
        await expect.poll(() => page.locator(`tr[data-key="${key}"]`).count()).toBe(1);
      }
      await expect.poll(() => page.locator('tr.secret-row').count()).toBe(2);
      expect(await page.content()).not.toContain(CANARY);

      // Search by key and by note.
      const search = page.getByLabel('Search secrets');
      await search.fill('stripe');
      await expect.poll(() => page.locator('tr.secret-row').count()).toBe(1);
      await search.fill('DATABASE');
      await expect.poll(() => page.locator('tr.secret-row td.cell-key .mono').allTextContents()).toEqual(['DATABASE_URL']);
      await search.fill('');
      await expect.poll(() => page.locator('tr.secret-row').count()).toBe(2);

      // Reveal shows the value, then hides it by itself after 20 seconds.
      await page.getByRole('button', { name: 'Reveal STRIPE_KEY' }).click();
      await expect.poll(() => page.getByTestId('revealed-value').textContent()).toBe(CANARY);
      await app.screenshot('secrets-revealed');
      await page.clock.runFor(10_000);
      expect(await page.getByTestId('revealed-value').textContent()).toBe(CANARY);
      await page.clock.runFor(11_000);
      await expect.poll(() => page.getByTestId('revealed-value').count()).toBe(0);
      expect(await page.content()).not.toContain(CANARY);

      // Copy: main writes the clipboard; the value never reaches the page; cleared after the timeout.
      await page.getByRole('button', { name: 'Copy STRIPE_KEY' }).click();
      await expect.poll(() => app.clipboard.text).toBe(CANARY);
      expect(await page.content()).not.toContain(CANARY);
      await expect.poll(() => app.clipboard.text, { timeout: 10_000 }).toBe('');
      await page.clock.runFor(100);
      await expect.poll(() => page.getByText('The clipboard was cleared.').count()).toBeGreaterThan(0);

      // Edit: a new value makes version 2; the history lists both.
      await page.getByRole('button', { name: 'Edit STRIPE_KEY' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit STRIPE_KEY' });
      await edit.getByLabel('Value', { exact: true }).fill(CANARY_2);
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('tr[data-key="STRIPE_KEY"] .version').textContent()).toBe('v2');
      expect((await app.core.secrets.reveal('payments', 'dev', 'STRIPE_KEY')).value).toBe(CANARY_2);
      await page.getByRole('button', { name: 'History of STRIPE_KEY' }).click();
      await expect.poll(() => page.locator('.history li').count()).toBe(2);
      await page.getByRole('button', { name: 'Close' }).click();

      // Delete, after confirming.
      await page.getByRole('button', { name: 'Delete DATABASE_URL' }).click();
      await page.getByRole('button', { name: 'Delete secret' }).click();
      await expect.poll(() => page.locator('tr[data-key="DATABASE_URL"]').count()).toBe(0);
      expect((await app.core.secrets.list('payments', 'dev')).map((item) => item.key)).toEqual(['STRIPE_KEY']);
      await app.screenshot('secrets');
    });

    it('asks to type the name of a protected environment before writing to it', async () => {
      const { page } = app;
      await page.getByRole('tab', { name: /prod/ }).click();
      await page.getByRole('button', { name: 'Add the first secret' }).click();
      const dialog = page.getByRole('dialog', { name: 'New secret in prod' });
      await dialog.getByPlaceholder('API_KEY').fill('DB_PASSWORD');
      await dialog.getByLabel('Value', { exact: true }).fill('prod-value');
      await dialog.getByRole('button', { name: 'Add secret' }).click();
      const confirmation = page.getByRole('dialog', { name: 'Change prod?' });
      const confirmButton = confirmation.getByRole('button', { name: 'Confirm change' });
      expect(await confirmButton.isDisabled()).toBe(true);
      await confirmation.getByLabel('Confirmation').fill('pro');
      expect(await confirmButton.isDisabled()).toBe(true);
      await confirmation.getByLabel('Confirmation').fill('prod');
      await app.screenshot('protected-confirmation');
      await confirmButton.click();
      await expect.poll(() => page.locator('tr[data-key="DB_PASSWORD"]').count()).toBe(1);
    });

    it('shows where data lives in Settings', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await expect.poll(() => page.getByText(app.xdg.paths.stateDir).count()).toBe(1);
      await app.screenshot('settings');
      await page.getByRole('button', { name: 'Secrets', exact: true }).click();
    });

    it('left no value in renderer storage, the DOM or the logs, and raised no console or CSP errors', async () => {
      const { page } = app;
      const storage = await page.evaluate(async () => ({
        local: window.localStorage.length,
        session: window.sessionStorage.length,
        databases: (await indexedDB.databases()).length,
      }));
      expect(storage).toEqual({ local: 0, session: 0, databases: 0 });
      const dom = await page.content();
      for (const canary of [CANARY, CANARY_2, 'prod-value']) {
        expect(dom).not.toContain(canary);
        expect(app.logLines.join('\n')).not.toContain(canary);
      }
      expect(app.consoleErrors).toEqual([]);
    });
  });
}
