import type { Session, WebContents, WebPreferences } from 'electron';

/**
 * Every hardening setting of the app, in one place, each saying what it prevents. See Electron's
 * security checklist: https://www.electronjs.org/docs/latest/tutorial/security
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'latchkey';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** The page's Content-Security-Policy, sent by main with every response it serves. */
export function contentSecurityPolicy(options: { devServer?: string } = {}): string {
  const dev = options.devServer;
  return [
    // SECURITY: nothing loads unless allowed below: no remote scripts, frames, objects or fonts.
    "default-src 'none'",
    // SECURITY: only the app's own bundled scripts run — no inline script, no eval. (The Vite dev server
    // needs its inline HMR preamble; that relaxation exists only in `npm run dev`.)
    dev === undefined ? "script-src 'self'" : `script-src 'self' 'unsafe-inline' ${dev}`,
    dev === undefined ? "style-src 'self'" : `style-src 'self' 'unsafe-inline' ${dev}`,
    "img-src 'self' data:",
    "font-src 'self'",
    // SECURITY: the page talks to nothing on the network; all I/O goes through main over IPC.
    dev === undefined ? "connect-src 'none'" : `connect-src ${dev} ${dev.replace(/^http/, 'ws')}`,
    // SECURITY: no <base> hijacking, no form posts, no framing of the app by anything.
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    // SECURITY: the page's JavaScript runs in a world separate from the preload's, so it cannot reach
    // ipcRenderer or tamper with the preload's globals; it sees only window.latchkey.
    contextIsolation: true,
    // SECURITY: the renderer runs in the OS sandbox with no Node.js; a compromised page cannot touch files.
    sandbox: true,
    // SECURITY: no require() or process in the page or its workers.
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    // SECURITY: same-origin policy stays on; no http content in the https-like app:// page.
    webSecurity: true,
    allowRunningInsecureContent: false,
    // SECURITY: no <webview> (it could load remote content with its own preferences).
    webviewTag: false,
    // SECURITY: dropping a file or link on the window must not navigate away from the app.
    navigateOnDragDrop: false,
    // SECURITY: no experimental web platform features; a smaller attack surface.
    experimentalFeatures: false,
    // SECURITY: the spellchecker would send typed text (possibly a secret being typed) to a dictionary service on some platforms.
    spellcheck: false,
    safeDialogs: true,
  };
}

/**
 * The only URLs a page of the app may load: the app's own files, inline data, and — in `npm run dev`
 * only — the Vite dev server. Everything else (http, https, ws, file, ftp …) is cancelled by main.
 */
export function isAllowedRequest(url: string, devServerOrigin?: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:`) return parsed.host === APP_HOST;
  if (parsed.protocol === 'data:' || parsed.protocol === 'devtools:') return true;
  if (devServerOrigin === undefined) return false;
  const dev = new URL(devServerOrigin);
  const sameHost = parsed.host === dev.host;
  return sameHost && (parsed.protocol === dev.protocol || parsed.protocol === dev.protocol.replace(/^http/, 'ws'));
}

/** Session-wide policies: permissions, the CSP header, and no request leaves for the network. */
export function hardenSession(session: Session, csp: string, options: { devServerOrigin?: string } = {}): void {
  // SECURITY: Latchkey needs no camera, microphone, notifications, geolocation, MIDI, HID, serial or USB;
  // every permission request and check is refused.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // SECURITY: no remote content, whatever the page or an injected script asks for: main cancels every
  // request that is not for the app's own files (the CSP says the same; this does not rely on it).
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, options.devServerOrigin) }));
  // SECURITY: the CSP is set from main on every response (not only by a <meta> tag the page controls).
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}

/** Policies for every web contents the app ever creates. */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => void): void {
  // SECURITY: the app never navigates: a link, a redirect or injected script cannot take the window
  // (which holds the privileged preload) to another page.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  // SECURITY: no new windows; an allow-listed documentation link opens in the system browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
  // SECURITY: refuse any <webview> even if the tag were somehow enabled.
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
