/**
 * The `electron` module as the real preload sees it, for the e2e page in Chromium: contextBridge puts
 * the API on window (frozen, non-writable); ipcRenderer.invoke goes to the Playwright binding that
 * calls the real main-process router; events from main arrive through __latchkeyDeliver, called by the
 * harness where Electron would call webContents.send.
 */
type Listener = (event: unknown, payload: unknown) => void;

interface E2eWindow {
  __latchkeyTransport?: (channel: string, payload: unknown) => Promise<unknown>;
  __latchkeyDeliver?: (channel: string, payload: unknown) => void;
}

const page = window as unknown as E2eWindow & Record<string, unknown>;
const listeners = new Map<string, Set<Listener>>();

page.__latchkeyDeliver = (channel, payload) => {
  for (const listener of listeners.get(channel) ?? []) listener({}, payload);
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    Object.defineProperty(window, key, { value: api, writable: false, configurable: false, enumerable: false });
  },
};

export const ipcRenderer = {
  invoke(channel: string, payload: unknown): Promise<unknown> {
    const transport = page.__latchkeyTransport;
    if (transport === undefined) return Promise.reject(new Error('e2e transport not bound'));
    return transport(channel, payload);
  },
  on(channel: string, listener: Listener) {
    if (!listeners.has(channel)) listeners.set(channel, new Set());
    listeners.get(channel)!.add(listener);
  },
  removeListener(channel: string, listener: Listener) {
    listeners.get(channel)?.delete(listener);
  },
};

export type IpcRendererEvent = unknown;
