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
import type { PayoutInfo } from '../common/marketplace-protocol.js';
import { generatePrivateKey } from 'viem/accounts';
import { DEFAULT_CHAIN_ID } from '../common/wire/typed-data.js';
import { protocolAccount } from '../common/wire/secp256k1.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { LOCAL_WORKER_ID, type LocalWorkerSession, localWorkerSession } from './dispatch/local-worker-session.js';
import { eip712JobSigner } from './provider-link/job-signing.js';
import { ProviderLink } from './provider-link/provider-link.js';
import type { CreditDecision } from './provider-link/result-handling.js';
import { VoucherIssuer } from './provider-link/voucher-issuer.js';
import { CoordinatorStore } from './store/coordinator-store.js';
import { defaultModelSpecs } from './registry/default-models.js';
import { type ModelSpec, ModelRegistry } from './registry/model-registry.js';
import { type MarketplaceServer, type MarketplaceServerOptions, startMarketplaceServer } from './server.js';
import { Reputation } from './verification/reputation.js';
import { Verifier } from './verification/verifier.js';

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
  /** The SQLite file for acks, credits and vouchers (marketplace/store/); in memory when absent (tests). */
  storePath?: string;
  /** Where credits are paid: sent in `welcome`, prices are in its token, and vouchers are issued. Absent: credits only. */
  payout?: PayoutInfo;
  /** Signs vouchers (the coordinator key by default). */
  voucherSigner?: LocalAccount;
  /** Days a voucher stays claimable (default 30). */
  voucherExpiryDays?: number;
  /** What a verified, on-time result earns (the verifier's decision by default: the price, 0 for a wrong output). */
  creditFor?: CreditDecision;
  /** Share of consumer jobs that get a canary sent beside them, 0 (off) to 1 (default 0.02). */
  canaryRate?: number;
  /** Share of consumer jobs also run on a second provider, 0 (off) to 1 (default 0.05). */
  redundancyRate?: number;
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
  /** Acks, credits and vouchers issued. */
  store: CoordinatorStore;
  /** Null without a payout configuration. */
  vouchers: VoucherIssuer | null;
  /** Canaries, redundant runs and provider reputation. */
  verifier: Verifier;
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
  const account = options.coordinatorKey ?? protocolAccount(generatePrivateKey());
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const signer = eip712JobSigner(account, chainId);
  // The in-process worker's results are trusted: they seed canaries and break ties.
  const trustLocal = options.localWorker ?? true;
  const store = CoordinatorStore.open(options.storePath);
  const verifier = new Verifier({
    logger,
    canaryRate: options.canaryRate,
    redundancyRate: options.redundancyRate,
    trusted: (id) => trustLocal && id === LOCAL_WORKER_ID,
    // Scores live in the store, so a coordinator restart does not lift a quarantine.
    reputation: new Reputation({ store: store.reputation }),
  });
  const dispatcher = new Dispatcher({ signer, logger, verifier });
  const payout = options.payout;
  let localWorker: LocalWorkerSession | null = null;
  let server: MarketplaceServer | null = null;
  let link: ProviderLink | null = null;
  let vouchers: VoucherIssuer | null = null;
  try {
    server = await startMarketplaceServer({ ...options, ...(payout === undefined ? {} : { token: options.token ?? (payout.token as `0x${string}`) }), registry, dispatcher });
    const metrics = server.metrics;
    const attached = ProviderLink.attach(server.server, {
      account,
      chainId,
      logger: logger.child({ part: 'provider-link' }),
      sink: dispatcher,
      path: PROVIDER_PATH,
      heartbeatMs: options.heartbeatMs,
      seqBook: store.seqBook,
      creditFor: options.creditFor ?? verifier.creditFor,
      payout,
      credited: ({ node, token, amount }) => {
        metrics.credit(token, amount);
        vouchers?.credited(node);
      },
    });
    link = attached;
    if (payout !== undefined) {
      const issuer = new VoucherIssuer({
        payout,
        signer: options.voucherSigner ?? account,
        store,
        send: (node, message) => attached.sendVoucher(node, message),
        logger: logger.child({ part: 'vouchers' }),
        expiryDays: options.voucherExpiryDays,
        issued: () => metrics.voucherIssued(),
      });
      vouchers = issuer;
      attached.on('welcomed', ({ node, recipient }) => issuer.welcomed(node, recipient));
      attached.on('recipient', ({ node, recipient }) => issuer.welcomed(node, recipient));
    }
    if (options.localWorker ?? true) {
      const appRoot = options.appRoot ?? findAppRoot();
      if (appRoot === null) throw new Error('The built worker (out/main/worker.js) was not found; run npm run build first.');
      localWorker = await localWorkerSession({ appRoot, logger, loadModel: (model) => registry.readBytes(model.sha256) });
      dispatcher.addSession(localWorker);
    }
  } catch (err) {
    vouchers?.close();
    await link?.close();
    await server?.close();
    await localWorker?.close();
    store.close();
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
    store,
    vouchers,
    verifier,
    close: async () => {
      dispatcher.close();
      vouchers?.close();
      await providers.close();
      await started.close();
      await worker?.close();
      store.close();
    },
  };
}
