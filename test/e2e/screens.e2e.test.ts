import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIN_WINDOW } from '../../shared/window-size';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { startRedis, type RedisServer } from '../harness/redis';
import { seedCreateSession } from '../harness/seed-session-server';
import { Redis } from 'ioredis';
import { axeViolations } from './harness/axe';
import { launchApp, type AppUnderTest } from './harness/launch';
import { layoutProblems } from './harness/layout-check';

/**
 * Every screen and dialog of the app, as a person meets them, at the minimum window size (and at
 * 1280 × 800), light and dark: nothing scrolls sideways or is cut off, no label wraps, no icon is
 * squashed (layout-check.ts), and axe-core finds no serious or critical accessibility violation
 * (contrast included). Each view is screenshot; the README's images are written from here, so they
 * show the app as it is.
 */
const LARGE = { width: 1280, height: 800 };
const HOUR = 3_600_000;
const LONG_PROJECT = 'customer-identity-and-access-platform';
const LONG_ENVIRONMENT = 'pre-production-eu-west-1';

let redis: RedisServer;
let raw: Redis;
beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
  raw.on('error', () => undefined);
  const kinds = [
    { device_type: 'phone', os: 'iOS 17', app_version: '4.2.0' },
    { device_type: 'wearable', os: 'watchOS 10', app_version: '4.1.3' },
    { device_type: 'tablet', os: 'iPadOS 17', app_version: '4.0.9' },
  ];
  for (let i = 0; i < 30; i += 1) {
    await seedCreateSession(raw, { userId: `user-${i % 9}`, deviceId: `device-${i}`, metadata: kinds[i % kinds.length]!, now: new Date(Date.now() - (i % 20) * HOUR - 60_000) });
  }
  for (const hoursAgo of [5, 2, 0]) {
    await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-lost-7', metadata: { device_type: 'wearable', os: 'wearOS 4', app_version: '4.2.0' }, now: new Date(Date.now() - hoursAgo * HOUR) });
  }
});
afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

/** Layout at the size the page has now, axe where asked, and a screenshot. */
async function check(app: AppUnderTest, name: string, options: { axe?: boolean; readme?: boolean } = {}) {
  const { page } = app;
  await page.clock.runFor(400);
  const size = page.viewportSize()!;
  const suffix = size.width === MIN_WINDOW.width ? 'min' : `${size.width}`;
  await app.screenshot(`screen-${name}-${suffix}`);
  if (options.readme === true) await app.screenshot(name, { readme: true });
  // Soft: every view is checked, and the report lists all that is wrong, one problem a line.
  expect.soft((await layoutProblems(page)).join('\n'), `${name} at ${size.width}×${size.height}`).toBe('');
  if (options.axe !== false) {
    const violations = await axeViolations(page);
    expect.soft(violations.map((violation) => `${violation.impact} ${violation.id}: ${violation.help} (${violation.targets.join(' | ')})`).join('\n'), `${name}: accessibility`).toBe('');
  }
}

/** The same view at both sizes: the minimum window (with axe) and 1280 × 800. */
async function atBothSizes(app: AppUnderTest, name: string, options: { readme?: boolean } = {}) {
  await app.page.setViewportSize(MIN_WINDOW);
  await check(app, name);
  await app.page.setViewportSize(LARGE);
  await check(app, name, { axe: false, ...options });
  await app.page.setViewportSize(MIN_WINDOW);
}

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name, exact: true }).click();
const closeDialog = async (page: Page) => {
  await page.keyboard.press('Escape');
  await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
};

for (const colorScheme of ['light', 'dark'] as const) {
  describeWithKeyring(`every screen at the minimum window size and at 1280×800 (${colorScheme})`, () => {
    let app: AppUnderTest;
    beforeAll(async () => {
      app = await launchApp({
        colorScheme,
        keychain: realKeychain(),
        fakes: { vault: true },
        sessionServers: [{ name: 'prod sessions', settings: { url: redis.url, connectTimeoutMs: 1_000, maxReconnectAttempts: 1 } }],
      });
      await app.page.setViewportSize(MIN_WINDOW);
    });
    afterAll(() => app?.close());

    it('welcome, then secrets with a revealed value, and every dialog of the secrets screen', async () => {
      const { page, core } = app;
      await expect.poll(() => page.getByRole('heading', { name: 'Welcome to Latchkey' }).isVisible()).toBe(true);
      await check(app, 'welcome');

      await core.projects.createProject('payments');
      for (const environment of ['dev', 'staging', 'prod', LONG_ENVIRONMENT]) await core.projects.createEnvironment('payments', environment, environment === 'prod' ? { protected: true } : {});
      await core.projects.createProject(LONG_PROJECT);
      await core.projects.createProject('empty-project');
      const vault = app.fakes.vault!;
      await core.connections.add('staging-vault', { kind: 'vault', address: vault.url, auth: { method: 'token' } }, { token: vault.createToken() });
      await core.projects.updateEnvironment('payments', 'staging', { binding: { backend: 'connection', connection: 'staging-vault', prefix: 'payments/staging/' } }, {});
      const secrets: [string, string][] = [
        ['STRIPE_KEY', 'Stripe live key, owned by the payments team'],
        ['DATABASE_URL', 'primary Postgres'],
        ['STRIPE_WEBHOOK_SIGNING_SECRET_FOR_THE_EU_ACCOUNT', ''],
        ['SENTRY_DSN', 'error reporting'],
        ['REDIS_PASSWORD', ''],
        ['JWT_SIGNING_KEY', 'rotated by the platform team every 30 days'],
      ];
      for (const [key, note] of secrets) await core.secrets.create('payments', 'dev', key, `value-of-${key.toLowerCase()}`, note === '' ? {} : { note });
      // Four with a generator policy (Latchkey rotates them); the two Stripe keys are rotated by hand.
      for (const key of ['DATABASE_URL', 'SENTRY_DSN', 'REDIS_PASSWORD', 'JWT_SIGNING_KEY']) await core.rotation.setPolicy('payments', 'dev', key, { generator: 'password' });
      await core.secrets.create('payments', 'staging', 'STRIPE_KEY', 'staging-stripe');
      await page.reload();
      await page.getByRole('button', { name: 'payments', exact: true }).click();

      await expect.poll(() => page.locator('tr.secret-row').count()).toBe(secrets.length);
      await page.getByRole('button', { name: 'Reveal STRIPE_KEY' }).click();
      await expect.poll(() => page.getByTestId('revealed-value').count()).toBe(1);
      await atBothSizes(app, 'secrets', { readme: true });
      await page.getByRole('button', { name: 'Hide STRIPE_KEY' }).click();

      await page.getByRole('button', { name: 'New secret' }).click();
      await check(app, 'new-secret');
      await closeDialog(page);
      await page.getByRole('button', { name: 'Edit STRIPE_KEY' }).click();
      await check(app, 'edit-secret');
      await closeDialog(page);
      await page.getByRole('button', { name: 'Rotation policy of STRIPE_KEY' }).click();
      await page.getByRole('dialog', { name: 'Rotation of STRIPE_KEY' }).getByLabel('Generator').waitFor();
      await check(app, 'policy');
      await closeDialog(page);
      await page.getByRole('button', { name: 'History of STRIPE_KEY' }).click();
      await page.getByRole('list', { name: 'Versions' }).waitFor();
      await check(app, 'history');
      await closeDialog(page);
      await page.getByRole('button', { name: '.env' }).click();
      await check(app, 'env-menu');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Settings of dev' }).click();
      await check(app, 'environment-settings');
      await closeDialog(page);
      await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
      await check(app, 'shortcuts');
      await closeDialog(page);
      await page.getByRole('tab', { name: /staging/ }).click();
      await expect.poll(() => page.locator('tr.secret-row').count()).toBe(1);
      await check(app, 'secrets-on-vault');
    });

    it('the sidebar with long names, a project without environments, and the project dialog', async () => {
      const { page } = app;
      await page.getByRole('tab', { name: new RegExp(LONG_ENVIRONMENT) }).click();
      await check(app, 'long-names');
      await page.getByRole('button', { name: 'empty-project', exact: true }).click();
      await page.getByRole('heading', { name: 'empty-project has no environments' }).waitFor();
      await check(app, 'no-environment');
      await page.getByRole('button', { name: 'Settings of project payments' }).click();
      await check(app, 'project-dialog');
      await closeDialog(page);
      await page.getByRole('button', { name: 'payments', exact: true }).click();
    });

    it('sessions: search results, a drilled-down device, analytics, and the session server dialogs', async () => {
      const { page } = app;
      await nav(page, 'Sessions');
      await page.getByLabel('Search by device').fill('watch-lost-7');
      await page.getByLabel('Search by device').press('Enter');
      await expect.poll(() => page.locator('.session-row:not(.loading)').count()).toBe(3);
      await atBothSizes(app, 'sessions-search');
      await page.locator('.session-row').first().getByRole('button', { name: 'watch-lost-7' }).click();
      await expect.poll(() => page.getByLabel('Device watch-lost-7').locator('tr[data-session]').count()).toBe(3);
      await atBothSizes(app, 'sessions-device', { readme: true });
      await page.getByRole('button', { name: 'Results' }).click();
      await page.getByRole('tab', { name: 'Analytics' }).click();
      await expect.poll(() => page.getByLabel('Session analytics').locator('.stat-card').count()).toBe(4);
      await atBothSizes(app, 'sessions-analytics');
      await page.getByRole('tab', { name: 'Search' }).click();
      await page.getByRole('button', { name: 'Session servers' }).click();
      await check(app, 'session-servers');
      await page.getByRole('dialog').getByRole('button', { name: 'Add session server' }).click();
      await page.getByRole('radio', { name: 'Cluster' }).click();
      await atBothSizes(app, 'session-server-new');
      await closeDialog(page);
      await page.getByRole('button', { name: 'Check a token' }).click();
      await check(app, 'check-token');
      await closeDialog(page);
      await page.getByRole('button', { name: 'New session' }).click();
      await check(app, 'new-session');
      await closeDialog(page);
    });

    it('connections: the list, a new connection, a test', async () => {
      const { page } = app;
      await nav(page, 'Connections');
      await expect.poll(() => page.locator('tr.connection-row').count()).toBe(1);
      await atBothSizes(app, 'connections');
      await page.getByRole('button', { name: 'Add connection' }).click();
      await page.getByRole('dialog', { name: 'New connection' }).getByLabel('Kind').selectOption({ label: 'AWS Secrets Manager' });
      await check(app, 'connection-new');
      await closeDialog(page);
      await page.getByRole('button', { name: 'Test connection staging-vault' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Run test' }).click();
      await expect.poll(() => page.locator('.step-passed').count()).toBe(3);
      await check(app, 'connection-test');
      await closeDialog(page);
    });

    it('services: the list before any service, and the new service dialog', async () => {
      const { page } = app;
      await nav(page, 'Services');
      await expect.poll(() => page.getByRole('button', { name: 'Add service' }).count()).toBeGreaterThan(0);
      await atBothSizes(app, 'services');
      await page.getByRole('button', { name: 'Add service' }).first().click();
      await expect.poll(() => page.getByRole('dialog', { name: 'New service' }).isVisible()).toBe(true);
      await check(app, 'service-new');
      await closeDialog(page);
    });

    it('incident: choice, preview and result; compare; audit; settings', async () => {
      const { page } = app;
      await nav(page, 'Incident');
      await page.getByLabel('Include payments/dev').check();
      await page.getByLabel('Include payments/prod').uncheck();
      await page.getByRole('button', { name: 'Preview' }).click();
      await expect.poll(() => page.getByRole('button', { name: /^Rotate 4 secrets/ }).count()).toBe(1);
      await atBothSizes(app, 'incident-preview');
      await page.getByRole('button', { name: /^Rotate 4 secrets/ }).click();
      await page.getByRole('dialog', { name: 'Start the incident rotation?' }).getByRole('button', { name: 'Rotate now' }).click();
      const result = page.getByRole('region', { name: 'Incident result' });
      await expect.poll(() => result.locator('.pill').first().textContent(), { timeout: 20_000 }).toBe('completed');
      await atBothSizes(app, 'incident', { readme: true });

      await nav(page, 'Compare');
      await expect.poll(() => page.locator('.diff-table tbody tr').count()).toBeGreaterThan(0);
      await atBothSizes(app, 'compare');
      await nav(page, 'Audit');
      await expect.poll(() => page.locator('.audit-table tbody tr').count()).toBeGreaterThan(0);
      await atBothSizes(app, 'audit');
      await nav(page, 'Settings');
      await atBothSizes(app, 'settings');
    });

    it('the lock screen', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Lock now' }).click();
      await page.getByRole('heading', { name: 'Latchkey is locked' }).waitFor();
      await atBothSizes(app, 'lock');
      await page.getByRole('button', { name: 'Unlock with the OS keychain' }).click();
      await page.getByRole('navigation').waitFor();
    });
  });
}
