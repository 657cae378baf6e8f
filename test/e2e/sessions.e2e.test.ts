import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../electron/core/log';
import { openSessionRedis, REDIS_PASSWORD_SERVICE, SessionStore } from '../../electron/core/sessions';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { startRedis, type RedisServer } from '../harness/redis';
import { seedCreateSession, seedValidateSession, type SeedSession } from '../harness/seed-session-server';
import { launchApp, type AppUnderTest } from './harness/launch';
import { reactStateText } from './harness/react-state';

/**
 * The Sessions screen end to end: the built renderer in Chromium, the real preload and router, a real
 * core on a real redis-server (one for this file) holding sessions written by the seed's server code.
 */
let server: RedisServer;
let raw: Redis;
const HOUR = 3_600_000;
const EDITOR_PASSWORD = 'canary-e2e-redis-pw-51c0';

beforeAll(async () => {
  server = await startRedis();
  raw = plainClient();
});
afterAll(async () => {
  raw?.disconnect();
  await server?.stop();
});

/** The test's own client, for writing as the API server would (it sees Redis go down too). */
function plainClient(): Redis {
  const client = new Redis(server.url);
  client.on('error', () => undefined);
  return client;
}

/** A morning of traffic: phones, watches and tablets over the last hours, and the lost watch of alice. */
async function seedTraffic(): Promise<{ lost: SeedSession[]; kept: SeedSession }> {
  await raw.flushdb();
  const kinds = [
    { device_type: 'phone', os: 'iOS 17', app_version: '4.2.0' },
    { device_type: 'phone', os: 'Android 14', app_version: '4.2.0' },
    { device_type: 'wearable', os: 'watchOS 10', app_version: '4.1.3' },
    { device_type: 'wearable', os: 'wearOS 4', app_version: '4.2.0' },
    { device_type: 'tablet', os: 'iPadOS 17', app_version: '4.0.9' },
  ];
  const background = Array.from({ length: 60 }, (_, i) =>
    seedCreateSession(raw, { userId: `user-${i % 23}`, deviceId: `device-${i}`, metadata: kinds[i % kinds.length]!, now: new Date(Date.now() - ((i * 7) % 22) * HOUR - 60_000) }),
  );
  await Promise.all(background);
  const watch = { device_type: 'wearable', os: 'wearOS 4', app_version: '4.2.0' };
  const lost = [
    await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-lost-7', metadata: watch, now: new Date(Date.now() - 5 * HOUR) }),
    await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-lost-7', metadata: watch, now: new Date(Date.now() - 2 * HOUR) }),
  ];
  const kept = await seedCreateSession(raw, { userId: 'alice', deviceId: 'phone-alice', metadata: kinds[0]! });
  // A session Latchkey created (indexed), and failed validations over the last hours, counted by the real store.
  const logger = createLogger({ level: 'error' });
  for (const hoursAgo of [0, 1, 1, 3, 3, 3, 6]) {
    const redis = await openSessionRedis({ url: server.url }, { logger });
    const store = new SessionStore({ redis, logger, now: () => new Date(Date.now() - hoursAgo * HOUR) });
    await store.validate(`wrong-token-${hoursAgo}`);
    if (hoursAgo === 0) lost.push(await store.create({ userId: 'alice', deviceId: 'watch-lost-7', metadata: watch }));
    await redis.close();
  }
  return { lost, kept };
}

for (const colorScheme of ['light', 'dark'] as const) {
  describeWithKeyring(`sessions, end to end (${colorScheme})`, () => {
    let app: AppUnderTest;
    let traffic: Awaited<ReturnType<typeof seedTraffic>>;
    beforeAll(async () => {
      traffic = await seedTraffic();
      app = await launchApp({
        colorScheme,
        keychain: realKeychain(),
        clipboardClearMs: 1500,
        sessionServers: [{ name: 'prod sessions', settings: { url: server.url, connectTimeoutMs: 1_000, maxReconnectAttempts: 1 } }],
      });
      await app.page.getByRole('button', { name: 'Sessions', exact: true }).click();
      await app.page.getByRole('heading', { name: 'Sessions' }).waitFor();
    });
    afterAll(() => app?.close());

    it('lost device: find it, see its sessions, revoke them all after a confirmation with the count and the user', async () => {
      const { page } = app;
      await page.getByLabel('Search by device').fill('watch-lost-7');
      await page.getByLabel('Search by device').press('Enter');
      await expect.poll(() => page.getByTestId('results-count').textContent()).toBe('3 sessions of device watch-lost-7');
      await expect.poll(() => page.locator('.session-row:not(.loading)').count()).toBe(3);
      await app.screenshot('sessions-search');

      await page.locator('.session-row').first().getByRole('button', { name: 'watch-lost-7' }).click();
      const device = page.getByLabel('Device watch-lost-7');
      await expect.poll(() => device.getByText('3 sessions live', { exact: false }).count()).toBe(1);
      await expect.poll(() => device.getByLabel('Users on this device').textContent()).toContain('alice');
      expect(await device.getByLabel('Metadata').textContent()).toContain('wearOS 4');
      expect(await device.locator('tr[data-session]').count()).toBe(3);
      await app.screenshot('sessions-device');

      await device.getByRole('button', { name: 'Revoke all' }).click();
      const confirmation = page.getByRole('dialog', { name: 'Revoke all sessions of device watch-lost-7?' });
      await expect.poll(() => confirmation.textContent()).toContain('3 sessions of user alice will end on device watch-lost-7');
      await app.screenshot('sessions-revoke-confirmation');
      await confirmation.getByRole('button', { name: 'Revoke 3 sessions' }).click();

      await expect.poll(() => page.getByRole('status', { name: 'Revocation result' }).textContent()).toContain('Revoked 3 sessions of device watch-lost-7.');
      await expect.poll(() => device.getByText('No live sessions — they were revoked.').count()).toBe(1);
      await app.screenshot('sessions-revoked');

      // The API server no longer accepts the lost watch's tokens; alice's phone still works.
      for (const session of traffic.lost) expect(await seedValidateSession(raw, session.token)).toBeUndefined();
      expect(await seedValidateSession(raw, traffic.kept.token)).toBeDefined();
      const audit = await app.core.audit.query({ actions: ['session.revoke'] });
      expect(audit.map((entry) => [entry.outcome, entry.sessions, entry.counts])).toEqual([
        ['started', { scope: 'device', device_id: 'watch-lost-7' }, undefined],
        ['ok', { scope: 'device', device_id: 'watch-lost-7' }, { revoked: 3 }],
      ]);
      await page.getByRole('button', { name: 'Results' }).click();
      // The results behind the device view were read again at once, not at the next 30 s refresh:
      // no revoked session is shown as live.
      await expect.poll(() => page.getByTestId('results-count').textContent()).toBe('0 sessions of device watch-lost-7');
      expect(await page.locator('.session-row:not(.loading)').count()).toBe(0);
    });

    it('shows the analytics dashboard: active sessions by type, OS and version; created and failed validations per hour', async () => {
      const { page } = app;
      await page.getByRole('tab', { name: 'Analytics' }).click();
      const analytics = page.getByLabel('Session analytics');
      await expect.poll(() => analytics.locator('.stat-card').first().textContent()).toBe('61Active sessions');
      const card = (name: string) => analytics.getByRole('region', { name, exact: true });
      expect(await card('By device type').textContent()).toContain('phone');
      expect(await card('By OS').locator('li').count()).toBe(5);
      expect(await card('Sessions created per hour').locator('rect.column').count()).toBe(24);
      expect(await card('Failed validations per hour').textContent()).toContain('7 in 24 h');
      await app.screenshot('sessions-analytics');
      await page.getByRole('tab', { name: 'Search' }).click();
    });

    it('creates a session for a device: the token is shown once, copied through main, then gone from the page', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'New session' }).click();
      const dialog = page.getByRole('dialog', { name: 'New session' });
      await dialog.getByLabel('User id').fill('bob');
      await dialog.getByLabel('Device id').fill('watch-new-1');
      await dialog.getByLabel('Device type').fill('wearable');
      await dialog.getByRole('button', { name: 'Create session' }).click();
      const shown = page.getByTestId('created-token');
      await expect.poll(() => shown.count()).toBe(1);
      const token = (await shown.textContent()) ?? '';
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await seedValidateSession(raw, token)).toMatchObject({ userId: 'bob', deviceId: 'watch-new-1', metadata: { device_type: 'wearable' } });
      expect(await reactStateText(page)).toContain(token); // the check below can see it where it is
      await app.screenshot('sessions-token-once');

      await page.getByRole('button', { name: 'Copy token' }).click();
      await expect.poll(() => app.clipboard.text).toBe(token);
      await page.clock.runFor(61_000);
      await expect.poll(() => page.getByTestId('token-hidden').count()).toBe(1);
      expect(await page.content()).not.toContain(token);
      await page.getByRole('button', { name: 'Done' }).click();
      await expect.poll(() => app.clipboard.text, { timeout: 10_000 }).toBe('');

      // Nowhere else in the page either: not in storage, and not anywhere in the renderer's heap.
      const storage = await page.evaluate(async () => ({ local: window.localStorage.length, session: window.sessionStorage.length, databases: (await indexedDB.databases()).length }));
      expect(storage).toEqual({ local: 0, session: 0, databases: 0 });
      expect(await reactStateText(page)).not.toContain(token);
      expect(await heapContains(app, token)).toBe(false);
      expect(app.logLines.join('\n')).not.toContain(token);
    });

    it('left no console or CSP errors', () => {
      expect(app.consoleErrors).toEqual([]);
    });
  });
}

describeWithKeyring('sessions, end to end: a Redis that goes down, and 100,000 rows', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    await raw.flushdb();
    app = await launchApp({
      colorScheme: 'light',
      keychain: realKeychain(),
      sessionServers: [{ name: 'prod sessions', settings: { url: server.url, connectTimeoutMs: 1_000, maxReconnectAttempts: 1 } }],
    });
    await app.page.getByRole('button', { name: 'Sessions', exact: true }).click();
  });
  afterAll(() => app?.close());

  it('adds a session server in the editor: the password goes to the keychain, Test connection says what answered', async () => {
    const { page } = app;
    const guarded = await startRedis({ password: EDITOR_PASSWORD, args: ['--requirepass', EDITOR_PASSWORD] });
    try {
      await page.getByRole('button', { name: 'Session servers', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Session servers' });
      await dialog.getByRole('button', { name: 'Add session server' }).click();
      const editor = page.getByRole('dialog', { name: 'New session server' });
      await editor.getByLabel('Name').fill('guarded');
      await editor.getByLabel(/^URL/).fill(`redis://127.0.0.1:${guarded.port}`);
      await editor.getByRole('button', { name: 'Test connection' }).click();
      await expect.poll(() => editor.getByRole('alert').textContent()).toContain('requires a password');
      await editor.getByLabel('Password', { exact: true }).fill(EDITOR_PASSWORD);
      await editor.getByRole('button', { name: 'Test connection' }).click();
      await expect.poll(() => editor.getByRole('status').textContent()).toContain(`Connected to 127.0.0.1:${guarded.port} (Redis`);
      await app.screenshot('sessions-connection-editor');
      await editor.getByRole('button', { name: 'Add session server' }).click();
      await expect.poll(() => page.getByLabel('Session server', { exact: true }).inputValue()).toBe('guarded');

      const stored = (await app.core.config.read()).sessionServers.find((server) => server.name === 'guarded')!;
      expect(await realKeychain().getPassword(REDIS_PASSWORD_SERVICE, stored.redis.passwordAccount!)).toBe(EDITOR_PASSWORD);
      expect(await readFile(app.core.config.path, 'utf8')).not.toContain(EDITOR_PASSWORD);
      await page.getByRole('tab', { name: 'Analytics' }).click();
      await expect.poll(() => page.getByLabel('Session analytics').locator('.stat-card').first().textContent()).toBe('0Active sessions');

      // Removing it forgets the password too.
      await page.getByRole('button', { name: 'Session servers', exact: true }).click();
      await page.getByRole('button', { name: 'Remove guarded' }).click();
      await page.getByRole('button', { name: 'Remove session server' }).click();
      await expect.poll(() => realKeychain().getPassword(REDIS_PASSWORD_SERVICE, stored.redis.passwordAccount!)).toBeNull();
      await page.getByRole('dialog', { name: 'Session servers' }).getByRole('button', { name: 'Close' }).click();
      await page.getByRole('tab', { name: 'Search' }).click();
      expect(app.logLines.join('\n')).not.toContain(EDITOR_PASSWORD);
    } finally {
      await guarded.stop();
    }
  });

  it('checks a pasted token, extends and revokes one session, then revokes all of a user', async () => {
    const { page } = app;
    const carol = await Promise.all(['phone-c', 'watch-c', 'tablet-c'].map((deviceId) => seedCreateSession(raw, { userId: 'carol', deviceId, ttlHours: 2 })));

    await page.getByRole('button', { name: 'Check a token' }).click();
    const check = page.getByRole('dialog', { name: 'Check a token' });
    await check.getByLabel('Token to check').fill(` ${carol[1]!.token}\n`);
    await check.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => check.getByRole('status').textContent()).toContain('of user carol on device watch-c');
    expect(await check.getByLabel('Token to check').inputValue()).toBe('');
    await check.getByLabel('Token to check').fill('not-a-real-token');
    await check.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => check.getByRole('status').textContent()).toContain('Not valid.');
    await check.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('radio', { name: 'User' }).click();
    await page.getByLabel('Search by user').fill('carol');
    await page.getByLabel('Search by user').press('Enter');
    await expect.poll(() => page.locator('.session-row:not(.loading)').count()).toBe(3);
    await page.locator(`.session-row:has-text("watch-c")`).click();
    const detail = page.getByRole('dialog', { name: `Session ${carol[1]!.id.slice(0, 12)}` });
    await detail.getByLabel('Hours to extend by').fill('5');
    await detail.getByRole('button', { name: 'Extend' }).click();
    await expect.poll(() => raw.ttl(`session:${carol[1]!.id}`)).toBeGreaterThan(6.9 * 3600);
    await detail.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Revoke session' }).click();
    await expect.poll(() => seedValidateSession(raw, carol[1]!.token)).toBeUndefined();
    await expect.poll(() => page.locator('.session-row:not(.loading)').count()).toBe(2);

    await page.getByRole('button', { name: 'Open user' }).click();
    await page.getByLabel('User carol').getByRole('button', { name: 'Revoke all' }).click();
    const confirmation = page.getByRole('dialog', { name: 'Revoke all sessions of user carol?' });
    await expect.poll(() => confirmation.textContent()).toContain('2 sessions of user carol will end, on 2 devices');
    await confirmation.getByRole('button', { name: 'Revoke 2 sessions' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Revocation result' }).textContent()).toContain('Revoked 2 sessions of user carol.');
    for (const session of carol) expect(await seedValidateSession(raw, session.token)).toBeUndefined();
    const audit = await app.core.audit.query({ actions: ['session.revoke', 'session.extend'] });
    expect(audit.map((entry) => [entry.action, entry.outcome, entry.sessions?.scope, entry.counts])).toEqual([
      ['session.extend', 'ok', 'session', { total: 1 }],
      ['session.revoke', 'ok', 'session', { revoked: 1 }],
      ['session.revoke', 'started', 'user', undefined],
      ['session.revoke', 'ok', 'user', { revoked: 2 }],
    ]);
    await page.getByRole('button', { name: 'Results' }).click();
    await page.getByRole('radio', { name: 'Device' }).click();
  });

  it('says clearly that Redis is down, keeps the rest of the app working, and Retry works once it is back', async () => {
    const { page } = app;
    await server.kill();
    await page.getByRole('tab', { name: 'Analytics' }).click();
    const alert = page.getByLabel('Session analytics').getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toMatch(/Redis at 127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED\)\. Check that it is running/);
    await app.screenshot('sessions-redis-down');

    // A search while it is down says why and counts nothing: no "0 sessions … so far" under the error.
    await page.getByRole('tab', { name: 'Search' }).click();
    await page.getByLabel('Search by device').fill('watch-lost-7');
    await page.getByLabel('Search by device').press('Enter');
    await expect.poll(() => page.locator('.banner-error').textContent(), { timeout: 15_000 }).toContain('is not reachable');
    expect(await page.getByTestId('results-count').count()).toBe(0);
    await page.getByRole('tab', { name: 'Analytics' }).click();

    // The rest of the app is unaffected.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect.poll(() => page.getByText(app.xdg.paths.stateDir).count()).toBe(1);
    await page.getByRole('button', { name: 'Sessions', exact: true }).click();
    await page.getByRole('tab', { name: 'Analytics' }).click();
    await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(1);

    await server.start();
    raw.disconnect();
    raw = plainClient();
    await seedCreateSession(raw, { userId: 'u', deviceId: 'd', metadata: { device_type: 'phone' } });
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.getByLabel('Session analytics').locator('.stat-card').first().textContent(), { timeout: 15_000 }).toBe('1Active sessions');
    expect(await alert.count()).toBe(0);
    await page.getByRole('tab', { name: 'Search' }).click();
  });

  it('streams a 100,000-row result into a table that keeps a bounded number of rows in the DOM', async () => {
    const { page } = app;
    await seedMany(100_000);
    await page.getByRole('radio', { name: 'All' }).click();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByTestId('results-count').textContent(), { timeout: 60_000 }).toBe('100,001 sessions');
    const rows = page.locator('.session-row');
    expect(await rows.count()).toBeLessThan(80);

    // Jump to the end: the last rows are fetched and shown; the DOM still holds only a window of rows.
    await page.locator('.results-body').evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await expect.poll(() => page.locator('.session-row[data-index="100000"]:not(.loading)').count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.count()).toBeLessThan(80);
    // And the middle, sorted by user: the order is applied in main, page by page.
    await page.getByRole('button', { name: 'User', exact: true }).click();
    await expect.poll(() => page.locator('[role="columnheader"][aria-sort="ascending"]').textContent()).toContain('User');
    // 'u' (written after the restart) sorts before 'user-0000'.
    await expect.poll(() => page.locator('.session-row[data-index="1"]:not(.loading) .col-user').textContent()).toBe('user-0000');
    await page.locator('.results-body').evaluate((element) => element.scrollTo({ top: element.scrollHeight / 2 }));
    await expect.poll(() => page.locator('.session-row[data-index="50000"]:not(.loading)').count(), { timeout: 15_000 }).toBe(1);
    const users = await page.locator('.session-row:not(.loading) .col-user').allTextContents();
    expect(users).toEqual([...users].sort());
    expect(await rows.count()).toBeLessThan(80);
    await app.screenshot('sessions-100k-rows');
    expect(app.consoleErrors).toEqual([]);
  });
});

describeWithKeyring('sessions, end to end: find by app version, preview, export, revoke', () => {
  let app: AppUnderTest;
  let exportDir: string;
  const chosen: string[] = [];
  let leaked: SeedSession[];
  let kept: SeedSession[];
  beforeAll(async () => {
    await raw.flushdb();
    exportDir = await mkdtemp(join(tmpdir(), 'latchkey-export-'));
    // 120 sessions of the leaked app version (more than the 100 above which the count must be typed), on 40 devices of 30 users.
    leaked = await Promise.all(Array.from({ length: 120 }, (_, i) => seedCreateSession(raw, { userId: `user-${i % 30}`, deviceId: `watch-${i % 40}`, metadata: { device_type: 'wearable', os: 'wearOS 4', app_version: '3.9.9' } })));
    kept = await Promise.all(Array.from({ length: 30 }, (_, i) => seedCreateSession(raw, { userId: `user-${i}`, deviceId: `phone-${i}`, metadata: { device_type: 'phone', os: 'iOS 17', app_version: '4.2.0' } })));
    app = await launchApp({
      colorScheme: 'light',
      keychain: realKeychain(),
      sessionServers: [{ name: 'prod sessions', settings: { url: server.url } }],
      choosePath: async (request) => {
        const path = join(exportDir, request.defaultPath ?? 'export');
        chosen.push(path);
        return path;
      },
    });
    await app.page.getByRole('button', { name: 'Sessions', exact: true }).click();
    await app.page.getByRole('heading', { name: 'Sessions' }).waitFor();
  });
  afterAll(async () => {
    await app?.close();
    if (exportDir !== undefined) await rm(exportDir, { recursive: true, force: true });
  });

  it('filters by app version, shows whose sessions they are, exports them (0600, no tokens), then revokes exactly those after a typed confirmation', async () => {
    const { page } = app;
    await page.getByRole('radio', { name: 'Filter' }).click();
    await page.getByLabel('Condition 1 field').fill('app_version');
    await page.getByLabel('Condition 1 value').fill('3.9.9');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByTestId('results-count').textContent()).toBe('120 sessions');
    expect(await page.getByTestId('results-owners').textContent()).toBe('30 users · 40 devices');
    await app.screenshot('sessions-filter');

    // Export: the file main writes where the person chose, readable only by them, without tokens.
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await expect.poll(() => chosen.length).toBe(1);
    await expect.poll(() => stat(chosen[0]!).then((file) => file.mode & 0o777).catch(() => -1)).toBe(0o600);
    const csv = (await readFile(chosen[0]!, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('id,user_id,device_id,created_at,expires_at,ttl_seconds,device_type,os,app_version,metadata');
    expect(csv.slice(1).map((line) => line.split(',')[0]).sort()).toEqual(leaked.map((s) => s.id).sort());
    await page.getByRole('button', { name: 'Export JSON' }).click();
    await expect.poll(() => chosen.length).toBe(2);
    await expect.poll(() => readFile(chosen[1]!, 'utf8').then((text) => (JSON.parse(text) as unknown[]).length).catch(() => -1)).toBe(120);
    expect((await stat(chosen[1]!)).mode & 0o777).toBe(0o600);
    const exported = (await readFile(chosen[0]!, 'utf8')) + (await readFile(chosen[1]!, 'utf8'));
    for (const session of [...leaked, ...kept]) expect(exported).not.toContain(session.token);

    // Revoke: the confirmation states the count and whose sessions; above 100 the count must be typed.
    await page.getByRole('button', { name: 'Revoke 120 sessions…' }).click();
    const confirmation = page.getByRole('dialog', { name: 'Revoke 120 sessions?' });
    await expect.poll(() => confirmation.textContent()).toContain('120 sessions of 30 users on 40 devices will be signed out');
    expect(await confirmation.getByRole('button', { name: 'Revoke 120 sessions' }).isDisabled()).toBe(true);
    await confirmation.getByLabel('Confirmation').fill('120');
    await app.screenshot('sessions-filter-revoke-confirmation');
    await confirmation.getByRole('button', { name: 'Revoke 120 sessions' }).click();
    // The search runs again and shows what is left: nothing of that version.
    await expect.poll(() => page.getByText('No live sessions match.').count()).toBe(1);

    for (const session of leaked) expect(await seedValidateSession(raw, session.token)).toBeUndefined();
    for (const session of kept) expect(await seedValidateSession(raw, session.token)).toBeDefined();
    const audit = await app.core.audit.query({ actions: ['session.revoke'] });
    expect(audit.map((entry) => [entry.outcome, entry.sessions, entry.counts])).toEqual([
      ['started', { scope: 'filter', filter: { where: [{ field: 'app_version', value: '3.9.9' }] } }, undefined],
      ['ok', { scope: 'filter', filter: { where: [{ field: 'app_version', value: '3.9.9' }] } }, { revoked: 120, matched: 120 }],
    ]);
  });

  it('shows when the dashboard was computed and how long it took, and refreshes on demand', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Analytics' }).click();
    const freshness = page.getByTestId('stats-freshness');
    await expect.poll(() => freshness.textContent()).toMatch(/^Computed (now|\d+ seconds? ago), took \d+(\.\d)? (ms|s) · 30 keys walked, counted on the session server/);
    expect(await page.getByLabel('Session analytics').locator('.stat-card').first().textContent()).toBe('30Active sessions');
    await seedCreateSession(raw, { userId: 'late', deviceId: 'late-phone', metadata: { device_type: 'phone' } });
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await expect.poll(() => page.getByLabel('Session analytics').locator('.stat-card').first().textContent()).toBe('31Active sessions');
    await app.screenshot('sessions-analytics-freshness');
    await page.getByRole('tab', { name: 'Search' }).click();
    expect(app.consoleErrors).toEqual([]);
  });
});

/** Writes `count` sessions in the seed's schema, pipelined (the seed server would take minutes). */
async function seedMany(count: number): Promise<void> {
  const created = new Date().toISOString().replace('Z', '+00:00');
  const expires = new Date(Date.now() + 24 * HOUR).toISOString().replace('Z', '+00:00');
  for (let start = 0; start < count; start += 10_000) {
    const pipeline = raw.pipeline();
    for (let i = start; i < Math.min(count, start + 10_000); i += 1) {
      const key = `session:${createHash('sha256').update(`token-${i}`).digest('hex')}`;
      pipeline.hset(key, { user_id: `user-${String(i % 5_000).padStart(4, '0')}`, device_id: `device-${i}`, created_at: created, expires_at: expires, metadata: '{"device_type": "phone"}' });
      pipeline.expire(key, 24 * 3600);
    }
    await pipeline.exec();
  }
}

/** Whether `text` is anywhere in the page's JavaScript heap, after a full garbage collection. */
async function heapContains(app: AppUnderTest, text: string): Promise<boolean> {
  const cdp = await app.page.context().newCDPSession(app.page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }: { chunk: string }) => void chunks.push(chunk));
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  return chunks.join('').includes(text);
}
