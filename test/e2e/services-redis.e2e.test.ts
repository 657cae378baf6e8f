import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring } from '../harness/keyring';
import { startRedis, type RedisServer } from '../harness/redis';
import type { AppUnderTest } from './harness/launch';
import { launchWithSecret, removeServicesAndClose } from './harness/services-app';

// A Redis ACL rotator from the app, against a real redis-server started here on a free loopback port:
// the service added on the Services screen, the rotator attached in the policy dialog, one click on
// Rotate — then Redis itself: AUTH with the new password works, with the old one it is refused.

const KEY = 'REDIS_PASSWORD';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function logsIn(port: number, user: string, password: string): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', username: user, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch (error) {
    if (/WRONGPASS|Connection is closed/.test(String((error as Error).message))) return false;
    throw error;
  } finally {
    client.disconnect();
  }
}

describeWithKeyring('a Redis ACL rotator in the app, at a real Redis (light)', () => {
  let app: AppUnderTest;
  let server: RedisServer;
  const admin = `redis-e2e-admin-${randomBytes(8).toString('hex')}`;
  const old = `redis-e2e-old-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    server = await startRedis();
    const setup = new Redis({ port: server.port, host: '127.0.0.1' });
    await setup.call('ACL', 'SETUSER', 'admin', 'on', `#${sha256(admin)}`, '~*', '&*', '+@all');
    await setup.call('ACL', 'SETUSER', 'shop', 'on', `#${sha256(old)}`, '~*', '+@all');
    setup.disconnect();
    app = await launchWithSecret(KEY, old);
  });
  afterAll(async () => {
    await removeServicesAndClose(app);
    await server.stop();
  });

  it('adds the service, attaches the rotator, rotates by one click: Redis takes the new password and refuses the old', async () => {
    const { page } = app;
    expect(await logsIn(server.port, 'shop', old)).toBe(true);
    await page.getByRole('button', { name: 'Services' }).click();
    await page.getByRole('button', { name: 'Add service' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New service' });
    await dialog.getByLabel('Name', { exact: true }).fill('redis-e2e');
    await dialog.getByLabel('Kind').selectOption('redis');
    await dialog.getByLabel('Admin URL', { exact: true }).fill(`redis://admin:${admin}@127.0.0.1:${server.port}`);
    await dialog.getByRole('button', { name: 'Add service' }).click();
    await expect.poll(() => page.locator('tr.service-row[data-service="redis-e2e"]').textContent()).toContain('stored ✓');

    await page.getByRole('button', { name: 'Secrets' }).click();
    await page.getByRole('button', { name: `Rotation policy of ${KEY}` }).click();
    const policy = page.getByRole('dialog', { name: `Rotation of ${KEY}` });
    await policy.getByLabel('Service where it is checked').selectOption('redis-e2e');
    await policy.getByLabel('ACL user', { exact: true }).fill('shop');
    await policy.getByRole('button', { name: 'Test rotator' }).click();
    await expect.poll(() => policy.getByRole('list', { name: 'Test of the rotator at redis-e2e' }).locator('li.step-passed').count()).toBeGreaterThan(1);
    expect(await policy.locator('li.step-failed').count()).toBe(0);
    await policy.getByRole('button', { name: 'Save rotator' }).click();
    await expect.poll(() => policy.getByRole('note', { name: 'Rotation rule' }).textContent()).toContain('Rotated where it is checked');
    await policy.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: `Rotate ${KEY}` }).click();
    const panel = page.getByRole('region', { name: `Rotation of ${KEY} at redis-e2e` });
    await expect.poll(() => panel.getByRole('status').textContent(), { timeout: 30_000 }).toContain('is now version');
    expect(await panel.locator('li[data-step-state="passed"]').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Set at redis-e2e'), expect.stringContaining('Tested'), expect.stringContaining('Old credential tried again: refused')]),
    );

    const rotated = (await app.core.secrets.reveal('shop', 'dev', KEY)).value;
    expect(rotated).not.toBe(old);
    expect(await logsIn(server.port, 'shop', rotated)).toBe(true);
    expect(await logsIn(server.port, 'shop', old)).toBe(false);
    const content = await page.content();
    for (const secret of [rotated, old, admin]) expect(content).not.toContain(secret);
    expect(app.consoleErrors).toEqual([]);
  });
});
