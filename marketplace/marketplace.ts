/**
 * A whole coordinator in one call: the model registry (the npm models by default), the dispatcher, the
 * HTTP server and, unless turned off, an in-process provider on a real sandboxed worker — the embedded
 * default a newcomer runs with `hearth marketplace`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { Dispatcher } from './dispatch/dispatcher.js';
import { type LocalWorkerSession, localWorkerSession } from './dispatch/local-worker-session.js';
import { messageJobSigner } from './dispatch/message-job-signer.js';
import { defaultModelSpecs } from './registry/default-models.js';
import { type ModelSpec, ModelRegistry } from './registry/model-registry.js';
import { type MarketplaceServer, type MarketplaceServerOptions, startMarketplaceServer } from './server.js';

export type MarketplaceOptions = Omit<MarketplaceServerOptions, 'registry' | 'dispatcher'> & {
  /** Models to serve; the npm models (silero-vad, ppocr-det, ppocr-rec, ppocr-cls) by default. */
  models?: ModelSpec[];
  /** The coordinator's signing key; a fresh one per run by default. */
  coordinatorKey?: Hex;
  /** Run jobs on an in-process sandboxed worker (default true). */
  localWorker?: boolean;
  /** The folder with out/main/worker.js and node_modules; found from this file by default. */
  appRoot?: string;
};

export type Marketplace = {
  server: MarketplaceServer;
  registry: ModelRegistry;
  dispatcher: Dispatcher;
  /** The coordinator's address (its job-signing key). */
  coordinator: Hex;
  localWorker: LocalWorkerSession | null;
  close: () => Promise<void>;
};

/** The nearest folder at or above `from` holding the built worker (out/main/worker.js), or null. */
export function findAppRoot(from: string = import.meta.dirname): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'out', 'main', 'worker.js')) && existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/** Starts a coordinator with its registry, dispatcher, server and (by default) a local worker. */
export async function startMarketplace(options: MarketplaceOptions): Promise<Marketplace> {
  const logger: Logger = options.logger;
  const registry = new ModelRegistry();
  for (const spec of options.models ?? defaultModelSpecs()) await registry.register(spec);
  const signer = messageJobSigner(options.coordinatorKey ?? generatePrivateKey());
  const dispatcher = new Dispatcher({ signer, logger });
  let localWorker: LocalWorkerSession | null = null;
  let server: MarketplaceServer | null = null;
  try {
    server = await startMarketplaceServer({ ...options, registry, dispatcher });
    if (options.localWorker ?? true) {
      const appRoot = options.appRoot ?? findAppRoot();
      if (appRoot === null) throw new Error('The built worker (out/main/worker.js) was not found; run npm run build first.');
      localWorker = await localWorkerSession({ appRoot, logger, loadModel: (model) => registry.readBytes(model.sha256) });
      dispatcher.addSession(localWorker);
    }
  } catch (err) {
    await server?.close();
    await localWorker?.close();
    throw err;
  }
  const started = server;
  const worker = localWorker;
  return {
    server: started,
    registry,
    dispatcher,
    coordinator: signer.address,
    localWorker: worker,
    close: async () => {
      dispatcher.close();
      await started.close();
      await worker?.close();
    },
  };
}
