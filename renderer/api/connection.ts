/**
 * Whether the renderer can currently reach the provider, as a tiny external store that React reads
 * with useSyncExternalStore. The HTTP transport drives it from its event stream and failed requests;
 * over Electron IPC the provider lives in the same app and the state is always "online".
 */

/**
 * `connecting`: not yet confirmed (first load or retrying); `online`: the event stream is open;
 * `offline`: the last attempt failed; `unauthorized`: the provider refused this page's access token.
 */
export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'unauthorized';

/** The current status and since when (ms since epoch) the provider has been out of reach, if it is. */
export type ConnectionState = { status: ConnectionStatus; unreachableSince: number | null };

/** A subscribable holder of the ConnectionState. */
export class ConnectionStore {
  private state: ConnectionState;
  private readonly listeners = new Set<() => void>();

  constructor(initial: ConnectionStatus, now: number = Date.now()) {
    this.state = { status: initial, unreachableSince: initial === 'online' ? null : now };
  }

  /** The current state; the same object until something changes (as useSyncExternalStore needs). */
  readonly get = (): ConnectionState => this.state;

  /** Registers a change listener; returns the function that removes it. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Records a new status; the out-of-reach clock starts at the first non-online status. */
  set(status: ConnectionStatus, now: number = Date.now()): void {
    if (status === this.state.status) return;
    const unreachableSince = status === 'online' ? null : (this.state.unreachableSince ?? now);
    this.state = { status, unreachableSince };
    for (const listener of this.listeners) listener();
  }
}
