import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { launchApp, type AppUnderTest } from './harness/launch';

/**
 * The app with the keyboard only: focus comes back to what opened a dialog, the Edit dialog starts in
 * the field that can be typed in, environment tabs follow the WAI-ARIA tabs pattern, a menu opened
 * with Enter takes the focus, and the shortcuts are listed in the app.
 */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return element === null || element === document.body ? 'body' : `${element.tagName.toLowerCase()}|${element.getAttribute('aria-label') ?? element.textContent?.trim() ?? ''}`;
  });

describeWithKeyring('keyboard use, end to end', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await launchApp({ colorScheme: 'light', keychain: realKeychain() });
    await app.core.projects.createProject('payments');
    for (const environment of ['dev', 'staging', 'qa', 'prod']) await app.core.projects.createEnvironment('payments', environment);
    await app.core.secrets.create('payments', 'dev', 'STRIPE_KEY', 'canary-keyboard-value', { note: 'Stripe' });
    await app.page.reload();
    await app.page.locator('tr[data-key="STRIPE_KEY"]').waitFor();
  });
  afterAll(() => app?.close());

  it('Escape closes a dialog and gives the focus back to the button that opened it', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'New secret' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'New secret in dev' }).waitFor();
    expect(await focused(page)).toBe('input|'); // the Key field
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
    expect(await focused(page)).toBe('button|New secret');

    await page.getByRole('button', { name: 'History of STRIPE_KEY' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'History of STRIPE_KEY' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page)).toBe('button|History of STRIPE_KEY');
  });

  it('the Edit dialog starts in the value field, not the read-only key', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Edit STRIPE_KEY' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Edit STRIPE_KEY' }).waitFor();
    expect(await focused(page)).toBe('textarea|Value');
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page)).toBe('button|Edit STRIPE_KEY');
  });

  it('environment tabs: one Tab stop, arrows move and open, Home and End go to the ends', async () => {
    const { page } = app;
    const tabs = page.getByRole('tab');
    expect(await tabs.evaluateAll((elements) => elements.map((element) => element.getAttribute('tabindex')))).toEqual(['0', '-1', '-1', '-1']);
    await page.getByRole('tab', { name: /dev/ }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => focused(page)).toBe('button|staging');
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toBe('staging');
    expect(await page.getByTestId('environment-location').textContent()).toContain('payments/staging/');
    await page.keyboard.press('End');
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toBe('prod');
    expect(await focused(page)).toBe('button|prod');
    await page.keyboard.press('ArrowRight'); // wraps around
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toBe('dev');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toBe('prod');
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toBe('dev');
    // The tabs control the panel that lists the environment's secrets.
    const panel = page.getByRole('tabpanel');
    expect(await panel.getAttribute('aria-labelledby')).toBe(await page.getByRole('tab', { selected: true }).getAttribute('id'));
    // The list of the environment just opened is read anew: wait for it.
    await expect.poll(() => panel.locator('tr[data-key="STRIPE_KEY"]').count()).toBe(1);
  });

  it('the .env menu opened with Enter takes the focus; arrows move in it; Escape gives it back', async () => {
    const { page } = app;
    await page.getByRole('button', { name: '.env' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('button|Export .env file…');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('button|Import .env file…');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp'); // wraps to the last item
    expect(await focused(page)).toBe('button|Import from Mycelium…');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('menu').count()).toBe(0);
    expect(await focused(page)).toBe('button|.env');
  });

  it('"?" lists the shortcuts; "/" searches and "n" adds a secret', async () => {
    const { page } = app;
    await page.locator('body').click({ position: { x: 600, y: 5 } });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    const rows = await help.locator('tbody tr').allTextContents();
    expect(rows).toEqual(expect.arrayContaining([expect.stringMatching(/^\/Search/), expect.stringMatching(/^nNew secret/), expect.stringMatching(/^\?This list/)]));
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);

    await page.keyboard.press('/');
    expect(await focused(page)).toBe('input|Search secrets');
    await page.keyboard.type('stripe');
    await page.keyboard.press('Escape');
    expect(await page.getByLabel('Search secrets').inputValue()).toBe('');
    await page.locator('body').click({ position: { x: 600, y: 5 } });
    await page.keyboard.press('n');
    await page.getByRole('dialog', { name: 'New secret in dev' }).waitFor();
    await page.keyboard.press('Escape');
  });
});
