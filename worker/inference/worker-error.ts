/**
 * Errors on the worker path are values with a stable code (common/worker-protocol.ts), never bare
 * throws across a boundary. Inside one thread a `WorkerFailure` carries such a value up the stack.
 */
import type { WorkerError, WorkerErrorCode } from '../../common/worker-protocol.js';

const MAX_MESSAGE = 2000;

/** A protocol error value, its message cut to the protocol's limit. */
export function workerError(code: WorkerErrorCode, message: string): WorkerError {
  return { code, message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message };
}

/** An exception that carries a protocol error value. */
export class WorkerFailure extends Error {
  readonly error: WorkerError;

  constructor(code: WorkerErrorCode, message: string) {
    super(message);
    this.name = 'WorkerFailure';
    this.error = workerError(code, message);
  }
}

/** The message of anything thrown. */
export function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
