/**
 * The coordinator's durable state in one SQLite file (`marketplace.sqlite` in its data folder): the
 * acks and credits (through its SeqBook), each node's credited totals per token, and the vouchers it
 * issued. Everything is committed before the message that announces it is sent.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Address, Hex } from 'viem';
import type { Voucher } from '../../common/marketplace-protocol.js';
import type { SeqBook } from '../provider-link/seq-book.js';
import { MEMORY_STORE, openStoreDatabase } from './store-database.js';
import { sqliteSeqBook } from './sqlite-seq-book.js';
import { type SqliteReputationStore, sqliteReputationStore } from './sqlite-reputation-store.js';

/** A node's credited total in one token. */
export type CreditTotal = { node: string; token: string; total: bigint; jobs: number };

/** A voucher as issued: the signed fields, where it is redeemed, and its digest. */
export type IssuedVoucher = { voucher: Voucher; signature: Hex; digest: Hex; chainId: number; vault: Address; issuedAt: number };

type VoucherRow = {
  digest: Hex;
  node: Address;
  recipient: Address;
  token: Address;
  cumulative_amount: string;
  expiry: number;
  chain_id: number;
  vault: Address;
  signature: Hex;
  issued_at: number;
};

/** The open store. */
export class CoordinatorStore {
  /** Acks and credits; hand it to the provider link. */
  readonly seqBook: SeqBook;
  /** Provider scores; hand it to the verifier's Reputation. */
  readonly reputation: SqliteReputationStore;
  private readonly totalOf;
  private readonly allTotals;
  private readonly insertVoucher;
  private readonly latestVoucher;

  private constructor(
    readonly db: BetterSqlite3.Database,
    /** Where it lives (`:memory:` for a store that ends with the process). */
    readonly path: string,
    private readonly now: () => number,
  ) {
    this.seqBook = sqliteSeqBook(db, now);
    this.reputation = sqliteReputationStore(db);
    this.totalOf = db.prepare('SELECT total FROM credit_totals WHERE node = ? AND token = ?').pluck();
    this.allTotals = db.prepare('SELECT node, token, total, jobs FROM credit_totals ORDER BY node, token');
    this.insertVoucher = db.prepare(
      `INSERT INTO vouchers (digest, node, recipient, token, cumulative_amount, expiry, chain_id, vault, signature, issued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING`,
    );
    this.latestVoucher = db.prepare('SELECT * FROM vouchers WHERE node = ? AND token = ? AND chain_id = ? AND vault = ? ORDER BY row DESC LIMIT 1');
  }

  /** Opens (creating and migrating) the store at `path`; in memory when none is given. */
  static open(path: string = MEMORY_STORE, now: () => number = Date.now): CoordinatorStore {
    return new CoordinatorStore(openStoreDatabase(path, { now }), path, now);
  }

  /** What `node` has been credited in `token` (0 when nothing). */
  creditedTotal(node: string, token: string): bigint {
    return BigInt((this.totalOf.get(node.toLowerCase(), token.toLowerCase()) as string | undefined) ?? '0');
  }

  /** Every node's totals, by node then token. */
  totals(): CreditTotal[] {
    return (this.allTotals.all() as { node: string; token: string; total: string; jobs: number }[]).map((row) => ({ ...row, total: BigInt(row.total) }));
  }

  /** Keeps a signed voucher (once per digest). */
  recordVoucher(issued: IssuedVoucher): void {
    const { voucher } = issued;
    this.insertVoucher.run(
      issued.digest.toLowerCase(),
      voucher.provider.toLowerCase(),
      voucher.recipient.toLowerCase(),
      voucher.token.toLowerCase(),
      voucher.cumulativeAmount,
      voucher.expiry,
      issued.chainId,
      issued.vault.toLowerCase(),
      issued.signature,
      issued.issuedAt,
    );
  }

  /** The last voucher issued to `node` for `token` under this vault, or null. */
  latestVoucherFor(node: string, token: string, chainId: number, vault: string): IssuedVoucher | null {
    const row = this.latestVoucher.get(node.toLowerCase(), token.toLowerCase(), chainId, vault.toLowerCase()) as VoucherRow | undefined;
    if (row === undefined) return null;
    return {
      voucher: { provider: row.node, recipient: row.recipient, token: row.token, cumulativeAmount: row.cumulative_amount, expiry: row.expiry },
      signature: row.signature,
      digest: row.digest,
      chainId: row.chain_id,
      vault: row.vault,
      issuedAt: row.issued_at,
    };
  }

  /** Closes the file (after which nothing may be recorded). */
  close(): void {
    if (!this.db.open) return;
    this.reputation.flush();
    this.db.close();
  }
}
