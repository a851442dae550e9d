import { readFile } from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { RENDERER_CSP } from '../common/csp.js';

/** The scheme and host the renderer is served from; its origin is `app://hearth`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'hearth';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registered before `ready`: `standard` gives the scheme real origins and relative URLs, `secure`
 * makes it a secure context like https, `supportFetchAPI` lets the page fetch its own assets. No
 * `bypassCSP`, service workers, CORS or streaming: the renderer needs none of them.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

/** Maps a URL path to a file under `root`, or null when missing or outside it (provider/static-files.ts). */
export type StaticFileResolver = (root: string, urlPath: string) => Promise<{ path: string; contentType: string } | null>;

const SECURITY_HEADERS = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

/** Builds the `app://` handler: GET on host `hearth` only, files from `rendererRoot` via `resolve`, strict CSP. */
export function createAppProtocolHandler(rendererRoot: string, resolve: StaticFileResolver): (request: Request) => Promise<Response> {
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'Bad request.');
    }
    // Node parses `app:` as a non-special scheme and keeps the host's case; Chromium has already
    // lowercased it for a standard scheme, so an exact comparison refuses nothing legitimate.
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username !== '' || url.password !== '') {
      return plain(404, 'Not found.');
    }
    if (request.method !== 'GET') return plain(405, 'Method not allowed.', { Allow: 'GET' });
    const path = url.pathname === '/' || url.pathname === '' ? '/index.html' : url.pathname;
    const file = await resolve(rendererRoot, path);
    if (file === null) return plain(404, 'Not found.');
    let body: Uint8Array;
    try {
      body = new Uint8Array(await readFile(file.path));
    } catch {
      return plain(404, 'Not found.');
    }
    return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': file.contentType } });
  };
}

function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra } });
}
