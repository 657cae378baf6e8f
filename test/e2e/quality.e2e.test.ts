import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { freePort } from '../harness/ports';
import { launchApp, type AppUnderTest } from './harness/launch';
import { reactStateText } from './harness/react-state';

/**
 * What the quality pass (issue 14) found, each checked as a person meets it: a key that exists already,
 * a New secret dialog the lock interrupts, 500 secrets (sticky header, a virtualized list), an
 * environment moved to a backend that does not answer, a prefix left empty, notices that must not
 * cover the list, a wrong connection setting pointed at, and an audit trail longer than a page.
 */
const CANARY = 'canary-quality-e2e-77d1';

const rows = (page: Page) => page.locator('tr.secret-row');
const inViewport = (page: Page, selector: string) =>
  page.evaluate((css) => {
    const element = document.querySelector(css);
    if (element === null) return false;
    const rect = element.getBoundingClientRect();
    // Visible and on top: not scrolled away, not covered by something else.
    const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
    return rect.bottom > 0 && rect.top < window.innerHeight && hit !== null && (hit === element || element.contains(hit));
  }, selector);

describeWithKeyring('the quality pass, end to end', () => {
  let app: AppUnderTest;
  let deadPort: number;
  beforeAll(async () => {
    // A Vault address nothing listens on: every request is refused (after the backend's retries, the
    // listing fails within seconds; a silent server would take the retry policy's 4 × 20 s).
    deadPort = await freePort();
    app = await launchApp({ colorScheme: 'light', keychain: realKeychain(), fakes: { vault: true } });
    const { core } = app;
    await core.projects.createProject('payments');
    for (const environment of ['dev', 'staging', 'big']) await core.projects.createEnvironment('payments', environment);
    await core.secrets.create('payments', 'dev', 'STRIPE_KEY', `${CANARY}-stripe`, { note: 'Stripe live key' });
    await core.secrets.create('payments', 'staging', 'STAGING_ONLY', `${CANARY}-staging`);
    await core.connections.add('staging-vault', { kind: 'vault', address: app.fakes.vault!.url, auth: { method: 'token' } }, { token: app.fakes.vault!.createToken() });
    await core.connections.add('dead-vault', { kind: 'vault', address: `http://127.0.0.1:${deadPort}`, auth: { method: 'token' } }, { token: 'hvs.unused' });
    await app.page.reload();
    await rows(app.page).first().waitFor();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('adding a key that exists says so and offers to edit it; the error goes when the key is changed', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret in dev' });
    await dialog.getByPlaceholder('API_KEY').fill('STRIPE_KEY');
    await dialog.getByLabel('Value', { exact: true }).fill(`${CANARY}-again`);
    await dialog.getByRole('button', { name: 'Add secret' }).click();
    const taken = dialog.getByRole('alert');
    await expect.poll(() => taken.textContent()).toContain('STRIPE_KEY already exists in payments/dev — edit it instead?');
    expect(await dialog.getByPlaceholder('API_KEY').getAttribute('aria-invalid')).toBe('true');
    // Another key: nothing was tried for it yet, so nothing is wrong with it.
    await dialog.getByPlaceholder('API_KEY').fill('STRIPE_KEY_2');
    await expect.poll(() => dialog.getByRole('alert').count()).toBe(0);
    expect(await dialog.getByPlaceholder('API_KEY').getAttribute('aria-invalid')).toBe('false');
    await dialog.getByPlaceholder('API_KEY').fill('STRIPE_KEY');
    await dialog.getByRole('button', { name: 'Add secret' }).click();
    await dialog.getByRole('button', { name: 'Edit STRIPE_KEY' }).click();
    await page.getByRole('dialog', { name: 'Edit STRIPE_KEY' }).waitFor();
    expect((await app.core.secrets.reveal('payments', 'dev', 'STRIPE_KEY')).value).toBe(`${CANARY}-stripe`);
    await page.keyboard.press('Escape');
  });

  it('locking over a half-typed New secret keeps its key and note, drops the value, and says so', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret in dev' });
    await dialog.getByPlaceholder('API_KEY').fill('GITHUB_TOKEN');
    await dialog.getByLabel('Value', { exact: true }).fill(`${CANARY}-typed`);
    await dialog.getByPlaceholder('What it is for, who owns it').fill('CI bot token');
    await app.core.lock.lock('manual');
    await page.getByRole('heading', { name: 'Latchkey is locked' }).waitFor();
    // Nothing typed as a value is left in the page or its React state while locked.
    expect(await page.content()).not.toContain(`${CANARY}-typed`);
    expect(await reactStateText(page)).not.toContain(`${CANARY}-typed`);
    await page.getByRole('button', { name: 'Unlock with the OS keychain' }).click();

    const again = page.getByRole('dialog', { name: 'New secret in dev' });
    await again.waitFor();
    expect(await again.getByPlaceholder('API_KEY').inputValue()).toBe('GITHUB_TOKEN');
    expect(await again.getByPlaceholder('What it is for, who owns it').inputValue()).toBe('CI bot token');
    expect(await again.getByLabel('Value', { exact: true }).inputValue()).toBe('');
    expect(await again.getByRole('status').textContent()).toContain('the value was cleared (no value stays in memory while locked) — type it again');
    await again.getByLabel('Value', { exact: true }).fill(`${CANARY}-github`);
    await again.getByRole('button', { name: 'Add secret' }).click();
    await expect.poll(() => page.locator('tr[data-key="GITHUB_TOKEN"]').count()).toBe(1);
    expect(await page.locator('tr[data-key="GITHUB_TOKEN"] .note').textContent()).toBe('CI bot token');
  });

  it('500 secrets: the header, tabs, search and column headers stay in place; only the rows in view are rendered', async () => {
    const { page, core } = app;
    // Written 20 at a time (each is its own encrypted file and audit entry).
    for (let batch = 0; batch < 500; batch += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, offset) => batch + offset).map((index) =>
          core.secrets.create('payments', 'big', `SERVICE_${String(index).padStart(3, '0')}_TOKEN`, `${CANARY}-${index}`, index % 3 === 0 ? { note: `owner team ${index % 7}` } : {}),
        ),
      );
    }
    await page.getByRole('tab', { name: 'big' }).click();
    await expect.poll(() => page.getByTestId('secrets-count').textContent()).toBe('500 secrets');
    const rendered = await rows(page).count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);

    await page.getByTestId('secrets-scroll').evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await expect.poll(() => page.locator('tr[data-key="SERVICE_499_TOKEN"]').count()).toBe(1);
    expect(await rows(page).count()).toBeLessThan(60);
    for (const selector of ['.env-bar h1', '[role=tab][aria-selected=true]', 'input[aria-label="Search secrets"]', '.list-scroll thead th.cell-key']) {
      expect(await inViewport(page, selector), selector).toBe(true);
    }

    // A keystroke filters the 500 and still renders only what is in view.
    await page.getByLabel('Search secrets').fill('owner team 3');
    await expect.poll(() => page.getByTestId('secrets-count').textContent()).toBe('24 of 500');
    await expect.poll(() => page.locator('tr.secret-row').first().getAttribute('data-key')).toBe('SERVICE_003_TOKEN');
    expect(await rows(page).count()).toBeLessThanOrEqual(24);
    await page.getByLabel('Search secrets').fill('');
  });

  it('an environment moved to a backend that cannot be reached shows its error at once, and none of the old rows', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'staging' }).click();
    await expect.poll(() => rows(page).count()).toBe(1);
    await page.getByRole('button', { name: 'Settings of staging' }).click();
    const dialog = page.getByRole('dialog', { name: 'Environment staging' });
    await dialog.getByLabel('Stored in').selectOption('dead-vault');
    await dialog.getByLabel('Prefix').fill('payments/staging/');
    await dialog.getByRole('button', { name: 'Save' }).click();
    // The header names the new place at once, and the old place's rows are gone with it.
    await expect.poll(() => page.getByTestId('environment-location').textContent()).toContain('(dead-vault)');
    expect(await rows(page).count()).toBe(0);
    expect(await page.getByTestId('secrets-count').count()).toBe(0);
    await expect.poll(() => page.locator('.banner-error').textContent(), { timeout: 60_000 }).toContain('dead-vault');
    expect(await rows(page).count()).toBe(0);
    expect(await page.getByTestId('secrets-count').count()).toBe(0);
    expect(await page.getByText('No secrets in staging yet').count()).toBe(0);
  });

  it('a binding with no prefix warns that it takes the whole connection, and asks', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Settings of staging' }).click();
    const dialog = page.getByRole('dialog', { name: 'Environment staging' });
    await dialog.getByLabel('Stored in').selectOption('staging-vault');
    await dialog.getByLabel('Prefix').fill('');
    await expect.poll(() => dialog.getByTestId('whole-connection').textContent()).toContain('No prefix: staging would use all of staging-vault');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const confirmation = page.getByRole('dialog', { name: 'Use all of staging-vault?' });
    await confirmation.getByRole('button', { name: 'Cancel' }).click();
    expect((await app.core.projects.find('payments', 'staging')).environment.binding).toMatchObject({ connection: 'dead-vault' });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog', { name: 'Use all of staging-vault?' }).getByRole('button', { name: 'Use all of staging-vault' }).click();
    await expect.poll(() => page.getByTestId('environment-location').textContent()).toContain('(staging-vault)');
    expect((await app.core.projects.find('payments', 'staging')).environment.binding).toEqual({ backend: 'connection', connection: 'staging-vault', prefix: '' });
  });

  it('notices are stacked under the list, never over it; a repeat is counted, and at most three are shown', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'dev' }).click();
    await rows(page).first().waitFor();
    for (let copy = 0; copy < 3; copy += 1) await page.getByRole('button', { name: 'Copy STRIPE_KEY' }).click();
    const notices = page.getByRole('status', { name: 'Notices' });
    await expect.poll(() => notices.locator('.toast').count()).toBe(1);
    await expect.poll(() => notices.locator('.toast').getAttribute('data-count')).toBe('3');
    // Four different notices in a row (both values were typed in, so a rotation leaves them to be
    // rotated by hand and says so): the oldest gives way.
    await page.getByRole('button', { name: 'Copy GITHUB_TOKEN' }).click();
    await page.getByRole('button', { name: 'Rotate GITHUB_TOKEN' }).click();
    await expect.poll(() => notices.textContent()).toContain('GITHUB_TOKEN is rotated by hand');
    await page.getByRole('button', { name: 'Rotate STRIPE_KEY' }).click();
    await expect.poll(() => notices.textContent()).toContain('STRIPE_KEY is rotated by hand');
    expect(await notices.locator('.toast').count()).toBeLessThanOrEqual(3);
    const [list, strip] = await Promise.all([page.getByTestId('secrets-scroll').boundingBox(), notices.boundingBox()]);
    expect(list!.y + list!.height).toBeLessThanOrEqual(strip!.y + 1);
  });

  it('a wrong connection setting is pointed at in the form, without sending the person elsewhere', async () => {
    const { page } = app;
    await page.getByRole('navigation').getByRole('button', { name: 'Connections', exact: true }).click();
    await page.getByRole('button', { name: 'Edit staging-vault' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connection staging-vault' });
    await dialog.getByLabel('Address', { exact: true }).fill('vault.internal:8200');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('The address of connection "staging-vault" is not valid: it must be a URL starting with http:// or https://.');
    expect(await dialog.getByRole('alert').textContent()).not.toContain('Fix them in Connections');
    const address = dialog.getByLabel('Address', { exact: true });
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect(await address.evaluate((element) => element === document.activeElement)).toBe(true);
    await address.fill(app.fakes.vault!.url);
    expect(await address.getAttribute('aria-invalid')).toBeNull();
    await page.keyboard.press('Escape');
  });

  it('the audit trail pages back through more than 1,000 entries', async () => {
    const { page, core } = app;
    const before = (await core.audit.verify()).entries;
    for (let index = before; index < 1062; index += 1) await core.audit.append({ action: 'secret.reveal', outcome: 'ok', project: 'payments', environment: 'dev', ref: `file://payments/dev/KEY_${index}` });
    await page.getByRole('navigation').getByRole('button', { name: 'Audit', exact: true }).click();
    await page.getByLabel('Time').selectOption({ label: 'All time' });
    await expect.poll(() => page.getByTestId('audit-count').textContent()).toBe('Newest 200 of 1,062 entries');
    expect(await page.getByRole('status', { name: 'Verification' }).textContent()).toContain('1,062 entries');
    for (let shown = 200; shown < 1062; shown += 200) {
      await page.getByRole('button', { name: /^Show \d+ older entries$/ }).click();
      await expect.poll(() => page.locator('.audit-table tbody tr').count()).toBe(Math.min(1062, shown + 200));
    }
    expect(await page.getByTestId('audit-count').textContent()).toBe('1,062 entries');
    expect(await page.getByRole('button', { name: /older entries/ }).count()).toBe(0);
    const sequence = await page.locator('.audit-table tbody tr').evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-seq'))));
    expect(sequence[0]).toBe(1062);
    expect(sequence.at(-1)).toBe(1);
    expect(new Set(sequence).size).toBe(1062);
  });
});
