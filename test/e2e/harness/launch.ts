import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createCore, type Core } from '../../../electron/core';
import type { Keychain } from '../../../electron/core/keychain';
import { createLogger } from '../../../electron/core/log';
import type { SessionServerSettings } from '../../../electron/core/sessions';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { lockGate } from '../../../electron/main/ipc/lock-gate';
import { createRouter } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { createEmitter } from '../../../electron/main/ipc/events';
import { createOperations } from '../../../electron/main/operations';
import type { ChoosePath } from '../../../electron/main/path-chooser';
import { watchForLock } from '../../../electron/main/lock-watch';
import { eventChannel, type EventName, type EventPayload } from '../../../shared/ipc/events';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { bundlePreloadForBrowser } from './preload-bundle';
import { serveRenderer } from './renderer-server';

/**
 * The app as a user meets it, minus the Electron binary: the built renderer in Debian's Chromium,
 * `window.latchkey` made by the real preload, every call going through the real router into a real
 * core (real files in a temporary XDG tree, the real keyring).
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
export const SCREENSHOTS = `${root}test-results/screenshots`;
export const CHROMIUM = process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium';

export interface AppUnderTest {
  page: Page;
  core: Core;
  xdg: TempXdg;
  clipboard: { text: string };
  logLines: string[];
  consoleErrors: string[];
  /** The wire-level fakes started for this app (launchApp's `fakes` option). */
  fakes: { vault?: VaultFake; aws?: AwsSecretsManagerFake };
  deliver<E extends EventName>(name: E, payload: EventPayload<E>): Promise<void>;
  /** Main's side of the app lock: its clock, its periodic check, and the OS events it listens to. */
  lock: {
    advance(ms: number): void;
    tick(): Promise<void>;
    emitPower(event: 'lock-screen' | 'suspend'): Promise<void>;
    /** How many input events the page has reported so far. */
    inputEvents(): number;
  };
  /** Into test-results/screenshots; with `readme`, also as the README's image docs/<name>-<scheme>.png. */
  screenshot(name: string, options?: { readme?: boolean }): Promise<void>;
  close(): Promise<void>;
}

let preload: Promise<string> | undefined;

function ensureRendererBuilt(): void {
  if (existsSync(`${root}out/renderer/index.html`)) return;
  const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('electron-vite build failed; the e2e tests need the built renderer');
}

export interface LaunchOptions {
  colorScheme: 'light' | 'dark';
  keychain: Keychain;
  clipboardClearMs?: number;
  /** Session servers saved before the page opens (the Sessions screen's); start the servers per test file. */
  sessionServers?: { name: string; settings: SessionServerSettings }[];
  /** Start wire-level fakes of these services on loopback (the app connects to them as to real ones). */
  fakes?: { vault?: boolean; aws?: boolean };
  /** Stands in for the OS file dialog (.env export and import, Mycelium import). */
  choosePath?: ChoosePath;
}

export async function launchApp(options: LaunchOptions): Promise<AppUnderTest> {
  ensureRendererBuilt();
  const fakes: AppUnderTest['fakes'] = {};
  if (options.fakes?.vault === true) fakes.vault = await VaultFake.start();
  if (options.fakes?.aws === true) fakes.aws = await AwsSecretsManagerFake.start();
  preload ??= bundlePreloadForBrowser();
  const xdg = await createTempXdg();
  const logLines: string[] = [];
  const logger = createLogger({ sink: (line) => logLines.push(line), level: 'debug' });
  // Main's clock runs with real time plus whatever a test adds (lock.advance), to reach an idle timeout.
  let clockOffset = 0;
  const core = createCore({ paths: xdg.paths, keychain: options.keychain, logger, now: () => new Date(Date.now() + clockOffset) });
  await core.lock.start();
  for (const server of options.sessionServers ?? []) await core.sessions.save(server);
  const server = await serveRenderer(`${root}out/renderer`);
  const clipboard = { text: '' };

  // Main's webContents.send(), for the page opened below.
  const opened: { page?: Page } = {};
  const send = async (channel: string, payload: unknown) => {
    const page = opened.page;
    if (page === undefined || page.isClosed()) return;
    try {
      await page.evaluate(([to, body]) => (window as unknown as { __latchkeyDeliver(c: string, p: unknown): void }).__latchkeyDeliver(to, body), [channel, payload] as const);
    } catch (error) {
      // An operation still reporting progress while the test closes or reloads the page has no one to
      // tell: Electron's webContents.send drops a message to a page that is gone or navigating, too.
      if (page.isClosed() || /Execution context was destroyed|navigation/i.test(error instanceof Error ? error.message : '')) return;
      throw error;
    }
  };
  const deliver = <E extends EventName>(name: E, payload: EventPayload<E>) => send(eventChannel(name), payload);
  const guard = createClipboardGuard({
    clipboard: { readText: () => clipboard.text, writeText: (text) => void (clipboard.text = text) },
    ...(options.clipboardClearMs === undefined ? {} : { clearAfterMs: options.clipboardClearMs }),
    onCleared: (reason) => void deliver('clipboard.cleared', { reason }),
  });
  // Main's events go through the real emitter (payloads parsed against their schemas).
  const emit = createEmitter({ target: () => ({ send: (channel, payload) => void send(channel, payload) }), logger });
  const router = createRouter({
    handlers: createHandlers({
      core,
      clipboard: guard,
      emit,
      operations: createOperations(emit),
      version: 'e2e',
      platform: process.platform,
      ...(options.choosePath === undefined ? {} : { choosePath: options.choosePath }),
    }),
    isTrustedSender: createSenderPolicy(`${server.url}/index.html`),
    logger,
    gate: lockGate(core.lock),
  });
  // The lock, wired as start-app.ts wires it. Electron's powerMonitor and the window's input events are
  // stood in for: the page reports its key, mouse and touch events through a binding (where Electron
  // gives main the window's input events itself), and the periodic check runs when a test ticks.
  core.lock.subscribe(({ locked, reason }) => {
    void deliver('lock.changed', reason === undefined ? { locked } : { locked, reason });
    if (locked) void guard.clearIfUnchanged('lock');
  });
  const powerMonitor = Object.assign(new EventEmitter(), { getSystemIdleState: () => 'active' as const });
  const input = new EventEmitter();
  let lockChecks: (() => void) | undefined;
  watchForLock({
    lock: core.lock,
    powerMonitor,
    input,
    timers: { setInterval: (run) => (lockChecks = run), clearInterval: () => undefined },
  });

  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context: BrowserContext = await browser.newContext({ colorScheme: options.colorScheme, viewport: { width: 1280, height: 800 } });
  await context.exposeBinding('__latchkeyTransport', (source, channel: unknown, payload: unknown) =>
    router.handle(channel, { url: source.frame.url(), isMainFrame: source.frame.parentFrame() === null }, payload),
  );
  let inputEvents = 0;
  await context.exposeBinding('__latchkeyInput', (_source, type: string) => {
    inputEvents += 1;
    input.emit('input-event', {}, { type });
  });
  // Blink sends the page synthetic mouse moves (movement 0) when the layout changes under a resting
  // pointer; they are not input from the OS and Electron would not report them, so they are ignored.
  await context.addInitScript({
    content: `for (const [name, type] of [['keydown', 'keyDown'], ['mousedown', 'mouseDown'], ['mousemove', 'mouseMove'], ['wheel', 'mouseWheel'], ['touchstart', 'touchStart']]) window.addEventListener(name, (event) => { if (event.type !== 'mousemove' || event.movementX !== 0 || event.movementY !== 0) window.__latchkeyInput(type); }, { capture: true, passive: true });`,
  });
  await context.addInitScript({ content: await preload });
  const page = await context.newPage();
  opened.page = page;
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.clock.install();
  await page.goto(`${server.url}/index.html`);

  return {
    page,
    core,
    xdg,
    clipboard,
    logLines,
    consoleErrors,
    fakes,
    deliver,
    lock: {
      advance: (ms) => void (clockOffset += ms),
      async tick() {
        lockChecks?.();
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
      inputEvents: () => inputEvents,
      async emitPower(event) {
        powerMonitor.emit(event);
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    },
    async screenshot(name, shot = {}) {
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}/${name}-${options.colorScheme}.png` });
      if (shot.readme === true) await page.screenshot({ path: `${root}docs/${name}-${options.colorScheme}.png` });
    },
    async close() {
      await browser.close();
      await core.close();
      await server.close();
      await Promise.all([fakes.vault?.close(), fakes.aws?.close()]);
      await xdg.cleanup();
    },
  };
}
