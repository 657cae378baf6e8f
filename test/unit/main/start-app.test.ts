import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrowserWindow, standIn, type StandInWebContents } from '../../stand-ins/electron';
import { startApp } from '../../../electron/main/start-app';
import { APP_URL } from '../../../electron/main/security';
import { listChannels } from '../../../shared/ipc/contract';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

/** The real main-process start-up, run against the stand-in `electron` module (test/stand-ins). */
describe('main process start-up (stand-in electron)', () => {
  let xdg: TempXdg;
  let rendererDir: string;

  const start = async () => {
    const started = startApp({ env: xdg.env, rendererDir, preloadPath: '/app/out/preload/index.js' });
    standIn.state.app.becomeReady();
    return started;
  };
  const window = () => BrowserWindow.created[0]!;
  const contents = () => window().webContents as unknown as StandInWebContents;

  beforeEach(async () => {
    standIn.reset();
    xdg = await createTempXdg();
    rendererDir = await mkdtemp(join(tmpdir(), 'latchkey-renderer-'));
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Latchkey</title>');
    await mkdir(join(rendererDir, 'assets'));
    await writeFile(join(rendererDir, 'assets', 'index.js'), 'console.log(1)');
    await writeFile(join(tmpdir(), 'latchkey-outside.html'), 'outside');
  });
  afterEach(async () => {
    await xdg.cleanup();
    await rm(rendererDir, { recursive: true, force: true });
  });

  it('creates one window with isolation, sandbox and no Node, loading app://latchkey', async () => {
    await start();
    expect(BrowserWindow.created).toHaveLength(1);
    const prefs = window().options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      preload: '/app/out/preload/index.js',
    });
    expect(window().loadedUrl).toBe(APP_URL);
    expect(standIn.state.app.sandboxEnabled).toBe(true);
  });

  it('quits without a window when another instance holds the lock', async () => {
    standIn.state.app.singleInstanceLock = false;
    expect(await start()).toBeUndefined();
    expect(standIn.state.app.quitCalls).toBe(1);
    expect(BrowserWindow.created).toHaveLength(0);
  });

  it('registers app:// as a standard, secure scheme and serves only the renderer build, with the CSP', async () => {
    await start();
    expect(standIn.state.privilegedSchemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, bypassCSP: false }) })]);
    const serve = standIn.state.protocolHandlers.get('app')!;
    const page = await serve({ url: 'app://latchkey/index.html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect((await serve({ url: 'app://latchkey/assets/index.js' })).status).toBe(200);
    for (const url of ['app://latchkey/../latchkey-outside.html', 'app://latchkey/%2e%2e/%2e%2e/etc/passwd', 'app://other/index.html', 'app://latchkey/%00', 'app://latchkey/%E0%A4%A']) {
      expect((await serve({ url })).status, url).toBe(404);
    }
  });

  it('sets the CSP header on every response and denies every permission', async () => {
    await start();
    const session = standIn.state.session;
    let headers: Record<string, string[]> | undefined;
    session.headersHandler!({ responseHeaders: { 'X-Other': ['1'] } }, (response) => (headers = response.responseHeaders));
    expect(headers?.['Content-Security-Policy']?.[0]).toContain("default-src 'none'");
    expect(headers?.['X-Other']).toEqual(['1']);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | undefined;
      session.permissionRequestHandler!({}, permission, (answer) => (granted = answer));
      expect(granted, permission).toBe(false);
    }
    expect(session.permissionCheckHandler!()).toBe(false);
    expect(session.devicePermissionHandler!()).toBe(false);
  });

  it('blocks navigation, redirects, webviews and new windows; opens only allow-listed links outside', async () => {
    await start();
    expect(contents().emitCancellable('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents().emitCancellable('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents().emitCancellable('will-attach-webview', {}, {})).toBe(true);
    expect(contents().windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents().windowOpenHandler!({ url: 'https://developer.hashicorp.com/vault/docs' })).toEqual({ action: 'deny' });
    expect(contents().windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents().windowOpenHandler!({ url: 'https://github.com@evil.example/latchkey-app/' })).toEqual({ action: 'deny' });
    expect(contents().windowOpenHandler!({ url: 'https://github.com.evil.example/latchkey-app/' })).toEqual({ action: 'deny' });
    expect(contents().windowOpenHandler!({ url: 'http://developer.hashicorp.com/vault/docs' })).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(standIn.state.openedExternally).toEqual(['https://developer.hashicorp.com/vault/docs']);
  });

  it('registers every contract channel, and refuses calls from other web contents or frames', async () => {
    await start();
    expect([...standIn.state.ipcHandlers.keys()].sort()).toEqual(listChannels().map((info) => info.channel).sort());
    const handler = standIn.state.ipcHandlers.get('latchkey:projects.create')!;
    const ownFrame = { url: APP_URL, parent: null };
    const stranger = new BrowserWindow({}).webContents;
    expect(await handler({ sender: stranger, senderFrame: ownFrame }, { name: 'x' })).toMatchObject({ ok: false, error: { kind: 'PermissionDenied' } });
    expect(await handler({ sender: contents(), senderFrame: { url: APP_URL, parent: {} } }, { name: 'x' })).toMatchObject({ ok: false, error: { kind: 'PermissionDenied' } });
    expect(await handler({ sender: contents(), senderFrame: null }, { name: 'x' })).toMatchObject({ ok: false, error: { kind: 'PermissionDenied' } });
    expect(await handler({ sender: contents(), senderFrame: ownFrame }, { name: 'x' })).toEqual({ ok: true, value: {} });
  });

  it("cancels the window's operations when its page reloads or its renderer crashes", async () => {
    const started = (await start())!;
    const hanging = (id: string) => started.operations.run(id, (signal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('cancelled'))));
    const beforeReload = hanging('walk-before-reload');
    contents().emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: APP_URL });
    expect(await beforeReload).toBe('cancelled');
    const beforeCrash = hanging('walk-before-crash');
    contents().emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(await beforeCrash).toBe('cancelled');
  });

  it('clears a copied secret from the clipboard on quit, and tells the window', async () => {
    const started = (await start())!;
    await started.clipboardGuard.copy('copied-secret');
    expect(standIn.state.clipboardText).toBe('copied-secret');
    standIn.state.app.quit();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(standIn.state.clipboardText).toBe('');
    expect(contents().sent).toContainEqual({ channel: 'latchkey-event:clipboard.cleared', payload: { reason: 'quit' } });
    expect(standIn.state.app.quitCalls).toBe(2);
  });

  describe('the app lock, wired to powerMonitor, window input and a controllable clock', () => {
    const ownFrame = { url: APP_URL, parent: null };
    const startWithClock = async () => {
      const clock = { now: Date.parse('2026-01-01T09:00:00Z') };
      const ticks: (() => void)[] = [];
      const started = startApp({
        env: xdg.env,
        rendererDir,
        preloadPath: '/p.js',
        keychain: createMemoryKeychain(),
        now: () => new Date(clock.now),
        lockTimers: { setInterval: (run) => ticks.push(run), clearInterval: () => undefined },
      });
      standIn.state.app.becomeReady();
      const app = (await started)!;
      await app.core.refs.set('file://demo/dev/API_KEY', 'canary-start-app-lock');
      const call = (channel: string, payload: unknown) => standIn.state.ipcHandlers.get(channel)!({ sender: contents(), senderFrame: ownFrame }, payload);
      const tick = async () => {
        for (const run of ticks) run();
        await new Promise((resolve) => setTimeout(resolve, 0));
      };
      return { app, clock, tick, call };
    };
    const reveal = { project: 'demo', environment: 'dev', key: 'API_KEY' };

    it('locks on suspend and on an OS screen lock: calls refused, the window told, the clipboard cleared', async () => {
      const { app, call } = await startWithClock();
      expect(await call('latchkey:secrets.copy', reveal)).toMatchObject({ ok: true });
      expect(standIn.state.clipboardText).toBe('canary-start-app-lock');
      standIn.state.powerMonitor.emit('suspend');
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(await call('latchkey:secrets.reveal', reveal)).toMatchObject({ ok: false, error: { kind: 'Locked' } });
      expect(contents().sent).toContainEqual({ channel: 'latchkey-event:lock.changed', payload: { locked: true, reason: 'suspend' } });
      expect(contents().sent).toContainEqual({ channel: 'latchkey-event:clipboard.cleared', payload: { reason: 'lock' } });
      expect(standIn.state.clipboardText).toBe('');
      expect(await call('latchkey:lock.unlock', {})).toEqual({ ok: true, value: {} });
      expect(contents().sent).toContainEqual({ channel: 'latchkey-event:lock.changed', payload: { locked: false } });
      standIn.state.powerMonitor.emit('lock-screen');
      expect(app.core.lock.isLocked()).toBe(true);
    });

    it('locks after 5 idle minutes; input in the window keeps it open', async () => {
      const { clock, tick, call } = await startWithClock();
      clock.now += 4 * 60_000;
      contents().emit('input-event', {}, { type: 'mouseMove' });
      clock.now += 4 * 60_000;
      await tick();
      expect(await call('latchkey:secrets.reveal', reveal)).toMatchObject({ ok: true });
      // IPC calls are not activity: a page cannot keep the app open by calling main.
      clock.now += 60_000;
      await tick();
      expect(await call('latchkey:secrets.reveal', reveal)).toMatchObject({ ok: false, error: { kind: 'Locked' } });
      expect(contents().sent).toContainEqual({ channel: 'latchkey-event:lock.changed', payload: { locked: true, reason: 'idle' } });
    });

    it('locks when the OS reports its screen locked (where it emits no lock-screen event)', async () => {
      const { app, tick } = await startWithClock();
      standIn.state.powerMonitor.idleState = 'locked';
      await tick();
      expect(await app.core.lock.status()).toMatchObject({ locked: true, reason: 'os-lock' });
    });
  });

  it('loads the Vite dev server only in an unpackaged app, with a CSP that allows it', async () => {
    standIn.state.app.isPackaged = false;
    const started = startApp({ env: { ...xdg.env, ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, rendererDir, preloadPath: '/p.js' });
    standIn.state.app.becomeReady();
    await started;
    expect(window().loadedUrl).toBe('http://localhost:5173/');
    standIn.reset();
    const packaged = startApp({ env: { ...xdg.env, ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, rendererDir, preloadPath: '/p.js' });
    standIn.state.app.becomeReady();
    await packaged;
    expect(BrowserWindow.created[0]!.loadedUrl).toBe(APP_URL);
  });
});
