/**
 * Starts the engine thread before the control thread has loaded its own code or received `init`, so
 * the thread's slowest step (importing onnxruntime-node, ~60 ms here) overlaps the control thread's
 * (zod and the protocol schemas, ~30–50 ms) and the wait for `init`. The thread gets its config later,
 * in its first message. This file imports only node:worker_threads, so worker.js can start the thread
 * before it evaluates anything else.
 */
import { Worker } from 'node:worker_threads';

/** An engine thread started early, with what happened to it before anyone listened. */
export type StartedEngineThread = {
  thread: Worker;
  /** Its exit code if it already ended, else null. */
  exitCode(): number | null;
  /** The first error it threw before it was adopted, if any. */
  firstError(): Error | null;
  /** Stops recording: the adopter has its own listeners now. */
  adopt(): void;
};

/** Starts an engine thread from `entry`; it waits for its config before it builds the engine. */
export function startEngineThread(entry: string): StartedEngineThread {
  const thread = new Worker(entry, { stdout: false, stderr: false });
  let exitCode: number | null = null;
  let firstError: Error | null = null;
  const onExit = (code: number) => (exitCode = code);
  const onError = (error: Error) => (firstError ??= error);
  thread.on('exit', onExit);
  thread.on('error', onError);
  return {
    thread,
    exitCode: () => exitCode,
    firstError: () => firstError,
    adopt: () => {
      thread.off('exit', onExit);
      thread.off('error', onError);
    },
  };
}
