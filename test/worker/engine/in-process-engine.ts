/**
 * The engine without its thread, for controller tests: the real Engine and real onnxruntime in the test
 * process behind the same EngineLink interface the worker_thread host implements. (What it leaves out —
 * the thread itself — is covered by the worker-process tests.)
 */
import { InferenceSession } from 'onnxruntime-node';
import type { WorkerConfig } from '../../../common/worker-protocol.js';
import { Engine } from '../../../worker/engine/engine.js';
import { engineHandlers } from '../../../worker/engine/engine-handlers.js';
import type { EngineLink } from '../../../worker/engine/engine-link.js';
import type { EngineCallKind, EngineCalls } from '../../../worker/engine/engine-protocol.js';
import { readAdmittedModel } from '../../../worker/engine/model-loader.js';

/** An EngineLink running the real Engine in this thread; calls are serialized as in the thread. */
export function inProcessEngine(config: WorkerConfig): EngineLink & { engine: Engine } {
  let warmModels: string[] = [];
  let sessionBytes = 0;
  let inFlight = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const engine = new Engine(config, {
    readModel: (sha256) => readAdmittedModel(config, sha256),
    createSession: (bytes, options) => InferenceSession.create(bytes, options),
    onCacheChange: (models, bytes) => {
      warmModels = models;
      sessionBytes = bytes;
    },
  });
  const handlers = engineHandlers(engine, config);
  const call = <K extends EngineCallKind>(kind: K, params: EngineCalls[K]['params']): Promise<EngineCalls[K]['value']> => {
    inFlight++;
    const handler = handlers[kind] as (p: EngineCalls[K]['params']) => Promise<EngineCalls[K]['value']> | EngineCalls[K]['value'];
    const result = queue.then(() => handler(params)).finally(() => inFlight--);
    queue = result.catch(() => {});
    return result;
  };
  return {
    engine,
    call,
    probe: async (provider) => handlers.probe({ provider }),
    get busy() {
      return inFlight > 0;
    },
    get warmModels() {
      return warmModels;
    },
    get sessionBytes() {
      return sessionBytes;
    },
    close: async () => (inFlight > 0 ? 'stuck' : 'closed'),
  };
}
