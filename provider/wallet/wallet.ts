/**
 * The provider's built-in wallet: the key file, the key in memory while unlocked (this process only:
 * never in an API output but `exportKey`, never sent to the renderer or a worker), the payout
 * recipient, and the claim machine bound to the marketplace's payout chain.
 */
import { type Address, type Hex, type PublicClient, getAddress } from 'viem';
import { type PrivateKeyAccount, generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { ClaimItem } from '../../common/api-wallet.js';
import type { MarketplaceStatus } from '../../common/api.js';
import type { PayoutInfo } from '../../common/marketplace-protocol.js';
import type { ClaimRecord } from '../ledger/claims.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../logger.js';
import { ClaimMachine } from './claim-machine.js';
import { type KeyWrapper, noKeyWrapper } from './key-wrapper.js';
import { type KeystoreFile, checkPassphrase, createKeystore, readKeystore, unlockKeystore, walletPath } from './keystore.js';
import { loadRememberedPayout, readNodeAddress, rememberPayout, samePayout } from './payout-source.js';
import { loadRecipient, parseRecipient, saveRecipient } from './recipient.js';
import { DEFAULT_RETRY, type RetryPolicy, payoutClient } from './vault-reads.js';
import type { LocalFacts, PinnedPayout } from './voucher-checks.js';
import { WalletError } from './wallet-error.js';

export type WalletOptions = {
  dataDir: string;
  /** Electron's safeStorage where real; `none` under plain Node. */
  wrapper?: KeyWrapper;
  /** The open ledger (credits, vouchers, claims), or null. */
  ledger: () => Ledger | null;
  /** The marketplace link's status (payout chain, node address), or null when there is none. */
  marketplace: () => MarketplaceStatus | null;
  /** An RPC URL that replaces the marketplace's (settings or `--rpc-url`). */
  rpcUrl?: string;
  /** Token base units one whole native coin (10^18 wei) is worth; without it `worthClaiming` is null. */
  nativePriceInToken?: () => bigint | undefined;
  /** Told after a key is created, imported or unlocked and after the recipient changes (the marketplace link re-announces the recipient; the local demo funds the address with gas). */
  onChanged?: () => void | Promise<void>;
  /** Extra voucher signers known to belong to the marketplace (to tell revoked from forged). */
  knownSigners?: readonly Address[];
  logger: Logger;
  /** Each committed claim step. */
  onClaim?: (item: ClaimItem) => void;
  retry?: RetryPolicy;
  receiptTimeoutMs?: number;
  /** scrypt cost for new key files (tests only lower it). */
  kdf?: { n: number; r: number; p: number };
  /** Called after each committed claim step, before the next side effect (crash tests stop here). */
  onClaimStep?: (record: ClaimRecord) => void;
};

/** The chain the wallet works on right now. */
export type ChainContext = { payout: PayoutInfo; pinned: PinnedPayout; rpcUrl: string; client: PublicClient };

/** The wallet; one per provider process. */
export class Wallet {
  readonly wrapper: KeyWrapper;
  private account: PrivateKeyAccount | null = null;
  private recipient: Address | null = null;
  private remembered: PayoutInfo | null = null;
  private nodeAddress: Address | null = null;
  private client: { key: string; client: PublicClient } | null = null;
  private cachedMachine: { key: string; account: PrivateKeyAccount; ledger: Ledger; value: { machine: ClaimMachine; chain: ChainContext; ledger: Ledger } } | null = null;

  private constructor(readonly options: WalletOptions) {
    this.wrapper = options.wrapper ?? noKeyWrapper;
  }

  /** Loads the recipient and the remembered payout chain; the key stays locked. */
  static async open(options: WalletOptions): Promise<Wallet> {
    const wallet = new Wallet(options);
    wallet.recipient = await loadRecipient(options.dataDir);
    wallet.remembered = await loadRememberedPayout(options.dataDir);
    wallet.nodeAddress = await readNodeAddress(options.dataDir);
    return wallet;
  }

  /** The key file's path. */
  get path(): string {
    return walletPath(this.options.dataDir);
  }

  /** The key file, or null. */
  file(): Promise<KeystoreFile | null> {
    return readKeystore(this.path);
  }

  /** The unlocked account's address, or null while locked. */
  get address(): Address | null {
    return this.account?.address ?? null;
  }

  /** The account, or `wallet_locked`. */
  unlocked(): PrivateKeyAccount {
    if (this.account === null) throw new WalletError('wallet_locked', 'The wallet is locked; unlock it with its passphrase first.');
    return this.account;
  }

  /** Creates a new random key under `passphrase` and unlocks it. */
  async create(passphrase: string): Promise<Address> {
    return this.store(generatePrivateKey(), passphrase);
  }

  /** Imports `privateKey` under `passphrase` and unlocks it. */
  async import(privateKey: string, passphrase: string): Promise<Address> {
    const key = privateKey.trim();
    return this.store((key.startsWith('0x') ? key : `0x${key}`) as Hex, passphrase);
  }

  private async store(privateKey: Hex, passphrase: string): Promise<Address> {
    const file = await createKeystore(this.path, { passphrase, privateKey, wrapper: this.wrapper, ...(this.options.kdf ? { kdf: this.options.kdf } : {}) });
    this.account = privateKeyToAccount(privateKey.toLowerCase() as Hex);
    this.options.logger.info({ address: file.address, backend: file.wrap.backend }, 'wallet created');
    await this.changed();
    return this.account.address;
  }

  /** Unlocks with the passphrase, or without one where the OS keychain remembered it. */
  async unlock(passphrase: string | null): Promise<Address> {
    const { privateKey } = await unlockKeystore(this.path, passphrase, this.wrapper);
    this.account = privateKeyToAccount(privateKey);
    this.options.logger.info({ address: this.account.address }, 'wallet unlocked');
    await this.changed();
    return this.account.address;
  }

  private async changed(): Promise<void> {
    try {
      await this.options.onChanged?.();
    } catch (err) {
      this.options.logger.warn({ err }, 'telling the provider about the wallet change failed');
    }
  }

  /** Finishes claims a crash or restart left unfinished (in the background after an unlock); logs, never throws. */
  async resumeClaims(): Promise<void> {
    try {
      const { machine } = this.machine();
      const done = await machine.resumeAll();
      if (done.length > 0) this.options.logger.info({ claims: done.map((c) => ({ digest: c.digest, state: c.state })) }, 'resumed unfinished claims');
    } catch (err) {
      this.options.logger.warn({ err }, 'could not resume unfinished claims; they resume at the next unlock or claim');
    }
  }

  /** Forgets the key in memory. */
  lock(): void {
    this.account = null;
  }

  /** The private key, only against the passphrase (the one output that carries it). */
  exportKey(passphrase: string): Promise<Hex> {
    return checkPassphrase(this.path, passphrase);
  }

  /** Where payouts go: the chosen recipient, else the built-in address (from the key file), else null. */
  async payoutRecipient(): Promise<{ recipient: Address | null; builtIn: boolean }> {
    if (this.recipient !== null) return { recipient: this.recipient, builtIn: this.account !== null && this.recipient === this.account.address };
    const address = this.account?.address ?? (await this.file().catch(() => null))?.address ?? null;
    return { recipient: address === null ? null : getAddress(address), builtIn: address !== null };
  }

  /** Sets the payout recipient after checking the address (checksum when mixed case). */
  async setRecipient(text: string): Promise<Address> {
    const recipient = parseRecipient(text);
    await saveRecipient(this.options.dataDir, recipient);
    this.recipient = recipient;
    await this.changed();
    return recipient;
  }

  /** The node address vouchers must name. */
  node(): Address | null {
    const market = this.options.marketplace();
    return market === null ? this.nodeAddress : getAddress(market.node);
  }

  /** The marketplace's payout info (remembered across restarts), or null. */
  payout(): PayoutInfo | null {
    const live = this.options.marketplace()?.payout ?? null;
    if (live !== null && !samePayout(live, this.remembered)) {
      this.remembered = live;
      rememberPayout(this.options.dataDir, live).catch((err: unknown) => this.options.logger.warn({ err }, 'could not remember the payout chain'));
    }
    return live ?? this.remembered;
  }

  /** The chain to work on, or `no_payout_chain` saying what is missing. */
  chain(): ChainContext {
    const payout = this.payout();
    if (payout === null) throw new WalletError('no_payout_chain', 'The marketplace has not announced a payout chain yet; connect to it (hearth start --marketplace …) and try again.');
    const rpcUrl = this.options.rpcUrl ?? payout.rpcUrl;
    if (rpcUrl === null) throw new WalletError('no_payout_chain', `The marketplace pays on chain ${payout.chainId} but names no RPC URL; set one with --rpc-url.`);
    const key = `${payout.chainId}|${rpcUrl}`;
    if (this.client?.key !== key) this.client = { key, client: payoutClient(rpcUrl, payout.chainId, (this.options.retry ?? DEFAULT_RETRY).timeoutMs) };
    return { payout, rpcUrl, client: this.client.client, pinned: { chainId: payout.chainId, vault: getAddress(payout.vault), token: getAddress(payout.token) } };
  }

  /** The open ledger, or `no_payout_chain` when none is open. */
  ledger(): Ledger {
    const ledger = this.options.ledger();
    if (ledger === null || !ledger.open) throw new WalletError('no_payout_chain', 'No ledger is open, so there is nothing to claim yet.');
    return ledger;
  }

  /** What the voucher checks need to know locally. */
  facts(ledger: Ledger, token: string): LocalFacts {
    const node = this.node();
    if (node === null) throw new WalletError('no_payout_chain', 'This provider has no node key yet, so no voucher can be for it.');
    const market = this.options.marketplace();
    return {
      node,
      acceptedCredits: ledger.acceptedCredits(token),
      claimState: (digest) => ledger.claims.get(digest)?.state ?? null,
      knownSigners: [...(market === null ? [] : [getAddress(market.coordinator)]), ...(this.options.knownSigners ?? [])],
      now: Date.now(),
    };
  }

  /** A claim machine for the unlocked account on the current chain. */
  machine(): { machine: ClaimMachine; chain: ChainContext; ledger: Ledger } {
    const account = this.unlocked();
    const chain = this.chain();
    const ledger = this.ledger();
    // One machine per account, chain and ledger, so concurrent starts of one digest share a run.
    const cached = this.cachedMachine;
    if (cached !== null && cached.key === this.client?.key && cached.account === account && cached.ledger === ledger) return cached.value;
    const machine = new ClaimMachine({
      claims: ledger.claims,
      client: chain.client,
      account,
      payout: chain.pinned,
      facts: () => this.facts(ledger, chain.pinned.token),
      onStep: (record) => {
        this.options.onClaimStep?.(record);
        this.options.onClaim?.(claimItem(record, chain.payout.explorerUrl));
      },
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      ...(this.options.receiptTimeoutMs ? { receiptTimeoutMs: this.options.receiptTimeoutMs } : {}),
    });
    this.cachedMachine = { key: this.client!.key, account, ledger, value: { machine, chain, ledger } };
    return this.cachedMachine.value;
  }
}

/** A stored claim as the API shows it, with an explorer link when the chain has an explorer. */
export function claimItem(record: ClaimRecord, explorerUrl: string | null): ClaimItem {
  return {
    digest: record.digest,
    state: record.state,
    chainId: record.chainId,
    token: getAddress(record.token),
    recipient: getAddress(record.voucher.recipient),
    cumulativeAmount: record.voucher.cumulativeAmount,
    expectedPaid: record.expectedPaid,
    paid: record.paid,
    txHash: record.txHash,
    explorerUrl: explorerUrl === null || record.txHash === null ? null : `${explorerUrl.replace(/\/+$/, '')}/tx/${record.txHash}`,
    failCode: record.failCode,
    reason: record.reason,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
