/**
 * A whole coordinator in one call: the model registry (the npm models by default), the dispatcher, the
 * HTTP server with the provider WebSocket endpoint on the same port (`/provider`) and, unless turned
 * off, an in-process provider on a real sandboxed worker — the embedded default a newcomer runs with
 * `hearth marketplace`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Address, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { DEFAULT_CHAIN_ID } from '../common/wire/typed-data.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { type LocalWorkerSession, localWorkerSession } from './dispatch/local-worker-session.js';
import { eip712JobSigner } from './provider-link/job-signing.js';
import { ProviderLink } from './provider-link/provider-link.js';
import { defaultModelSpecs } from './registry/default-models.js';
import { type ModelSpec, ModelRegistry } from './registry/model-registry.js';
import { type MarketplaceServer, type MarketplaceServerOptions, startMarketplaceServer } from './server.js';

/** The path remote providers dial on the coordinator's port. */
export const PROVIDER_PATH = '/provider';

export type MarketplaceOptions = Omit<MarketplaceServerOptions, 'registry' | 'dispatcher'> & {
  /** Models to serve; the npm models (silero-vad, ppocr-det, ppocr-rec, ppocr-cls) by default. */
  models?: ModelSpec[];
  /** The coordinator's signing key (it signs jobs, providers pin its address); a fresh one per run by default. */
  coordinatorKey?: LocalAccount;
  /** The chain id jobs, receipts and acks are signed for (default 31337, anvil's). */
  chainId?: number;
  /** How often connected providers send heartbeats (default 10 s). */
  heartbeatMs?: number;
  /** Run jobs on an in-process sandboxed worker (default true). */
  localWorker?: boolean;
  /** The folder with out/main/worker.js and node_modules; found from this file by default. */
  appRoot?: string;
};

export type Marketplace = {
  server: MarketplaceServer;
  registry: ModelRegistry;
  dispatcher: Dispatcher;
  /** The provider WebSocket endpoint on the server's port. */
  link: ProviderLink;
  /** The coordinator's address (its job-signing key). */
  coordinator: Address;
  chainId: number;
  /** Where remote providers connect: ws(s)://<host>:<port>/provider. */
  providerUrl: string;
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
  const account = options.coordinatorKey ?? privateKeyToAccount(generatePrivateKey());
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const signer = eip712JobSigner(account, chainId);
  const dispatcher = new Dispatcher({ signer, logger });
  let localWorker: LocalWorkerSession | null = null;
  let server: MarketplaceServer | null = null;
  let link: ProviderLink | null = null;
  try {
    server = await startMarketplaceServer({ ...options, registry, dispatcher });
    link = ProviderLink.attach(server.server, { account, chainId, logger: logger.child({ part: 'provider-link' }), sink: dispatcher, path: PROVIDER_PATH, heartbeatMs: options.heartbeatMs });
    if (options.localWorker ?? true) {
      const appRoot = options.appRoot ?? findAppRoot();
      if (appRoot === null) throw new Error('The built worker (out/main/worker.js) was not found; run npm run build first.');
      localWorker = await localWorkerSession({ appRoot, logger, loadModel: (model) => registry.readBytes(model.sha256) });
      dispatcher.addSession(localWorker);
    }
  } catch (err) {
    await link?.close();
    await server?.close();
    await localWorker?.close();
    throw err;
  }
  const started = server;
  const providers = link;
  const worker = localWorker;
  return {
    server: started,
    registry,
    dispatcher,
    link: providers,
    coordinator: signer.address,
    chainId,
    providerUrl: `${started.url.replace(/^http/, 'ws')}${PROVIDER_PATH}`,
    localWorker: worker,
    close: async () => {
      dispatcher.close();
      await providers.close();
      await started.close();
      await worker?.close();
    },
  };
}
