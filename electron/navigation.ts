import { APP_HOST, APP_SCHEME } from './app-protocol.js';

/**
 * Hosts that links in the renderer may open in the person's browser. Kept short on purpose: each entry
 * is a place the app vouches for. Lowercase ASCII (punycode for IDN), exactly as URL.hostname gives it.
 */
export const ALLOWED_EXTERNAL_HOSTS: readonly string[] = ['github.com'];

/**
 * Only printable ASCII is accepted. The WHATWG parser silently drops or rewrites the rest: controls
 * and spaces are trimmed, tab and newline removed anywhere, a backslash becomes a slash in https
 * URLs, and IDNA maps fullwidth or other look-alike letters onto ASCII ones. Another parser (the OS
 * handler behind openExternal) may read such a string differently, so it is refused, not normalised.
 */
function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f || code === 0x5c) return false;
  }
  return true;
}

/** The canonical href to open when `url` is https on exactly a listed host, else null. */
export function externalUrlToOpen(url: string, allowedHosts: readonly string[]): string | null {
  if (typeof url !== 'string' || url.length > 4096 || !isPrintableAscii(url)) return null;
  // `https:github.com` and `https:/github.com` parse as https://github.com/; insist on the plain form.
  if (!/^https:\/\//i.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:') return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  // URL drops the default port (443), so any port left is a non-default one.
  if (parsed.port !== '') return null;
  if (!allowedHosts.some((host) => host.toLowerCase() === parsed.hostname)) return null;
  return parsed.href;
}

/** True when `url` may be opened in the person's browser: https, no credentials or port, listed host. */
export function isAllowedExternalUrl(url: string, allowedHosts: readonly string[]): boolean {
  return externalUrlToOpen(url, allowedHosts) !== null;
}

/** True only for URLs on the app's own origin, `app://hearth`. */
export function isAppUrl(url: string): boolean {
  if (typeof url !== 'string') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/** The part of an Electron event a guard needs. */
export type PreventableEvent = { preventDefault(): void };
type NavigationEvent = PreventableEvent & { url: string };

/** The parts of a WebContents the guards attach to (Electron's WebContents fits). */
export type GuardedContents = {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
};

const guarded = new WeakSet<object>();

/**
 * Denies every navigation, redirect, new window and webview that leaves `app://hearth`; a new-window
 * request for an allowed external URL is handed to `openExternal` (the person's browser) instead.
 * Attaching twice to the same contents is a no-op.
 */
export function attachNavigationGuards(
  contents: GuardedContents,
  openExternal: (url: string) => Promise<void> | void,
  allowedHosts: readonly string[] = ALLOWED_EXTERNAL_HOSTS,
): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  const stayInApp = (event: NavigationEvent): void => {
    if (!isAppUrl(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-frame-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const href = externalUrlToOpen(url, allowedHosts);
    if (href !== null) {
      // A browser that fails to open is not the renderer's problem; it must never reach it.
      Promise.resolve()
        .then(() => openExternal(href))
        .catch(() => undefined);
    }
    return { action: 'deny' };
  });
}

/** The parts of a Session whose permission handlers are replaced (Electron's Session fits). */
export type PermissionSession = {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler?: (handler: () => boolean) => void;
};

/** Refuses every permission request and check (camera, notifications, HID, …) in `session`. */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
}
