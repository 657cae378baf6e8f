import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPostgres, startPostgres, type PostgresServer } from '../harness/postgres';
import type { AppUnderTest } from './harness/launch';
import { launchWithSecret, removeServicesAndClose } from './harness/services-app';

// Rotation at the source from the app, against a real Postgres (Debian's postgresql 15, started here on
// a free loopback port): a service added on the Services screen (its admin password to the real
// keyring), a rotator attached and tested in the policy dialog, one click on Rotate with its steps shown
// live — and then the server itself: the new password logs in, the old one is refused.

const ROLE = 'shop_app';
const KEY = 'POSTGRES_PASSWORD';

describeWithPostgres('services and rotators in the app, at a real Postgres (light)', () => {
  let app: AppUnderTest;
  let server: PostgresServer;
  const old = `pg-e2e-old-${randomBytes(9).toString('hex')}`;

  beforeAll(async () => {
    server = await startPostgres();
    await server.sqlUnlogged(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${old}'`);
    // At the app's minimum window size: everything below must fit it.
    app = await launchWithSecret(KEY, old);
  });
  afterAll(async () => {
    await removeServicesAndClose(app);
    await server.destroy();
  });

  /** Nothing one can press or type into sticks out of the window (at the minimum size). */
  const fitsTheWindow = () =>
    app.page.evaluate(() => {
      const controls = [...document.querySelectorAll('button, input, select, [role="alert"], [role="status"]')].filter((element) => element.getBoundingClientRect().width > 0);
      return document.documentElement.scrollWidth <= window.innerWidth && controls.every((element) => element.getBoundingClientRect().right <= window.innerWidth + 0.5);
    });

  it('adds a Postgres service whose admin credential goes to the keychain, and tests it', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Services' }).click();
    await page.getByRole('button', { name: 'Add service' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New service' });
    await dialog.getByLabel('Name', { exact: true }).fill('pg-e2e');
    await dialog.getByLabel('Admin URL', { exact: true }).fill(server.adminUrl);
    await dialog.getByRole('button', { name: 'Add service' }).click();
    const row = page.locator('tr.service-row[data-service="pg-e2e"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('stored ✓');
    expect(await row.textContent()).toContain(`127.0.0.1:${server.port}`);
    // Main kept the password: the page never shows it again, and the registry says it is stored.
    expect(await page.content()).not.toContain(server.admin.password);
    expect((await app.core.services.registry.list()).map((service) => [service.name, service.credentials])).toEqual([['pg-e2e', 'stored']]);
    expect(await fitsTheWindow()).toBe(true);
    await app.screenshot('services');

    await row.getByRole('button', { name: 'Test pg-e2e' }).click();
    const test = page.getByRole('dialog', { name: 'Test pg-e2e' });
    await test.getByRole('button', { name: 'Run test' }).click();
    const steps = test.getByRole('list', { name: 'Test steps' }).locator('li');
    await expect.poll(() => steps.count()).toBeGreaterThan(1);
    expect(await test.locator('li.step-failed').count()).toBe(0);
    expect(await test.locator('li.step-passed').count()).toBeGreaterThan(1);
    await test.getByRole('button', { name: 'Close' }).click();
  });

  it('attaches a Postgres rotator in the policy dialog and tests it (a dry run: the password is unchanged)', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Secrets' }).click();
    await page.getByRole('button', { name: `Rotation policy of ${KEY}` }).click();
    const dialog = page.getByRole('dialog', { name: `Rotation of ${KEY}` });
    // Typed in, no rotator: rotated by hand, and the dialog says so.
    await expect.poll(() => dialog.getByRole('note', { name: 'Rotation rule' }).textContent()).toContain('Rotated by hand');
    await dialog.getByLabel('Service where it is checked').selectOption('pg-e2e');
    await dialog.getByLabel('Role', { exact: true }).fill(ROLE);
    await dialog.getByRole('button', { name: 'Test rotator' }).click();
    const steps = dialog.getByRole('list', { name: 'Test of the rotator at pg-e2e' }).locator('li');
    await expect.poll(() => steps.count()).toBeGreaterThan(1);
    expect(await dialog.locator('li.step-failed').count()).toBe(0);
    expect(await server.canLogin(ROLE, old)).toBe(true);

    await dialog.getByRole('button', { name: 'Save rotator' }).click();
    await expect.poll(() => dialog.getByRole('note', { name: 'Rotation rule' }).textContent()).toContain('Rotated where it is checked');
    expect((await app.core.services.rotators.list()).map((rotator) => [rotator.key, rotator.service, rotator.user])).toEqual([[KEY, 'pg-e2e', ROLE]]);
    expect(await fitsTheWindow()).toBe(true);
    await app.screenshot('policy-rotator');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByLabel('Rotates at pg-e2e').count()).toBe(1);
  });

  it('one click rotates it at Postgres with the steps shown live: the new password logs in, the old one is refused', async () => {
    const { page } = app;
    await page.getByRole('button', { name: `Rotate ${KEY}` }).click();
    const panel = page.getByRole('region', { name: `Rotation of ${KEY} at pg-e2e` });
    await expect.poll(() => panel.getByRole('status').textContent(), { timeout: 30_000 }).toContain('is now version');
    // Each lifecycle step was reported by a rotation.step event from main while it ran.
    const states = await panel.getByRole('list', { name: 'Rotation steps' }).locator('li').evaluateAll((items) => items.map((item) => [item.querySelector('.step-label')?.firstChild?.textContent, item.getAttribute('data-step-state')]));
    expect(states.slice(0, 4)).toEqual([
      ['Created the new value (staged, not current yet)', 'passed'],
      ['Set at pg-e2e', 'passed'],
      ['Tested: the new value logs in', 'passed'],
      ['Stored: the new version is current', 'passed'],
    ]);
    expect(states.slice(4).map(([label]) => label)).toContain('Old credential tried again: refused');
    expect(await panel.getByRole('status').textContent()).toContain('the old credential is retired and was refused when tried again');
    expect(await fitsTheWindow()).toBe(true);
    await app.screenshot('rotation-steps');

    // The outside world: Postgres accepts the new password and refuses the old one.
    const rotated = (await app.core.secrets.reveal('shop', 'dev', KEY)).value;
    expect(rotated).not.toBe(old);
    expect(await server.canLogin(ROLE, rotated)).toBe(true);
    expect(await server.canLogin(ROLE, old)).toBe(false);
    // Neither password, nor the admin's, ever reached the page or the server's statement log.
    const content = await page.content();
    for (const secret of [rotated, old, server.admin.password]) expect(content).not.toContain(secret);
    expect(await server.log()).not.toContain(rotated);
    expect(app.logLines.join('\n')).not.toContain(rotated);
    await panel.getByRole('button', { name: 'Close the rotation steps' }).click();
  });

  it('a wrong admin password saved in the Services screen: Rotate fails before set, says what to do, and the current password still logs in', async () => {
    const { page } = app;
    const current = (await app.core.secrets.reveal('shop', 'dev', KEY)).value;
    const wrong = new URL(server.adminUrl);
    wrong.password = `not-the-admin-${randomBytes(6).toString('hex')}`;
    await page.getByRole('button', { name: 'Services' }).click();
    await page.getByRole('button', { name: 'Edit pg-e2e' }).click();
    const dialog = page.getByRole('dialog', { name: 'Service pg-e2e' });
    expect(await dialog.getByTestId('credentials-state').textContent()).toBe('credential stored ✓');
    await dialog.getByLabel('New admin URL', { exact: true }).fill(wrong.toString());
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Service pg-e2e' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Secrets' }).click();
    await page.getByRole('button', { name: `Rotate ${KEY}` }).click();
    const panel = page.getByRole('region', { name: `Rotation of ${KEY} at pg-e2e` });
    const failure = panel.getByRole('alert');
    await expect.poll(() => failure.count(), { timeout: 30_000 }).toBe(1);
    expect(await failure.textContent()).toMatch(/admin/i);
    expect(await panel.locator('li[data-step-state="failed"]').count()).toBe(1);
    expect(await panel.locator('li[data-step-state="passed"]').allTextContents()).not.toContainEqual(expect.stringContaining('Set at pg-e2e'));
    expect(await fitsTheWindow()).toBe(true);
    await app.screenshot('rotation-failed');
    // Nothing changed: the store holds the current password, and Postgres still takes it.
    expect((await app.core.secrets.reveal('shop', 'dev', KEY)).value).toBe(current);
    expect(await server.canLogin(ROLE, current)).toBe(true);
    expect(await page.content()).not.toContain(wrong.password);
    expect(app.consoleErrors).toEqual([]);
  });
});
