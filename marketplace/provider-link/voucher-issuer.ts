/**
 * Cumulative payout vouchers: after credits, each node gets one EIP-712 voucher for everything it was
 * credited in the payout token, signed under the PayoutVault's domain, stored, then sent. Credits
 * coalesce: at most one voucher per node per `minIntervalMs`, carrying the total at that moment. On
 * every welcome the node gets its latest voucher again, or a fresh one when its total, recipient or
 * remaining validity changed.
 */
import type { Logger } from 'pino';
import type { Address, LocalAccount } from 'viem';
import type { FromCoordinator, PayoutInfo, Voucher } from '../../common/marketplace-protocol.js';
import { sameAddress } from '../../common/wire/signatures.js';
import { signVoucher, voucherDigest } from '../../common/wire/voucher-signature.js';
import type { IssuedVoucher } from '../store/coordinator-store.js';

/** What the issuer reads and writes in the coordinator's store. */
export interface VoucherLedger {
  creditedTotal(node: string, token: string): bigint;
  recordVoucher(issued: IssuedVoucher): void;
  latestVoucherFor(node: string, token: string, chainId: number, vault: string): IssuedVoucher | null;
}

export type VoucherIssuerOptions = {
  payout: PayoutInfo;
  /** The voucher signer (the coordinator key by default); the vault must trust its address. */
  signer: LocalAccount;
  store: VoucherLedger;
  /** Sends to the node if it is connected; false otherwise. */
  send: (node: Address, message: Extract<FromCoordinator, { type: 'voucher' }>) => boolean;
  logger: Logger;
  /** Days a voucher stays claimable (default 30). */
  expiryDays?: number;
  /** The least time between two vouchers to one node (default 1 s). */
  minIntervalMs?: number;
  now?: () => number;
  /** Told after each voucher is signed and stored. */
  issued?: (voucher: IssuedVoucher) => void;
};

const DAY_SECONDS = 86_400;

/** Signs, stores and sends vouchers for one payout configuration. */
export class VoucherIssuer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastIssued = new Map<string, number>();
  private readonly recipients = new Map<string, Address>();
  private readonly busy = new Map<string, Promise<void>>();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: VoucherIssuerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A credit was committed for `node`: a voucher follows within `minIntervalMs`. */
  credited(node: Address): void {
    const key = node.toLowerCase();
    if (this.closed || this.timers.has(key)) return;
    const wait = Math.max(0, (this.lastIssued.get(key) ?? 0) + (this.options.minIntervalMs ?? 1000) - this.now());
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.run(node, false);
      }, wait),
    );
  }

  /** The node was welcomed: it gets its latest voucher again (a fresh one when anything changed). */
  welcomed(node: Address, recipient: Address): void {
    this.recipients.set(node.toLowerCase(), recipient);
    void this.run(node, true);
  }

  /** Stops issuing (pending coalesced vouchers are dropped; the next welcome re-issues them). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** One node at a time, so two runs never sign the same total twice. */
  private run(node: Address, resend: boolean): Promise<void> {
    const key = node.toLowerCase();
    const next = (this.busy.get(key) ?? Promise.resolve())
      .then(() => this.issue(node, resend))
      .catch((err: unknown) => this.options.logger.error({ err, node }, 'a voucher could not be issued'));
    this.busy.set(key, next);
    return next;
  }

  private async issue(node: Address, resend: boolean): Promise<void> {
    if (this.closed) return;
    const { payout, store } = this.options;
    const total = store.creditedTotal(node, payout.token);
    if (total === 0n) return;
    const latest = store.latestVoucherFor(node, payout.token, payout.chainId, payout.vault);
    const recipient = this.recipients.get(node.toLowerCase()) ?? latest?.voucher.recipient ?? node;
    const validityMs = (this.options.expiryDays ?? 30) * DAY_SECONDS * 1000;
    const current =
      latest !== null &&
      BigInt(latest.voucher.cumulativeAmount) === total &&
      sameAddress(latest.voucher.recipient, recipient) &&
      latest.voucher.expiry * 1000 - this.now() > validityMs / 2;
    if (current) {
      if (resend) this.options.send(node, { type: 'voucher', voucher: latest.voucher, signature: latest.signature });
      return;
    }
    const voucher: Voucher = {
      provider: node,
      recipient,
      token: payout.token,
      cumulativeAmount: total.toString(),
      // Seconds: the vault compares it with block.timestamp.
      expiry: Math.floor(this.now() / 1000) + (this.options.expiryDays ?? 30) * DAY_SECONDS,
    };
    const domain = { chainId: payout.chainId, vault: payout.vault as Address };
    const issued: IssuedVoucher = { voucher, signature: await signVoucher(this.options.signer, domain, voucher), digest: voucherDigest(domain, voucher), chainId: payout.chainId, vault: domain.vault, issuedAt: this.now() };
    if (this.closed) return;
    store.recordVoucher(issued);
    this.lastIssued.set(node.toLowerCase(), issued.issuedAt);
    this.options.issued?.(issued);
    this.options.send(node, { type: 'voucher', voucher, signature: issued.signature });
  }
}
