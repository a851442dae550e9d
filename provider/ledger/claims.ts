/**
 * Claims: one row per voucher digest the wallet tried to redeem, and its state machine
 * (voucher → simulated → signed → broadcast → confirmed | failed). Each state is committed before the
 * side effect that follows it: the signed raw transaction and its hash are on disk before it is
 * broadcast, so a crash at any point resumes without a second, different transaction (SECURITY.md 20).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { Address, Amount, Hex } from '../../common/marketplace-protocol.js';
import { amountCheck } from './amounts.js';
import { LedgerError } from './ledger-error.js';
import { parseRow } from './rows.js';

/** Every claim state, in order. */
export const CLAIM_STATES = ['voucher', 'simulated', 'signed', 'broadcast', 'confirmed', 'failed'] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];

/** Migration 3's SQL. Shipped: never edit it, add a migration instead. */
export const CLAIMS_MIGRATION_SQL = `
  CREATE TABLE claims (
    digest TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('voucher', 'simulated', 'signed', 'broadcast', 'confirmed', 'failed')),
    chain_id INTEGER NOT NULL,
    vault TEXT NOT NULL,
    token TEXT NOT NULL,
    provider TEXT NOT NULL,
    recipient TEXT NOT NULL,
    cumulative_amount TEXT NOT NULL CHECK (${amountCheck('cumulative_amount')}),
    expiry INTEGER NOT NULL,
    signature TEXT NOT NULL,
    expected_paid TEXT CHECK (expected_paid IS NULL OR (${amountCheck('expected_paid')})),
    sender TEXT,
    nonce INTEGER,
    raw_tx TEXT,
    tx_hash TEXT,
    broadcasts INTEGER NOT NULL DEFAULT 0,
    paid TEXT CHECK (paid IS NULL OR (${amountCheck('paid')})),
    block_number INTEGER,
    gas_used TEXT,
    fail_code TEXT,
    reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX claims_by_time ON claims (created_at);
  CREATE INDEX claims_unfinished ON claims (created_at) WHERE state NOT IN ('confirmed', 'failed');
`;

// From each state, where the machine may go. `voucher` again means "start over from the checks": a
// signed transaction whose nonce another transaction used can never be mined, so a fresh one is safe.
const NEXT: Record<ClaimState, readonly ClaimState[]> = {
  voucher: ['simulated', 'failed'],
  simulated: ['signed', 'failed', 'voucher'],
  signed: ['broadcast', 'confirmed', 'failed', 'voucher'],
  broadcast: ['confirmed', 'failed', 'voucher'],
  confirmed: [],
  failed: ['voucher'],
};

/** A claim as stored. */
export interface ClaimRecord {
  digest: string;
  state: ClaimState;
  chainId: number;
  vault: string;
  token: string;
  voucher: { provider: string; recipient: string; token: string; cumulativeAmount: string; expiry: number };
  signature: string;
  expectedPaid: string | null;
  sender: string | null;
  nonce: number | null;
  rawTx: string | null;
  txHash: string | null;
  /** How many times the stored raw transaction was handed to the RPC (the same bytes each time). */
  broadcasts: number;
  paid: string | null;
  blockNumber: number | null;
  gasUsed: string | null;
  failCode: string | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Fields a transition may set (null clears). */
export type ClaimUpdate = Partial<Pick<ClaimRecord, 'expectedPaid' | 'sender' | 'nonce' | 'rawTx' | 'txHash' | 'paid' | 'blockNumber' | 'gasUsed' | 'failCode' | 'reason'>>;

const ClaimRow = z.object({
  digest: z.string(),
  state: z.enum(CLAIM_STATES),
  chain_id: z.number().int().positive(),
  vault: Address,
  token: Address,
  provider: Address,
  recipient: Address,
  cumulative_amount: Amount,
  expiry: z.number().int().nonnegative(),
  signature: Hex,
  expected_paid: Amount.nullable(),
  sender: Address.nullable(),
  nonce: z.number().int().nonnegative().nullable(),
  raw_tx: Hex.or(z.string().regex(/^0x[0-9a-f]*$/)).nullable(),
  tx_hash: z.string().regex(/^0x[0-9a-f]{64}$/).nullable(),
  broadcasts: z.number().int().nonnegative(),
  paid: Amount.nullable(),
  block_number: z.number().int().nonnegative().nullable(),
  gas_used: z.string().nullable(),
  fail_code: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

const COLUMNS: Record<keyof ClaimUpdate, string> = {
  expectedPaid: 'expected_paid',
  sender: 'sender',
  nonce: 'nonce',
  rawTx: 'raw_tx',
  txHash: 'tx_hash',
  paid: 'paid',
  blockNumber: 'block_number',
  gasUsed: 'gas_used',
  failCode: 'fail_code',
  reason: 'reason',
};

/** What a new claim row starts from. */
export interface NewClaim {
  digest: string;
  chainId: number;
  vault: string;
  voucher: ClaimRecord['voucher'];
  signature: string;
}

/** Stores claims and moves them through their states, one transaction per move. */
export class ClaimStore {
  private readonly insert;
  private readonly select;
  private readonly selectPage;
  private readonly selectUnfinished;
  private readonly countBroadcast;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO claims (digest, state, chain_id, vault, token, provider, recipient, cumulative_amount, expiry, signature, created_at, updated_at)
       VALUES (@digest, 'voucher', @chainId, @vault, @token, @provider, @recipient, @cumulativeAmount, @expiry, @signature, @at, @at)`,
    );
    this.select = db.prepare('SELECT * FROM claims WHERE digest = ?');
    this.selectPage = db.prepare('SELECT * FROM claims ORDER BY created_at DESC, digest LIMIT ?');
    this.selectUnfinished = db.prepare("SELECT * FROM claims WHERE state NOT IN ('confirmed', 'failed') ORDER BY created_at");
    this.countBroadcast = db.prepare('UPDATE claims SET broadcasts = broadcasts + 1, updated_at = ? WHERE digest = ?');
  }

  /** The claim for `digest`, creating it in `voucher` when new; an existing row is returned unchanged. */
  begin(claim: NewClaim): ClaimRecord {
    const digest = claim.digest.toLowerCase();
    return this.db.transaction(() => {
      const existing = this.get(digest);
      if (existing !== null) return existing;
      const v = claim.voucher;
      this.insert.run({
        digest,
        chainId: claim.chainId,
        vault: claim.vault.toLowerCase(),
        token: v.token.toLowerCase(),
        provider: v.provider.toLowerCase(),
        recipient: v.recipient.toLowerCase(),
        cumulativeAmount: v.cumulativeAmount,
        expiry: v.expiry,
        signature: claim.signature,
        at: this.now(),
      });
      return this.get(digest)!;
    }).immediate();
  }

  /** The claim for `digest`, or null. */
  get(digest: string): ClaimRecord | null {
    const raw: unknown = this.select.get(digest.toLowerCase());
    return raw === undefined ? null : toRecord(parseRow(ClaimRow, raw, 'claim'));
  }

  /** Moves a claim to `to` with `update`, only from a state that allows it; commits before returning. */
  move(digest: string, to: ClaimState, update: ClaimUpdate = {}): ClaimRecord {
    const key = digest.toLowerCase();
    return this.db.transaction(() => {
      const current = this.get(key);
      if (current === null) throw new LedgerError('invalid_input', `No claim for voucher ${key}.`);
      if (current.state !== to && !NEXT[current.state].includes(to)) {
        throw new LedgerError('illegal_transition', `Claim ${key.slice(0, 10)}… is ${current.state}; it cannot move to ${to}.`);
      }
      const sets = ['state = @state', 'updated_at = @at'];
      const params: Record<string, unknown> = { state: to, at: this.now(), digest: key };
      for (const [field, column] of Object.entries(COLUMNS) as [keyof ClaimUpdate, string][]) {
        if (!(field in update)) continue;
        sets.push(`${column} = @${field}`);
        params[field] = update[field] ?? null;
      }
      this.db.prepare(`UPDATE claims SET ${sets.join(', ')} WHERE digest = @digest`).run(params);
      return this.get(key)!;
    }).immediate();
  }

  /** Records that the stored raw transaction is about to be handed to the RPC once more. */
  noteBroadcast(digest: string): void {
    this.countBroadcast.run(this.now(), digest.toLowerCase());
  }

  /** The newest claims first. */
  list(limit = 100): ClaimRecord[] {
    return this.selectPage.all(limit).map((raw) => toRecord(parseRow(ClaimRow, raw, 'claim')));
  }

  /** Claims not yet confirmed or failed, oldest first: what to resume after a restart. */
  unfinished(): ClaimRecord[] {
    return this.selectUnfinished.all().map((raw) => toRecord(parseRow(ClaimRow, raw, 'claim')));
  }
}

function toRecord(row: z.output<typeof ClaimRow>): ClaimRecord {
  return {
    digest: row.digest,
    state: row.state,
    chainId: row.chain_id,
    vault: row.vault,
    token: row.token,
    voucher: { provider: row.provider, recipient: row.recipient, token: row.token, cumulativeAmount: row.cumulative_amount, expiry: row.expiry },
    signature: row.signature,
    expectedPaid: row.expected_paid,
    sender: row.sender,
    nonce: row.nonce,
    rawTx: row.raw_tx,
    txHash: row.tx_hash,
    broadcasts: row.broadcasts,
    paid: row.paid,
    blockNumber: row.block_number,
    gasUsed: row.gas_used,
    failCode: row.fail_code,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
