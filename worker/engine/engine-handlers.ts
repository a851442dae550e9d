/** What the engine does for each request kind: one table, used by the engine thread (and its in-process test double). */
import type { WorkerConfig } from '../../common/worker-protocol.js';
import { tryProvider } from '../probe/try-provider.js';
import type { Engine } from './engine.js';
import type { EngineCallKind, EngineCalls } from './engine-protocol.js';

export type EngineHandlers = { [K in EngineCallKind]: (params: EngineCalls[K]['params']) => Promise<EngineCalls[K]['value']> | EngineCalls[K]['value'] };

/** The handler of every engine request kind over one Engine. */
export function engineHandlers(engine: Engine, config: WorkerConfig): EngineHandlers {
  return {
    probe: ({ provider }) => tryProvider(provider, config.intraOpNumThreads),
    useProviders: ({ providers }) => {
      engine.useProviders(providers);
      return null;
    },
    load: ({ sha256 }) => engine.load(sha256),
    run: (job) => engine.run(job),
    evict: ({ sha256 }) => engine.evict(sha256),
  };
}
