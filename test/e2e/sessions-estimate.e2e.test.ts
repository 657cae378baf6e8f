import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { startRedis, type RedisServer } from '../harness/redis';
import { seedCreateSession } from '../harness/seed-session-server';
import { launchApp, type AppUnderTest } from './harness/launch';

/**
 * The dashboard of a very large keyspace, end to end: below the session server's threshold the exact
 * dashboard shows at once; with the threshold lowered to 100 keys in the session server's form (instead
 * of 2,000,000), a few hundred keys count as "very large": the estimate is shown first, with its ± and
 * the sample size, and *Exact count* replaces it with the walked counts.
 */
describeWithKeyring('sessions, end to end: the sampled estimate of a very large keyspace', () => {
  let server: RedisServer;
  let raw: Redis;
  let app: AppUnderTest;
  beforeAll(async () => {
    server = await startRedis();
    raw = new Redis(server.url);
    await Promise.all(Array.from({ length: 300 }, (_, i) => seedCreateSession(raw, { userId: `user-${i % 40}`, deviceId: `device-${i}`, metadata: { device_type: i % 3 === 0 ? 'tablet' : 'phone' } })));
    await Promise.all(Array.from({ length: 100 }, (_, i) => raw.set(`other-app:${i}`, 'x')));
    app = await launchApp({ colorScheme: 'light', keychain: realKeychain(), sessionServers: [{ name: 'big sessions', settings: { url: server.url } }] });
    await app.page.getByRole('button', { name: 'Sessions', exact: true }).click();
    await app.page.getByRole('heading', { name: 'Sessions' }).waitFor();
  });
  afterAll(async () => {
    await app?.close();
    raw?.disconnect();
    await server?.stop();
  });

  it('shows the estimate with its ± first, and Exact count replaces it with the walked counts', async () => {
    const { page } = app;
    // 400 keys: below the default threshold, the exact dashboard.
    await page.getByRole('tab', { name: 'Analytics' }).click();
    await expect.poll(() => page.getByTestId('stats-freshness').textContent()).toMatch(/300 keys walked/);
    expect(await page.getByTestId('estimate-summary').count()).toBe(0);

    await page.getByRole('tab', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Session servers' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Edit big sessions' }).click();
    await page.getByLabel('Dashboard: estimate above (keys)').fill('100');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    // Saved: the dialog closes, back on the session server just saved.
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    await page.getByRole('tab', { name: 'Analytics' }).click();
    const analytics = page.getByLabel('Session analytics');
    const summary = page.getByTestId('estimate-summary');
    await expect.poll(() => summary.textContent()).toMatch(/^≈ \d+ ± [\d.]+ % active sessions, from a sample of 20,000 keys, \d+(\.\d)? (ms|s)/);
    expect(await analytics.locator('.stat-card').first().textContent()).toMatch(/^≈ [\d,]+Active sessions \(estimated\) · ± [\d.]+ %$/);
    expect(await analytics.getByRole('region', { name: 'Sessions created per hour' }).textContent()).toContain('Not available from a sample');
    expect(await page.getByTestId('stats-freshness').count()).toBe(0);
    await app.screenshot('sessions-analytics-estimate');

    await analytics.getByRole('button', { name: 'Exact count' }).click();
    await expect.poll(() => page.getByLabel('Session analytics').locator('.stat-card').first().textContent()).toBe('300Active sessions');
    await expect.poll(() => page.getByTestId('stats-freshness').textContent()).toMatch(/300 keys walked/);
    expect(await page.getByTestId('estimate-summary').count()).toBe(0);
    expect(app.consoleErrors).toEqual([]);
  });
});
