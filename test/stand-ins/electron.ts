/**
 * A stand-in for the `electron` module (the binary cannot be downloaded on CI machines). It implements
 * the part of Electron's API that Latchkey's main process and preload use, and records what they do
 * with it, so tests can check the real main-process code: window options, handlers, policies.
 * Aliased as `electron` in vitest.config.mts.
 */
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;

class StandInEmitter extends EventEmitter {
  /** Emits like Electron does for cancellable events; returns whether preventDefault() was called. */
  emitCancellable(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    const event = { preventDefault: () => (prevented = true) };
    this.emit(name, event, ...args);
    return prevented;
  }
}

let nextContentsId = 1;

export class StandInWebContents extends StandInEmitter {
  readonly id = nextContentsId++;
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | undefined;
  readonly mainFrame = { url: '', parent: null };
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }) {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends StandInEmitter {
  static readonly created: BrowserWindow[] = [];
  readonly webContents = new StandInWebContents();
  loadedUrl: string | undefined;
  shown = false;
  focused = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
    state.app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string) {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  show() {
    this.shown = true;
  }
  focus() {
    this.focused = true;
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
}

class StandInApp extends StandInEmitter {
  isPackaged = true;
  singleInstanceLock = true;
  sandboxEnabled = false;
  quitCalls = 0;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  requestSingleInstanceLock() {
    return this.singleInstanceLock;
  }
  enableSandbox() {
    this.sandboxEnabled = true;
  }
  quit() {
    this.quitCalls += 1;
    this.emitCancellable('before-quit');
  }
  getVersion() {
    return '0.0.0-test';
  }
  whenReady() {
    return this.ready ? Promise.resolve() : new Promise<void>((resolve) => this.readyWaiters.push(resolve));
  }
  /** Test control: fire `ready`. */
  becomeReady() {
    this.ready = true;
    for (const waiter of this.readyWaiters.splice(0)) waiter();
  }
}

export interface HeadersDetails {
  responseHeaders?: Record<string, string[]>;
}

class StandInSession {
  permissionRequestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | undefined;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | undefined;
  headersHandler: ((details: HeadersDetails, callback: (response: HeadersDetails) => void) => void) | undefined;
  beforeRequestHandler: ((details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void) | undefined;
  readonly webRequest = {
    onHeadersReceived: (handler: StandInSession['headersHandler']) => {
      this.headersHandler = handler;
    },
    onBeforeRequest: (handler: StandInSession['beforeRequestHandler']) => {
      this.beforeRequestHandler = handler;
    },
  };
  setPermissionRequestHandler(handler: StandInSession['permissionRequestHandler']) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: StandInSession['permissionCheckHandler']) {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: StandInSession['devicePermissionHandler']) {
    this.devicePermissionHandler = handler;
  }
}

class StandInPowerMonitor extends StandInEmitter {
  /** What getSystemIdleState answers; a test sets 'locked' to stand for an OS screen lock. */
  idleState: 'active' | 'idle' | 'locked' | 'unknown' = 'active';
  getSystemIdleState(_idleThresholdSeconds: number) {
    return this.idleState;
  }
}

function freshState() {
  return {
    app: new StandInApp(),
    powerMonitor: new StandInPowerMonitor(),
    session: new StandInSession(),
    privilegedSchemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
    ipcHandlers: new Map<string, Listener>(),
    clipboardText: '',
    openedExternally: [] as string[],
    exposed: new Map<string, unknown>(),
    rendererListeners: new Map<string, Set<Listener>>(),
    rendererInvoke: undefined as undefined | ((channel: string, payload: unknown) => Promise<unknown>),
  };
}

let state = freshState();

/** Test control surface. */
export const standIn = {
  get state() {
    return state;
  },
  reset() {
    state = freshState();
    BrowserWindow.created.length = 0;
  },
};

// `app` is a module-level singleton in Electron; here it forwards to the current state's instance so
// that reset() gives each test a fresh one.
export const app = new Proxy({} as StandInApp, {
  get: (_target, name) => {
    const value = Reflect.get(state.app, name, state.app) as unknown;
    return typeof value === 'function' ? (value as Listener).bind(state.app) : value;
  },
  set: (_target, name, value) => Reflect.set(state.app, name, value),
});
export const powerMonitor = new Proxy({} as StandInPowerMonitor, {
  get: (_target, name) => {
    const value = Reflect.get(state.powerMonitor, name, state.powerMonitor) as unknown;
    return typeof value === 'function' ? (value as Listener).bind(state.powerMonitor) : value;
  },
});
export const session = {
  get defaultSession() {
    return state.session;
  },
};
export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]) {
    state.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, handler: (request: { url: string }) => Promise<Response>) {
    state.protocolHandlers.set(scheme, handler);
  },
};
export const ipcMain = {
  handle(channel: string, listener: Listener) {
    if (state.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    state.ipcHandlers.set(channel, listener);
  },
  removeHandler(channel: string) {
    state.ipcHandlers.delete(channel);
  },
};
export const clipboard = {
  readText: async () => state.clipboardText,
  writeText: async (text: string) => {
    state.clipboardText = text;
  },
};
export const shell = {
  openExternal: async (url: string) => {
    state.openedExternally.push(url);
  },
};
/** File dialogs answer "cancelled" unless a test sets the next answer. */
export const dialog = {
  showSaveDialog: async () => ({ canceled: true, filePath: '' }),
  showOpenDialog: async () => ({ canceled: true, filePaths: [] as string[] }),
};
export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    state.exposed.set(key, api);
  },
};
export const ipcRenderer = {
  invoke(channel: string, payload: unknown) {
    if (state.rendererInvoke === undefined) throw new Error('stand-in: no invoke transport bound');
    return state.rendererInvoke(channel, payload);
  },
  on(channel: string, listener: Listener) {
    if (!state.rendererListeners.has(channel)) state.rendererListeners.set(channel, new Set());
    state.rendererListeners.get(channel)!.add(listener);
  },
  removeListener(channel: string, listener: Listener) {
    state.rendererListeners.get(channel)?.delete(listener);
  },
};

export type IpcRendererEvent = unknown;
export type IpcMainInvokeEvent = { sender: StandInWebContents; senderFrame: { url: string; parent: unknown } | null };
export default { app, session, protocol, ipcMain, clipboard, shell, dialog, contextBridge, ipcRenderer, BrowserWindow, powerMonitor };
