import { join } from 'node:path';
import { app, BrowserWindow, clipboard, dialog, powerMonitor, protocol, session, shell } from 'electron';
import { createCore } from '../core';
import { settleRotationsAtStart } from './settle-rotations';
import { createKeytarKeychain, type Keychain } from '../core/keychain';
import { createLogger } from '../core/log';
import { resolvePaths } from '../core/paths';
import { appSchemePrivileges, serveAppProtocol } from './app-protocol';
import { createClipboardGuard } from './clipboard-guard';
import { createExternalOpener } from './external-links';
import { createHandlers } from './handlers';
import { createEmitter } from './ipc/events';
import { lockGate } from './ipc/lock-gate';
import { registerRouter } from './ipc/register';
import { createRouter } from './ipc/router';
import { createSenderPolicy } from './ipc/sender-policy';
import { watchForLock, type LockWatchTimers } from './lock-watch';
import { createMainWindow } from './main-window';
import { cancelWithPage, createOperations } from './operations';
import { dialogPathChooser } from './path-chooser';
import { APP_URL, contentSecurityPolicy, hardenSession, hardenWebContents } from './security';

/**
 * Start-up, in order. Each step is a small module; this function only composes them.
 */
export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Folder of the built renderer (out/renderer) and the built preload script. */
  rendererDir?: string;
  preloadPath?: string;
  /** The OS keychain (keytar by default; tests pass a double). */
  keychain?: Keychain;
  /** The clock and timers of the app lock (tests drive them). */
  now?: () => Date;
  lockTimers?: LockWatchTimers;
}

export async function startApp(options: StartOptions = {}) {
  const env = options.env ?? process.env;
  const logger = createLogger({ level: 'info' });

  // SECURITY: one instance only, so two windows never race on the clipboard or the store.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  // SECURITY: every renderer is sandboxed, whatever options a window is created with.
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([appSchemePrivileges]);

  // The Vite dev server (npm run dev) only: a packaged or previewed app always loads app://latchkey.
  const devServer = !app.isPackaged && env.ELECTRON_RENDERER_URL !== undefined ? new URL(env.ELECTRON_RENDERER_URL) : undefined;
  const pageUrl = devServer?.href ?? APP_URL;
  const csp = contentSecurityPolicy(devServer === undefined ? {} : { devServer: devServer.origin });

  const openExternal = createExternalOpener(
    (url) => shell.openExternal(url),
    (url) => logger.warn('refused to open a link that is not allow-listed', { host: safeHost(url) }),
  );
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));

  await app.whenReady();
  hardenSession(session.defaultSession, csp, devServer === undefined ? {} : { devServerOrigin: devServer.origin });
  serveAppProtocol(protocol, options.rendererDir ?? join(__dirname, '../renderer'), csp);

  const core = createCore({ paths: resolvePaths(env), keychain: options.keychain ?? createKeytarKeychain(), logger, ...(options.now === undefined ? {} : { now: options.now }) });
  // With an app passphrase set, Latchkey starts locked.
  await core.lock.start();
  // Rotations an earlier run left half-done are settled in the background, once the store is unlocked.
  void settleRotationsAtStart(core, logger);
  const trustedContents = new Set<number>();
  // Events go to the window created below (the clipboard cannot clear before a copy, which needs it).
  const emit = createEmitter({ target: () => (window.isDestroyed() ? undefined : window.webContents), logger });
  const clipboardGuard = createClipboardGuard({ clipboard, onCleared: (reason) => emit('clipboard.cleared', { reason }) });

  const operations = createOperations(emit);
  const router = createRouter({
    handlers: createHandlers({
      core,
      clipboard: clipboardGuard,
      emit,
      operations,
      version: app.getVersion(),
      platform: process.platform,
      // .env export/import and Mycelium import: the person picks the file in the OS dialog, in main.
      choosePath: dialogPathChooser(dialog, () => (window.isDestroyed() ? undefined : window)),
    }),
    isTrustedSender: createSenderPolicy(pageUrl, trustedContents),
    logger,
    // SECURITY: while locked, every call but the lock screen's is refused before core sees it.
    gate: lockGate(core.lock),
  });
  registerRouter(router);

  const window: BrowserWindow = createMainWindow({ preload: options.preloadPath ?? join(__dirname, '../preload/index.js'), url: pageUrl });
  trustedContents.add(window.webContents.id);
  cancelWithPage(window.webContents, operations);

  // SECURITY: on lock the window hides every value and shows the lock screen, and a copied secret
  // leaves the clipboard.
  core.lock.subscribe(({ locked, reason }) => {
    emit('lock.changed', reason === undefined ? { locked } : { locked, reason });
    if (locked) {
      void clipboardGuard.clearIfUnchanged('lock');
      operations.cancelAll();
    }
  });
  const stopLockWatch = watchForLock({
    lock: core.lock,
    powerMonitor,
    input: window.webContents,
    ...(options.lockTimers === undefined ? {} : { timers: options.lockTimers }),
    onError: (error) => logger.error('lock: locking failed', { error }),
  });

  app.on('second-instance', () => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  // SECURITY: a secret copied to the clipboard does not outlive the app. Clearing is asynchronous, so
  // the first quit waits for it and then quits again.
  let clipboardSettled = false;
  app.on('before-quit', (event) => {
    if (clipboardSettled) return;
    event.preventDefault();
    void clipboardGuard.clearIfUnchanged('quit').finally(() => {
      clipboardSettled = true;
      app.quit();
    });
  });
  // A secrets console does not linger in the background once its window is closed (macOS included).
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', stopLockWatch);

  return { window, router, core, clipboardGuard, operations };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
