import { readFile } from 'node:fs/promises';
import { extname, join, normalize, relative, sep, isAbsolute } from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './security';

/**
 * Serves the built renderer from `app://latchkey/…` instead of file://, so the page has a real origin
 * (the CSP's 'self' means only the app's own files) and cannot read arbitrary local files.
 */
export const appSchemePrivileges = {
  scheme: APP_SCHEME,
  // SECURITY: standard + secure gives the page a proper origin and a secure context; no CORS or fetch
  // access from other origins, no service workers.
  privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, allowServiceWorkers: false, bypassCSP: false },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Maps a request URL to a file of `root`, or undefined when it is not one of the app's own files. */
export function resolveAppFile(root: string, requestUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0')) return undefined;
  const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  const rel = relative(root, file);
  // SECURITY: the protocol serves only files inside the renderer build; "../" cannot escape it.
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return undefined;
  return file;
}

export function serveAppProtocol(protocol: Protocol, root: string, csp: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(root, request.url);
    const type = file === undefined ? undefined : CONTENT_TYPES[extname(file)];
    if (file === undefined || type === undefined) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': type,
          'Content-Security-Policy': csp,
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-store',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
