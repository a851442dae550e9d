/**
 * Whether to tell the person that the provider is out of reach. Short gaps (a stream reconnecting
 * after a restart of the provider's HTTP server) stay quiet; a gap longer than a few seconds is shown.
 */
import { useEffect, useState } from 'react';
import { useConnection } from './api-context.js';

/** How long the provider may be out of reach before the UI says so. */
export const UNREACHABLE_AFTER_MS = 3000;

export type Reachability = 'reachable' | 'unreachable' | 'unauthorized';

/** The provider's reachability as the UI should present it, re-evaluated when the grace period ends. */
export function useReachability(): Reachability {
  const { status, unreachableSince } = useConnection();
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (unreachableSince === null) return;
    const remaining = unreachableSince + UNREACHABLE_AFTER_MS - Date.now();
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, remaining));
    return () => clearTimeout(timer);
  }, [unreachableSince]);

  if (status === 'unauthorized') return 'unauthorized';
  if (unreachableSince !== null && now - unreachableSince >= UNREACHABLE_AFTER_MS) return 'unreachable';
  return 'reachable';
}
