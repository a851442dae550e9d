/**
 * Maps what onnxruntime throws to the worker's error codes: allocation failures are `out_of_memory`,
 * shape and type complaints about the feeds are `input_invalid`, everything else is `internal` with
 * onnxruntime's own message.
 */
import type { WorkerError } from '../../common/worker-protocol.js';
import { WorkerFailure, messageOf, workerError } from './worker-error.js';

const ALLOCATION = /bad_alloc|Failed to allocate|out of memory|Cannot allocate memory/i;
const FEED_PROBLEM = /Invalid rank for input|Got invalid dimensions for input|Unexpected input data type|input name cannot be empty|Invalid input name/i;

/** The protocol error for something thrown while loading or running a model. */
export function classifyOrtError(thrown: unknown): WorkerError {
  if (thrown instanceof WorkerFailure) return thrown.error;
  const message = messageOf(thrown);
  if (ALLOCATION.test(message)) return workerError('out_of_memory', `onnxruntime could not allocate memory: ${message}`);
  if (FEED_PROBLEM.test(message)) return workerError('input_invalid', message);
  return workerError('internal', `onnxruntime: ${message}`);
}
