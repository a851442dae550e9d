/**
 * A real payout chain for the wallet tests: anvil (H1's launcher) with the PayoutVault and test token
 * deployed, a data folder holding a node key and a ledger with credits, a coordinator key that signs
 * vouchers, and a Wallet whose key is a funded anvil dev account (it pays the claim's gas).
 */
import { join } from 'node:path';
import pino from 'pino';
import { type Address, type Hex, type PublicClient, createPublicClient, getAddress, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { payoutVaultAbi } from '../../../contracts/generated/PayoutVault.js';
import { testTokenAbi } from '../../../contracts/generated/TestToken.js';
import type { MarketplaceStatus } from '../../../common/api.js';
import type { PayoutInfo, Voucher } from '../../../common/marketplace-protocol.js';
import { signVoucher, voucherDigest } from '../../../common/wire/voucher-signature.js';
import { type Anvil, startAnvil } from '../../../marketplace/chain/anvil.js';
import { deployPayouts, localChain, type PayoutsDeployment } from '../../../marketplace/chain/deploy-payouts.js';
import { ANVIL_DEV_KEYS } from '../../../marketplace/chain/dev-accounts.js';
import { writeFileAtomic } from '../../../provider/atomic-file.js';
import { Ledger } from '../../../provider/ledger/ledger.js';
import { NODE_KEY_FILE } from '../../../provider/marketplace/node-key.js';
import { Wallet, type WalletOptions } from '../../../provider/wallet/wallet.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { creditJob, makeSpec } from '../ledger/ledger-fixtures.js';

/** The wallet's passphrase in these tests. */
export const PASSPHRASE = 'correct horse battery staple';
/** Cheap scrypt for tests that create many key files (the real cost is measured in keystore.test.ts). */
export const TEST_KDF = { n: 2 ** 12, r: 8, p: 1 };
/** The funded anvil account the wallet imports (it pays gas). */
export const WALLET_KEY = ANVIL_DEV_KEYS[3];

export type ChainFixture = {
  anvil: Anvil;
  deployment: PayoutsDeployment;
  client: PublicClient;
  payout: PayoutInfo;
  coordinator: ReturnType<typeof privateKeyToAccount>;
  recipient: Address;
  balanceOf: (account: Address) => Promise<bigint>;
  /** Claimed events the vault emitted since deployment. */
  claimedEvents: () => Promise<number>;
  /** Transactions mined from `from` (its nonce). */
  txCount: (from: Address) => Promise<number>;
  stop: () => Promise<void>;
};

/** Starts anvil and deploys the vault and token. */
export async function startChain(): Promise<ChainFixture> {
  const anvil = await startAnvil();
  const coordinator = privateKeyToAccount(generatePrivateKey());
  const deployment = await deployPayouts({ rpcUrl: anvil.rpcUrl, deployer: privateKeyToAccount(ANVIL_DEV_KEYS[0]), signer: coordinator.address, revocationDelaySeconds: 60, float: 10_000_000n });
  const client = createPublicClient({ chain: localChain(anvil.chainId, anvil.rpcUrl), transport: http(anvil.rpcUrl) }) as PublicClient;
  const payout: PayoutInfo = { chainId: anvil.chainId, vault: deployment.vault, token: deployment.token, tokenSymbol: 'HUSD', tokenDecimals: 6, rpcUrl: anvil.rpcUrl, explorerUrl: 'https://explorer.example' };
  return {
    anvil,
    deployment,
    client,
    payout,
    coordinator,
    recipient: privateKeyToAccount(generatePrivateKey()).address,
    balanceOf: (account) => client.readContract({ address: deployment.token, abi: testTokenAbi, functionName: 'balanceOf', args: [account] }),
    claimedEvents: async () => (await client.getContractEvents({ address: deployment.vault, abi: payoutVaultAbi, eventName: 'Claimed', fromBlock: deployment.deployBlock })).length,
    txCount: (from) => client.getTransactionCount({ address: from, blockTag: 'latest' }),
    stop: () => anvil.stop(),
  };
}

export type ProviderSide = {
  dir: string;
  node: Address;
  ledger: Ledger;
  marketplace: MarketplaceStatus;
  /** Credits `amount` more base units in the payout token (one job). */
  credit: (amount: bigint) => void;
  /** A voucher for this node and the recipient covering `cumulative`, signed by `signer` (default the coordinator). */
  voucher: (cumulative: bigint, overrides?: Partial<Voucher>, options?: { signer?: ReturnType<typeof privateKeyToAccount>; chainId?: number; vault?: Address }) => Promise<{ voucher: Voucher; signature: Hex; digest: Hex }>;
  /** Stores a voucher in the ledger as the marketplace client would. */
  receive: (signed: { voucher: Voucher; signature: Hex; digest: Hex }) => void;
  openWallet: (extra?: Partial<WalletOptions>) => Promise<Wallet>;
  cleanup: () => Promise<void>;
};

/** A data folder with a node key and a ledger, bound to `chain`. */
export async function providerSide(chain: ChainFixture): Promise<ProviderSide> {
  const temp = await makeTempDir('hearth-wallet-');
  const nodeKey = generatePrivateKey();
  await writeFileAtomic(join(temp.dir, NODE_KEY_FILE), `${JSON.stringify({ version: 1, privateKey: nodeKey })}\n`, 0o600);
  const node = privateKeyToAccount(nodeKey).address;
  const ledger = Ledger.openInDataDir(temp.dir);
  const marketplace: MarketplaceStatus = {
    url: 'ws://127.0.0.1:1/provider',
    coordinator: chain.coordinator.address,
    node,
    kind: 'remote',
    state: 'connected',
    jobsDone: 0,
    lastError: null,
    payout: chain.payout,
  };
  let jobs = 0;
  const wallets: Wallet[] = [];
  return {
    dir: temp.dir,
    node,
    ledger,
    marketplace,
    credit(amount) {
      jobs += 1;
      creditJob(ledger, makeSpec(`job-${jobs}`, { price: amount.toString(), token: chain.deployment.token.toLowerCase() }));
    },
    async voucher(cumulative, overrides = {}, options = {}) {
      const now = Number((await chain.client.getBlock()).timestamp);
      const voucher: Voucher = { provider: node, recipient: chain.recipient, token: chain.deployment.token, cumulativeAmount: cumulative.toString(), expiry: Math.max(now, Math.floor(Date.now() / 1000)) + 3600, ...overrides };
      const domain = { chainId: options.chainId ?? chain.anvil.chainId, vault: options.vault ?? chain.deployment.vault };
      return { voucher, signature: await signVoucher(options.signer ?? chain.coordinator, domain, voucher), digest: voucherDigest(domain, voucher) };
    },
    receive(signed) {
      ledger.vouchers.record(signed.voucher, signed.signature, signed.digest);
    },
    async openWallet(extra = {}) {
      const wallet = await Wallet.open({ dataDir: temp.dir, ledger: () => ledger, marketplace: () => marketplace, logger: pino({ enabled: false }), kdf: TEST_KDF, receiptTimeoutMs: 5000, ...extra });
      wallets.push(wallet);
      return wallet;
    },
    async cleanup() {
      for (const wallet of wallets) wallet.lock();
      ledger.close();
      await temp.remove();
    },
  };
}

/** The checksummed form, for comparisons. */
export const checksum = (address: string): Address => getAddress(address);
