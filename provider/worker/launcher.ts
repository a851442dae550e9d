/**
 * How the supervisor starts a worker process and talks to it. Two launchers implement this: Node's
 * child_process for headless mode (child-process-launcher.ts) and Electron's utilityProcess
 * (electron/worker-launcher.ts). The supervisor sees only a WorkerChannel, so tests drive it with a fake.
 */
import type { SandboxReport, ToWorker } from '../../common/worker-protocol.js';

/** How a worker process ended: its exit code, or the signal that ended it. */
export type WorkerExit = { code: number | null; signal: NodeJS.Signals | null };

/** What a worker channel emits; `exit` comes exactly once, also after a failed spawn. */
export type WorkerChannelEvents = {
  /** A message from the worker, not yet validated. */
  message: [message: unknown];
  exit: [exit: WorkerExit];
  error: [error: Error];
  /** One line the worker (or its sandbox wrapper) wrote to stdout or stderr; onnxruntime warns there. */
  output: [line: string];
};

/** One running worker process: messages in and out, its end, and a way to end it. */
export interface WorkerChannel {
  /** The process id on this machine (the sandbox wrapper's, when wrapped); undefined if the spawn failed. */
  readonly pid: number | undefined;
  /** The sandbox layers in force around this process. */
  readonly sandbox: SandboxReport;
  /** Sends a message; false when the channel is already closed. */
  send(message: ToWorker): boolean;
  /** Ends the process at once (SIGKILL); a worker inside native code cannot be asked. */
  kill(): void;
  on<E extends keyof WorkerChannelEvents>(event: E, listener: (...args: WorkerChannelEvents[E]) => void): this;
  off<E extends keyof WorkerChannelEvents>(event: E, listener: (...args: WorkerChannelEvents[E]) => void): this;
}

/** What to start and what it may see. */
export type LaunchSpec = {
  /** Absolute path of the worker's entry script (the built `out/main/worker.js`). */
  entry: string;
  /** A name for logs and process lists: the device id. */
  name: string;
  /** Files and folders the worker may read besides the model cache: the built app and its node_modules. */
  readPaths: string[];
  /** The content-addressed model folder, read-only to the worker. */
  modelCacheDir: string;
  /** Address-space limit for the worker in bytes (Linux), or null for none. */
  addressSpaceLimitBytes: number | null;
};

/** Starts worker processes. */
export interface WorkerLauncher {
  /** Starts one worker; failures to start arrive as the channel's `error` and `exit` events. */
  launch(spec: LaunchSpec): WorkerChannel;
}
