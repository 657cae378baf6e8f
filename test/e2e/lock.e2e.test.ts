import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { launchApp, type AppUnderTest } from './harness/launch';
import { reactStateText } from './harness/react-state';

const CANARY = 'canary-e2e-lock-8a31f0-value';
const PASSPHRASE = 'canary-e2e-passphrase-c47d';
const MINUTE = 60_000;

/** What a locked page must not hold: the value in the DOM, or in any component's state or props. */
async function expectNoValue(page: Page, value: string) {
  expect(await page.content()).not.toContain(value);
  expect(await reactStateText(page)).not.toContain(value);
}

describeWithKeyring('the app lock, end to end (Chromium, real preload, router and core)', () => {
  let app: AppUnderTest;
  const revealed = () => app.page.getByTestId('revealed-value');
  const lockScreen = () => app.page.getByRole('region', { name: 'Latchkey is locked' });
  const callFromPage = (channel: 'reveal' | 'list') =>
    app.page.evaluate(async (which) => {
      const where = { project: 'ops', environment: 'dev' };
      return which === 'reveal' ? window.latchkey.secrets.reveal({ ...where, key: 'API_KEY' }) : window.latchkey.secrets.list(where);
    }, channel);

  beforeAll(async () => {
    app = await launchApp({ colorScheme: 'dark', keychain: realKeychain() });
    await app.core.refs.set('file://ops/dev/API_KEY', CANARY);
    await app.page.reload();
    await app.page.locator('tr[data-key="API_KEY"]').waitFor();
  });
  afterAll(() => app.close());

  it('locks after 5 idle minutes: the value leaves the DOM and React state, calls are refused, unlock brings it back', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Reveal API_KEY' }).click();
    await expect.poll(() => revealed().textContent()).toBe(CANARY);
    // The walk of React's state finds a revealed value (so its silence after the lock means something).
    expect(await reactStateText(page)).toContain(CANARY);

    // Activity in the window (a real input event) keeps the app open.
    app.lock.advance(4 * MINUTE);
    const inputs = app.lock.inputEvents();
    await page.mouse.move(200, 200);
    await page.mouse.move(220, 240);
    // The page reports input to main asynchronously: let both moves arrive before the clock moves on.
    await expect.poll(() => app.lock.inputEvents()).toBe(inputs + 2);
    app.lock.advance(4 * MINUTE);
    await app.lock.tick();
    expect(app.core.lock.isLocked()).toBe(false);
    expect(await lockScreen().count()).toBe(0);

    app.lock.advance(MINUTE + 1_000);
    await app.lock.tick();
    await expect.poll(() => lockScreen().isVisible(), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => page.getByText('It locked itself after a while without activity.').count(), { timeout: 5_000 }).toBe(1);
    await expectNoValue(page, CANARY);
    await app.screenshot('lock-screen');

    expect(await callFromPage('reveal')).toEqual({ ok: false, error: { kind: 'Locked', message: expect.stringContaining('locked') } });
    expect(await callFromPage('list')).toMatchObject({ ok: false, error: { kind: 'Locked' } });

    await page.getByRole('button', { name: 'Unlock with the OS keychain' }).click();
    await expect.poll(() => lockScreen().count(), { timeout: 5_000 }).toBe(0);
    await expect.poll(() => page.locator('tr[data-key="API_KEY"]').count()).toBe(1);
    expect(await callFromPage('reveal')).toMatchObject({ ok: true, value: { value: CANARY } });
  });

  it('locks when the computer sleeps and when the screen locks, and clears a copied value from the clipboard', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Copy API_KEY' }).click();
    await expect.poll(() => app.clipboard.text).toBe(CANARY);
    await app.lock.emitPower('suspend');
    await expect.poll(() => page.getByText('It locked when the computer went to sleep.').count(), { timeout: 5_000 }).toBe(1);
    expect(app.clipboard.text).toBe('');
    await page.getByRole('button', { name: 'Unlock with the OS keychain' }).click();
    await expect.poll(() => lockScreen().count(), { timeout: 5_000 }).toBe(0);

    await app.lock.emitPower('lock-screen');
    await expect.poll(() => page.getByText('It locked when your screen locked.').count(), { timeout: 5_000 }).toBe(1);
    await page.getByRole('button', { name: 'Unlock with the OS keychain' }).click();
    await expect.poll(() => lockScreen().count(), { timeout: 5_000 }).toBe(0);
  });

  it('with an app passphrase: Lock now, a wrong passphrase refused, the right one unlocks', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    // The rule is stated before it is broken, and the passphrase is typed twice.
    const set = page.getByRole('button', { name: 'Set passphrase' });
    await page.getByLabel('App passphrase').fill('short');
    await expect.poll(() => page.locator('#passphrase-rule').textContent()).toContain('At least 8 characters (3 more)');
    expect(await set.isDisabled()).toBe(true);
    await page.getByLabel('App passphrase').fill(PASSPHRASE);
    await page.getByLabel('Type it again').fill(`${PASSPHRASE}x`);
    await expect.poll(() => page.getByText('The two passphrases differ.').count()).toBe(1);
    expect(await set.isDisabled()).toBe(true);
    await page.getByLabel('Type it again').fill(PASSPHRASE);
    await set.click();
    await expect.poll(() => page.getByText('Latchkey unlocks with your app passphrase, and starts locked.').count()).toBe(1);
    await app.screenshot('lock-settings');
    await page.getByRole('button', { name: 'Secrets', exact: true }).click();
    await page.getByRole('button', { name: 'Reveal API_KEY' }).click();
    await expect.poll(() => revealed().textContent()).toBe(CANARY);

    await page.getByRole('button', { name: 'Lock now' }).click();
    await expect.poll(() => lockScreen().isVisible(), { timeout: 5_000 }).toBe(true);
    await expectNoValue(page, CANARY);
    await page.getByLabel('App passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not right');
    expect(await page.getByLabel('App passphrase').inputValue()).toBe('');
    await page.getByLabel('App passphrase').fill(PASSPHRASE);
    await app.screenshot('lock-screen-passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => lockScreen().count(), { timeout: 5_000 }).toBe(0);
    await expect.poll(() => page.locator('tr[data-key="API_KEY"]').count()).toBe(1);
  });

  it('left no value or passphrase in storage, the DOM, React state or the logs', async () => {
    const { page } = app;
    const storage = await page.evaluate(async () => ({
      local: window.localStorage.length,
      session: window.sessionStorage.length,
      databases: (await indexedDB.databases()).length,
      cookies: document.cookie,
    }));
    expect(storage).toEqual({ local: 0, session: 0, databases: 0, cookies: '' });
    for (const canary of [CANARY, PASSPHRASE]) {
      await expectNoValue(page, canary);
      expect(app.logLines.join('\n')).not.toContain(canary);
    }
    expect(app.consoleErrors).toEqual([]);
  });
});
