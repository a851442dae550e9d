/**
 * The embedded default: with no marketplace configured, `hearth start` (and the desktop app) runs a
 * whole marketplace on this machine — a local anvil chain with the PayoutVault and a test token, the
 * reference coordinator (its OIP API on a free loopback port, its state in the data folder), and a
 * demand generator submitting real OCR and voice-activity jobs — and the provider connects to it like
 * to any other. Everything it keeps lives in `<data dir>/local-demo/`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PayoutInfo } from '../../common/marketplace-protocol.js';
import { writeFileAtomic } from '../../provider/atomic-file.js';
import { type LocalChain, LOCAL_CHAIN_ID, startLocalChain } from './local-chain.js';
import { loadCoordinatorKey } from '../coordinator-key.js';
import { DemandGenerator } from '../demand/demand-generator.js';
import { type Marketplace, startMarketplace } from '../marketplace.js';

/** The folder inside the provider's data folder that the local demo owns. */
export const LOCAL_DEMO_DIR = 'local-demo';
/** What a person (or a test) needs to talk to the local demo, written there as JSON, mode 0600. */
export const LOCAL_DEMO_INFO_FILE = 'local-demo.json';

export type LocalDemoOptions = {
  /** The provider's data folder. */
  dataDir: string;
  logger: Logger;
  /** Time between demo jobs (default 2 s). */
  demandIntervalMs?: number;
};

/** What the local demo announces: where its APIs are, and the coordinator a provider pins. */
export type LocalDemoInfo = {
  oipUrl: string;
  consumerKey: string;
  providerUrl: string;
  coordinator: `0x${string}`;
  chainId: number;
  payout: PayoutInfo;
};

/** What one whole ETH is worth in the demo's test token, in its base units (3,000 HUSD: a made-up price, so claims can be weighed against gas). */
export const DEMO_NATIVE_PRICE_IN_TOKEN = 3_000n * 10n ** 6n;
/** The gas money the demo's faucet gives a wallet that has less than a tenth of it. */
const FAUCET_WEI = 10n ** 19n;

export type LocalDemo = {
  info: LocalDemoInfo;
  nativePriceInToken: bigint;
  /** Gives `address` gas on the local chain when it runs low (the demo's faucet). */
  fundGas: (address: `0x${string}`) => Promise<void>;
  marketplace: Marketplace;
  chain: LocalChain;
  demand: DemandGenerator;
  /** Stops the demand, the coordinator and the chain, in that order. */
  close: () => Promise<void>;
};

/** Starts the local chain, the coordinator and the demand generator. */
export async function startLocalDemo(options: LocalDemoOptions): Promise<LocalDemo> {
  const dir = join(options.dataDir, LOCAL_DEMO_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const logger = options.logger.child({ part: 'local-demo' });
  const key = await loadCoordinatorKey({ dataDir: dir });
  const chain = await startLocalChain({ dir, signer: key.account.address, logger });
  let marketplace: Marketplace | null = null;
  try {
    const consumerKey = randomBytes(24).toString('base64url');
    marketplace = await startMarketplace({
      logger,
      port: 0,
      consumerKeys: [consumerKey],
      localWorker: false,
      coordinatorKey: key.account,
      chainId: LOCAL_CHAIN_ID,
      token: chain.payout.token as `0x${string}`,
      payout: chain.payout,
      storePath: join(dir, 'coordinator.sqlite'),
    });
    const market = marketplace;
    const demand = new DemandGenerator({
      dispatcher: market.dispatcher,
      registry: market.registry,
      modelUrl: market.server.modelUrl,
      token: chain.payout.token as `0x${string}`,
      logger,
      intervalMs: options.demandIntervalMs,
    });
    const info: LocalDemoInfo = {
      oipUrl: `${market.server.url}/v2`,
      consumerKey,
      providerUrl: market.providerUrl,
      coordinator: market.coordinator,
      chainId: LOCAL_CHAIN_ID,
      payout: chain.payout,
    };
    await writeFileAtomic(join(dir, LOCAL_DEMO_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`, 0o600);
    demand.start();
    logger.info({ oipUrl: info.oipUrl, rpcUrl: chain.payout.rpcUrl, vault: chain.payout.vault }, 'local demo marketplace running');
    return {
      info,
      nativePriceInToken: DEMO_NATIVE_PRICE_IN_TOKEN,
      fundGas: async (address) => {
        if ((await chain.balance(address)) >= FAUCET_WEI / 10n) return;
        await chain.fund(address, FAUCET_WEI);
        logger.info({ address }, 'the local demo faucet gave the wallet gas');
      },
      marketplace: market,
      chain,
      demand,
      close: async () => {
        // Closing the dispatcher settles the demo's queued jobs at once rather than at their deadlines.
        const outstanding = demand.stop();
        await market.close();
        await outstanding;
        await chain.stop();
      },
    };
  } catch (err) {
    await marketplace?.close();
    await chain.stop();
    throw err;
  }
}
