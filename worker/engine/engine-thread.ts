/**
 * The engine thread's entry (built to out/main/engine-thread.js): onnxruntime lives here, so the
 * worker's control thread stays responsive while a run blocks this one. Requests are handled one at a
 * time in arrival order; output buffers are transferred to the control thread, not copied.
 */
import { type TransferListItem, parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, env } from 'onnxruntime-node';
import { WorkerConfig } from '../../common/worker-protocol.js';
import { classifyOrtError } from '../inference/ort-errors.js';
import { Engine } from './engine.js';
import { engineHandlers } from './engine-handlers.js';
import type { EngineCalls, EngineMessage, EngineRequest } from './engine-protocol.js';
import { readAdmittedModel } from './model-loader.js';
import { transferablesOf } from './transferables.js';

if (parentPort === null) throw new Error('engine-thread.js runs only as a worker_thread of the worker process');
const port = parentPort;
const config = WorkerConfig.parse((workerData as { config: unknown }).config);

// Errors reach us as exceptions; onnxruntime's own stderr lines are kept for errors only.
env.logLevel = 'error';

function post(message: EngineMessage, transfer: TransferListItem[] = []): void {
  try {
    port.postMessage(message, transfer);
  } catch {
    // A buffer that cannot be transferred (pooled, shared) is copied instead.
    port.postMessage(message);
  }
}

const engine = new Engine(config, {
  readModel: (sha256) => readAdmittedModel(config, sha256),
  createSession: (bytes, options) => InferenceSession.create(bytes, options),
  onCacheChange: (warmModels, sessionBytes) => post({ type: 'cache', warmModels, sessionBytes }),
  log: (level, msg, fields) => post({ type: 'log', level, msg, fields }),
});

const handlers = engineHandlers(engine, config);

async function handle(request: EngineRequest): Promise<void> {
  try {
    const handler = handlers[request.kind] as (params: unknown) => Promise<unknown> | unknown;
    const value = await handler(request.params);
    const transfer = request.kind === 'run' ? transferablesOf((value as EngineCalls['run']['value']).outputs) : [];
    post({ type: 'reply', id: request.id, ok: true, value }, transfer);
  } catch (thrown) {
    post({ type: 'reply', id: request.id, ok: false, error: classifyOrtError(thrown) });
  }
}

// One request at a time: sessions are never released or created while another request uses them.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: EngineRequest) => {
  queue = queue.then(() => handle(request));
});
