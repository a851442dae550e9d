/**
 * Requests from the bench to its raw child (onnxruntime-node used directly in one plain process) and
 * the replies. Both ends are this bench, so the shapes are typed here and checked only loosely.
 */
import type { ExecutionProviderName } from '../common/worker-protocol.js';
import type { InputSpec } from './inputs.js';
import type { Budget } from './loops.js';

/** What the bench asks of the raw child; every request carries an id that its reply repeats. */
export type RawRequest =
  | { id: number; type: 'load'; modelPath: string; inputs: InputSpec[]; provider: ExecutionProviderName; threads: number; creates: number }
  | { id: number; type: 'latency'; budget: Budget }
  | { id: number; type: 'throughput'; rows: number; budget: Budget }
  | { id: number; type: 'rss' }
  /** Keep `payload` as the answer to every later `echo` (a worker's reply message, say). */
  | { id: number; type: 'echo-set'; payload: unknown }
  /** Answer at once with the stored payload: one IPC round trip, nothing else. */
  | { id: number; type: 'echo'; payload: unknown };

/** Session creation: the first in this fresh process (onnxruntime's environment starts with it), then repeats. */
export type RawLoaded = { firstCreateMs: number; createMs: number[] };
/** Single-row runs one after another: each run's milliseconds. */
export type RawLatency = { samplesMs: number[] };
/** Runs of `rows` stacked rows one after another. */
export type RawThroughput = { rows: number; runs: number; elapsedMs: number };
/** The process's peak resident set so far (VmHWM on Linux, else process.resourceUsage().maxRSS). */
export type RawRss = { maxRssBytes: number };

/** The raw child's reply to one request: a Raw* value above, or the echo payload. */
export type RawReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
