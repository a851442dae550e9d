/**
 * The engine thread's entry (built to out/main/engine-thread.js): onnxruntime lives here, so the
 * worker's control thread stays responsive while a run blocks this one. The thread is started as the
 * worker process boots (engine-prestart.ts) and gets its config in its first message; requests are then
 * handled one at a time in arrival order; output buffers are transferred to the control thread, not
 * copied.
 */
import { type TransferListItem, parentPort } from 'node:worker_threads';
import { InferenceSession, env } from 'onnxruntime-node';
import { WorkerConfig } from '../../common/worker-protocol.js';
import { classifyOrtError } from '../inference/ort-errors.js';
import { Engine } from './engine.js';
import { type EngineHandlers, engineHandlers } from './engine-handlers.js';
import type { EngineCalls, EngineConfigure, EngineMessage, EngineRequest } from './engine-protocol.js';
import { readAdmittedModel } from './model-loader.js';
import { transferablesOf } from './transferables.js';

if (parentPort === null) throw new Error('engine-thread.js runs only as a worker_thread of the worker process');
const port = parentPort;

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

/** The engine and its handlers, built from the config in the thread's first message. */
function configure(raw: unknown): EngineHandlers {
  const config = WorkerConfig.parse(raw);
  const engine = new Engine(config, {
    readModel: (sha256) => readAdmittedModel(config, sha256),
    createSession: (bytes, options) => InferenceSession.create(bytes, options),
    onCacheChange: (warmModels, sessionBytes) => post({ type: 'cache', warmModels, sessionBytes }),
    log: (level, msg, fields) => post({ type: 'log', level, msg, fields }),
  });
  return engineHandlers(engine, config);
}

let handlers: EngineHandlers | null = null;

async function handle(table: EngineHandlers, request: EngineRequest): Promise<void> {
  try {
    const handler = table[request.kind] as (params: unknown) => Promise<unknown> | unknown;
    const value = await handler(request.params);
    const transfer = request.kind === 'run' ? transferablesOf((value as EngineCalls['run']['value']).outputs) : [];
    post({ type: 'reply', id: request.id, ok: true, value }, transfer);
  } catch (thrown) {
    post({ type: 'reply', id: request.id, ok: false, error: classifyOrtError(thrown) });
  }
}

// One request at a time: sessions are never released or created while another request uses them.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: EngineConfigure | EngineRequest) => {
  if (message.kind === 'configure') {
    // A config that does not parse throws here, which ends the thread; the control thread reports it.
    if (handlers === null) handlers = configure(message.config);
    return;
  }
  if (handlers === null) throw new Error(`engine request '${message.kind}' arrived before the config`);
  const ready = handlers;
  queue = queue.then(() => handle(ready, message));
});
