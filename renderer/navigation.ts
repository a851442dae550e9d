/**
 * The app's pages and which one is showing. The page lives in the URL fragment as `#/earnings`, so
 * reload and back work without a router; the headless token fragment (`#token=…`) is taken and wiped
 * by api/token.ts before the app renders, and is never a page.
 */
import { useSyncExternalStore } from 'react';

/** Every page, in sidebar order. */
export const pages = [
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'earnings', label: 'Earnings' },
  { id: 'jobs', label: 'Jobs' },
  { id: 'wallet', label: 'Wallet' },
  { id: 'settings', label: 'Settings' },
] as const;

export type PageId = (typeof pages)[number]['id'];

/** The address of a page, for links. */
export function pageHref(id: PageId): string {
  return `#/${id}`;
}

/** The page a fragment names; anything else is the dashboard. */
export function pageFromHash(hash: string): PageId {
  const id = hash.startsWith('#/') ? hash.slice(2) : '';
  return pages.find((page) => page.id === id)?.id ?? 'dashboard';
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The page currently showing, following link clicks and back/forward. */
export function useCurrentPage(): PageId {
  return useSyncExternalStore(subscribe, () => pageFromHash(window.location.hash));
}
