/**
 * The raw baseline: onnxruntime-node in one plain process (no sandbox, no IPC per run, no hashing),
 * with the same session options and tensor conversion the worker uses. It runs as its own process so
 * its peak RSS is its own, and answers the bench's requests over the IPC channel; every figure is
 * timed here, so the channel costs nothing it reports. It also echoes messages, to time the channel
 * itself (advanced serialization, as between the supervisor and a worker).
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { sessionOptionsFor } from '../worker/engine/session-options.js';
import { toOrtTensor } from '../worker/inference/ort-tensors.js';
import { type InputSpec, tensorsAt } from './inputs.js';
import { concurrentRuns, sequentialRuns } from './loops.js';
import { peakRssBytes } from './proc-memory.js';
import type { RawLoaded, RawReply, RawRequest } from './raw-protocol.js';
import { nowMs } from './stats.js';

type Loaded = { session: ort.InferenceSession; inputs: InputSpec[]; feeds: Map<number, Record<string, ort.Tensor>> };

let loaded: Loaded | null = null;
let echo: unknown = null;

function feedsAt(state: Loaded, rows: number): Record<string, ort.Tensor> {
  let feeds = state.feeds.get(rows);
  if (feeds === undefined) {
    feeds = Object.fromEntries(tensorsAt(state.inputs, rows).map((t) => [t.name, toOrtTensor(t)]));
    state.feeds.set(rows, feeds);
  }
  return feeds;
}

async function load(request: Extract<RawRequest, { type: 'load' }>): Promise<RawLoaded> {
  const bytes = new Uint8Array(readFileSync(request.modelPath));
  const options = sessionOptionsFor(request.provider, request.threads);
  const create = async () => {
    const t = nowMs();
    const session = await ort.InferenceSession.create(bytes, options);
    return { session, ms: nowMs() - t };
  };
  const first = await create();
  await first.session.release();
  const createMs: number[] = [];
  let session: ort.InferenceSession | null = null;
  for (let i = 0; i < request.creates; i++) {
    // Only one session is ever alive at a time, as in the worker, so the peak RSS stays comparable.
    await session?.release();
    const next = await create();
    createMs.push(next.ms);
    session = next.session;
  }
  loaded = { session: session ?? (await create()).session, inputs: request.inputs, feeds: new Map() };
  return { firstCreateMs: first.ms, createMs };
}

async function serve(request: RawRequest): Promise<unknown> {
  if (request.type === 'echo') return echo;
  if (request.type === 'echo-set') return void (echo = request.payload);
  if (request.type === 'load') return load(request);
  // Not process.resourceUsage().maxRSS: on Linux a spawned child inherits its spawner's high-water mark
  // across exec (measured here: a child of a 540 MB parent reports 516 MB, its VmHWM 44 MB).
  if (request.type === 'rss') return { maxRssBytes: peakRssBytes(process.pid) ?? process.resourceUsage().maxRSS * 1024 };
  const state = loaded;
  if (state === null) throw new Error('no model loaded');
  if (request.type === 'latency') {
    const feeds = feedsAt(state, 1);
    return { samplesMs: await sequentialRuns(async () => void (await state.session.run(feeds)), request.budget) };
  }
  const feeds = feedsAt(state, request.rows);
  // One untimed run at this shape first: onnxruntime sizes its arena for a new shape on the first run.
  await state.session.run(feeds);
  const burst = await concurrentRuns(async () => void (await state.session.run(feeds)), 1, request.budget);
  return { rows: request.rows, runs: burst.calls, elapsedMs: burst.elapsedMs };
}

/** Answers requests on this process's IPC channel until the bench disconnects. */
export function serveRawChild(): void {
  if (process.send === undefined) {
    process.stderr.write('the raw child runs only under the bench (no IPC channel)\n');
    process.exit(2);
  }
  const reply = (message: RawReply) => process.send?.(message);
  process.on('message', (message: RawRequest) => {
    serve(message).then(
      (value) => reply({ id: message.id, ok: true, value }),
      (error: unknown) => reply({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
