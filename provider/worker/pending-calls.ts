/**
 * The supervisor's requests awaiting a reply, by id. Each call is settled exactly once: taking it out
 * of the map is what settles it, so a late reply, a second deadline or a crash finds nothing to settle.
 */
import type { WorkerError, WorkerMethod } from '../../common/worker-protocol.js';

/** What a worker call ends with: the validated value, or an error with a stable code. */
export type WorkerCallResult<T> = { ok: true; value: T } | { ok: false; error: WorkerError };

export type PendingCall = {
  id: number;
  method: WorkerMethod;
  params: unknown;
  /** The model this call loads or runs (for quarantine), or null. */
  model: string | null;
  /** Milliseconds since epoch after which the call fails with `timeout`. */
  deadlineAt: number;
  /** True once the call went to a worker (so its deadline kills that worker). */
  sent: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve: (result: WorkerCallResult<unknown>) => void;
};

/** Calls by id, in the order they were made. */
export class PendingCalls {
  private readonly calls = new Map<number, PendingCall>();
  private nextId = 1;

  /** A fresh call id. */
  id(): number {
    return this.nextId++;
  }

  add(call: PendingCall): void {
    this.calls.set(call.id, call);
  }

  get(id: number): PendingCall | undefined {
    return this.calls.get(id);
  }

  /** Settles a call once; false when it was already settled. */
  settle(id: number, result: WorkerCallResult<unknown>): boolean {
    const call = this.calls.get(id);
    if (!call) return false;
    this.calls.delete(id);
    clearTimeout(call.timer);
    call.resolve(result);
    return true;
  }

  /** Calls already sent to the current worker. */
  inFlight(): PendingCall[] {
    return [...this.calls.values()].filter((call) => call.sent);
  }

  /** Calls waiting for a worker to be ready. */
  queued(): PendingCall[] {
    return [...this.calls.values()].filter((call) => !call.sent);
  }

  all(): PendingCall[] {
    return [...this.calls.values()];
  }

  get size(): number {
    return this.calls.size;
  }
}
