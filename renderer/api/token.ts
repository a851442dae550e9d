/**
 * The headless dashboard's access token. `hearth start` prints a link ending in `#token=<hex>`; the
 * fragment never reaches the server or its logs. On load the token moves into sessionStorage (so a
 * reload still works, and it dies with the tab) and the fragment is wiped from the address bar and
 * history, so it is not left on screen, in bookmarks or in screenshots.
 */

const STORAGE_KEY = 'hearth.dashboardToken';
const TOKEN_PATTERN = /^[0-9a-f]{16,512}$/i;

/** The browser pieces this module touches, as parameters so the logic does not reach for globals. */
export type TokenEnvironment = {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
};

/** Takes the token from the URL fragment (wiping it from the address bar) or from this tab's storage. */
export function takeToken(env: TokenEnvironment): string | null {
  const fromFragment = readFragmentToken(env.location.hash);
  if (fromFragment !== undefined) {
    env.history.replaceState(env.history.state, '', env.location.pathname + env.location.search);
    if (fromFragment !== null) {
      try {
        env.storage?.setItem(STORAGE_KEY, fromFragment);
      } catch {
        // Storage can be disabled or full; the token still works until the page is reloaded.
      }
      return fromFragment;
    }
  }
  try {
    const stored = env.storage?.getItem(STORAGE_KEY) ?? null;
    return stored !== null && TOKEN_PATTERN.test(stored) ? stored : null;
  } catch {
    return null;
  }
}

/** `undefined`: the fragment holds no token; `null`: it holds a malformed one; else the token. */
function readFragmentToken(hash: string): string | null | undefined {
  if (!hash.startsWith('#')) return undefined;
  const params = new URLSearchParams(hash.slice(1));
  const token = params.get('token');
  if (token === null) return undefined;
  return TOKEN_PATTERN.test(token) ? token : null;
}

/** The token for this page, using the real window. */
export function takeWindowToken(): string | null {
  let storage: Storage | null;
  try {
    storage = window.sessionStorage;
  } catch {
    storage = null; // Access throws when the browser blocks storage for this page.
  }
  return takeToken({ location: window.location, history: window.history, storage });
}
