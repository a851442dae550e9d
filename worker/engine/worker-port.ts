/**
 * The worker process's channel to its supervisor: Node's IPC channel when started by child_process
 * (fork or spawn with 'ipc' and advanced serialization), or Electron's `process.parentPort` when started
 * by utilityProcess. The controller sees only this interface, so tests drive it with an EventEmitter.
 */
import type { FromWorker } from '../../common/worker-protocol.js';

export interface WorkerPort {
  /** Sends a message; never throws (a closed channel drops it). */
  send(message: FromWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The supervisor went away (its end of the channel closed). */
  onDisconnect(listener: () => void): void;
  /** Resolves once every sent message has been handed to the operating system. */
  flush(): Promise<void>;
}

/** Electron's utility-process port, typed here structurally so the worker never imports electron. */
type ParentPort = {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
};

type WorkerProcess = NodeJS.Process & { parentPort?: ParentPort };

function ipcPort(proc: NodeJS.Process): WorkerPort {
  let unsent = 0;
  let drained: (() => void)[] = [];
  const settle = () => {
    if (--unsent > 0) return;
    for (const resolve of drained) resolve();
    drained = [];
  };
  return {
    send(message) {
      if (!proc.connected || proc.send === undefined) return;
      unsent++;
      try {
        proc.send(message, undefined, {}, settle);
      } catch {
        settle();
      }
    },
    onMessage: (listener) => void proc.on('message', listener),
    onDisconnect: (listener) => void proc.on('disconnect', listener),
    flush: () => (unsent === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve))),
  };
}

function utilityPort(parentPort: ParentPort): WorkerPort {
  return {
    send(message) {
      try {
        parentPort.postMessage(message);
      } catch {
        // The parent is gone; Electron ends utility processes with their app.
      }
    },
    onMessage: (listener) => void parentPort.on('message', (event) => listener(event.data)),
    onDisconnect: () => {},
    flush: () => Promise.resolve(),
  };
}

/** This process's channel to its supervisor, or null when it was started without one. */
export function processPort(proc: NodeJS.Process = process): WorkerPort | null {
  const parentPort = (proc as WorkerProcess).parentPort;
  if (parentPort !== undefined) return utilityPort(parentPort);
  if (typeof proc.send === 'function') return ipcPort(proc);
  return null;
}

/**
 * The same port, listening from now on: messages and a disconnect that come before the controller has
 * loaded (worker.js loads it while the engine thread starts) are kept and delivered once it listens.
 */
export function bufferedPort(port: WorkerPort): WorkerPort {
  let early: unknown[] = [];
  let onMessage: ((message: unknown) => void) | null = null;
  let disconnected = false;
  let onDisconnect: (() => void) | null = null;
  port.onMessage((message) => (onMessage === null ? early.push(message) : onMessage(message)));
  port.onDisconnect(() => {
    disconnected = true;
    onDisconnect?.();
  });
  return {
    send: (message) => port.send(message),
    onMessage(listener) {
      onMessage = listener;
      const queued = early;
      early = [];
      for (const message of queued) listener(message);
    },
    onDisconnect(listener) {
      onDisconnect = listener;
      if (disconnected) listener();
    },
    flush: () => port.flush(),
  };
}
