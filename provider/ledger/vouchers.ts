/**
 * Vouchers: the coordinator's signed cumulative totals per token. Every voucher that advanced the total
 * is kept with its signature and EIP-712 digest; a digest is stored once (dedupe by digest, never by
 * signature bytes: a high-s copy of a signature is a different byte string for the same voucher).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { Address, Amount, Hex, Voucher } from '../../common/marketplace-protocol.js';
import { checkInput, parseRow } from './rows.js';

/** An EIP-712 digest: 32 bytes as 0x-prefixed lower-case hex. */
export const VoucherDigest = z.string().regex(/^0x[0-9a-fA-F]{64}$/).transform((digest) => digest.toLowerCase());

/** A voucher as stored. Addresses are lower-case (EIP-712 hashes them case-blind). */
export interface StoredVoucher {
  voucher: Voucher;
  signature: string;
  digest: string;
  receivedAt: number;
}

/**
 * What `record` did: `stored` (now the latest for its token), `duplicate` (digest seen before, nothing
 * changed), `stale` (below the latest, or equal to it, to the same recipient and expiring no later: not
 * stored). A voucher for the same total to another recipient is stored: the node named a new one.
 */
export type VoucherOutcome = 'stored' | 'duplicate' | 'stale';

const VoucherRow = z.object({
  digest: z.string(),
  token: Address,
  provider: Address,
  recipient: Address,
  cumulative_amount: Amount,
  expiry: z.number().int().nonnegative(),
  signature: Hex,
  received_at: z.number().int(),
});

// Canonical decimals order by (length, text): numeric order for any size, without leaving TEXT.
// Among vouchers for the highest total, the one received last: a later expiry or a new recipient.
const LATEST = 'ORDER BY length(cumulative_amount) DESC, cumulative_amount DESC, row DESC LIMIT 1';

/** Stores vouchers and answers which one is the latest per token. */
export class VoucherStore {
  private readonly insert;
  private readonly selectDigest;
  private readonly selectLatest;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO vouchers (digest, token, provider, recipient, cumulative_amount, expiry, signature, received_at)
       VALUES (@digest, @token, @provider, @recipient, @cumulativeAmount, @expiry, @signature, @at)`,
    );
    this.selectDigest = db.prepare('SELECT 1 FROM vouchers WHERE digest = ?').pluck();
    this.selectLatest = db.prepare(`SELECT * FROM vouchers WHERE token = ? ${LATEST}`);
  }

  /** Stores a verified voucher unless its digest is known or it does not advance its token's latest. */
  record(voucher: Voucher, signature: string, digest: string): VoucherOutcome {
    const parsed = checkInput(Voucher, voucher, 'voucher');
    const lower = { ...parsed, provider: parsed.provider.toLowerCase(), recipient: parsed.recipient.toLowerCase(), token: parsed.token.toLowerCase() };
    const checkedSignature = checkInput(Hex, signature, 'signature');
    const checkedDigest = checkInput(VoucherDigest, digest, 'voucher digest');
    return this.db.transaction((): VoucherOutcome => {
      if (this.selectDigest.get(checkedDigest) !== undefined) return 'duplicate';
      const latest = this.latest(lower.token);
      if (latest !== null) {
        const amount = BigInt(lower.cumulativeAmount);
        const latestAmount = BigInt(latest.voucher.cumulativeAmount);
        const sameRecipient = lower.recipient === latest.voucher.recipient.toLowerCase();
        if (amount < latestAmount || (amount === latestAmount && sameRecipient && lower.expiry <= latest.voucher.expiry)) return 'stale';
      }
      this.insert.run({ ...lower, digest: checkedDigest, signature: checkedSignature, at: this.now() });
      return 'stored';
    }).immediate();
  }

  /** The latest voucher for `token` (highest cumulative amount, then latest expiry), or null. */
  latest(token: string): StoredVoucher | null {
    const raw: unknown = this.selectLatest.get(token.toLowerCase());
    if (raw === undefined) return null;
    const row = parseRow(VoucherRow, raw, 'voucher');
    return {
      voucher: { provider: row.provider, recipient: row.recipient, token: row.token, cumulativeAmount: row.cumulative_amount, expiry: row.expiry },
      signature: row.signature,
      digest: row.digest,
      receivedAt: row.received_at,
    };
  }
}
