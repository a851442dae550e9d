/**
 * The provider's connection to its marketplace, wired from the provider's own parts: the ledger as the
 * job journal and receipt sequence, the node key from the data folder, the worker pool as the runner,
 * the model cache fed over HTTP, and the pool's status as what the node announces. It keeps the small
 * summary the dashboard shows (state, results acknowledged, the last error).
 */
import type { Address } from 'viem';
import type { Device, MarketplaceStatus } from '../../common/api.js';
import type { WorkerLimits } from '../../common/worker-protocol.js';
import type { JobRun } from '../energy/job-energy-meter.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../logger.js';
import type { ModelCache } from '../models/model-cache.js';
import { HEARTH_VERSION } from '../version.js';
import type { WorkerPool } from '../worker/worker-pool.js';
import { ledgerJournal } from './ledger-journal.js';
import { type ClientState, MarketplaceClient } from './marketplace-client.js';
import { httpModelSource } from './model-source.js';
import { loadOrCreateNodeKey } from './node-key.js';
import { poolJobRunner } from './pool-runner.js';

/** Which coordinator to connect to and the address to pin (`hearth start --marketplace … --coordinator …`). */
export type MarketplaceLinkConfig = {
  /** ws(s)://…/provider */
  url: string;
  coordinator: Address;
  chainId: number;
  /** Where vouchers should pay (sent in `hello`); the node address when absent. */
  recipient?: Address;
  /** `local-demo` when the embedded default started this coordinator in-process; `remote` by default. */
  kind?: MarketplaceStatus['kind'];
};

export type MarketplaceConnectionOptions = {
  config: MarketplaceLinkConfig;
  dataDir: string;
  ledger: Ledger;
  pool: WorkerPool;
  cache: ModelCache;
  limits: WorkerLimits;
  /** The detected devices, for names and memory in the hello. */
  devices: () => readonly Device[] | null;
  logger: Logger;
  /** Called when the summary changes. */
  onChange: () => void;
  /** Hears each job's run on a device (energy metering, provider/energy/). */
  onJobRun?: (run: JobRun) => void;
};

/** A started marketplace client and its dashboard summary. */
export type MarketplaceConnection = {
  client: MarketplaceClient;
  status: () => MarketplaceStatus;
  /** Drains (in-flight jobs finish, at most `graceMs`), says bye, and stops reconnecting. */
  stop: (graceMs?: number) => Promise<void>;
};

/** Starts the marketplace client; it dials in the background and reconnects on its own. */
export async function connectMarketplace(options: MarketplaceConnectionOptions): Promise<MarketplaceConnection> {
  const { config, pool, logger } = options;
  const { account, created } = await loadOrCreateNodeKey(options.dataDir);
  const log = logger.child({ part: 'marketplace' });
  log.info({ node: account.address, created, url: config.url, coordinator: config.coordinator, chainId: config.chainId }, 'connecting to the marketplace');
  const journal = ledgerJournal(options.ledger);
  const client = new MarketplaceClient({
    url: config.url,
    coordinator: config.coordinator,
    chainId: config.chainId,
    account,
    runner: poolJobRunner(pool, options.onJobRun),
    models: httpModelSource({ cache: options.cache, maxModelBytes: options.limits.maxModelBytes }),
    journal,
    seq: journal,
    limits: options.limits,
    describe: () => describeNode(pool, options.devices()),
    logger: log,
    recipient: config.recipient,
    // Checked against the vault the coordinator announces; the ledger keeps those that advance its total.
    onVoucher: ({ voucher, signature, digest }) => {
      const outcome = options.ledger.vouchers.record(voucher, signature, digest);
      log.info({ cumulativeAmount: voucher.cumulativeAmount, token: voucher.token, outcome }, 'voucher received');
      if (outcome === 'stored') options.onChange();
    },
  });
  let jobsDone = 0;
  let lastError: string | null = null;
  let everWelcomed = false;
  let draining = false;
  client.on('state', () => options.onChange());
  client.on('welcome', () => ((everWelcomed = true), options.onChange()));
  client.on('acked', () => ((jobsDone += 1), options.onChange()));
  client.on('closed', ({ code, reason }) => {
    if (code !== 1000) lastError = `Connection to ${config.url} closed (${code}${reason === '' ? ', refused or lost' : `: ${reason}`}).`;
    options.onChange();
  });
  client.on('rejected', ({ jobId, reason, message }) => {
    if (reason === 'bad_signature') lastError = `Job ${jobId} refused (${reason}): ${message}`;
  });
  await client.start();
  return {
    client,
    status: () => ({
      url: config.url,
      coordinator: config.coordinator,
      node: account.address,
      kind: config.kind ?? 'remote',
      state: summaryState(client.state, draining, everWelcomed),
      jobsDone,
      lastError,
      payout: client.payout,
    }),
    async stop(graceMs) {
      draining = true;
      options.onChange();
      await client.stop(graceMs);
    },
  };
}

function summaryState(state: ClientState, draining: boolean, everWelcomed: boolean): MarketplaceStatus['state'] {
  if (state === 'stopped') return 'stopped';
  if (draining) return 'draining';
  if (state === 'online') return 'connected';
  if (state === 'waiting' || (state === 'connecting' && everWelcomed)) return 'reconnecting';
  return 'connecting';
}

/** What the node announces: its workers' devices and execution providers, and the models warm on any of them. */
function describeNode(pool: WorkerPool, devices: readonly Device[] | null) {
  const workers = pool.status();
  const device = (id: string) => devices?.find((d) => d.id === id);
  return {
    app: `hearth/${HEARTH_VERSION}`.slice(0, 50),
    devices: workers.map((w) => ({
      id: w.deviceId,
      name: device(w.deviceId)?.name ?? (w.deviceId === 'cpu' ? 'CPU' : w.deviceId),
      vendor: device(w.deviceId)?.vendor ?? 'other',
      vramBytes: device(w.deviceId)?.vramBytes ?? null,
      executionProvider: w.executionProvider,
    })),
    warmModels: [...new Set(workers.flatMap((w) => w.warmModels))].slice(0, 1000),
    benchmarks: {},
    freeVramBytes: null,
  };
}
