/**
 * The claim state machine: voucher → simulated → signed → broadcast → confirmed | failed, keyed by
 * the voucher's digest and committed to the ledger before each side effect. The signed raw transaction
 * and its hash are stored before the first broadcast; on resume the hash is looked up on chain first,
 * and only those same bytes are ever sent again, so a crash at any step never yields a second claim
 * transaction. A transaction that vanished while another one used its nonce is settled by reading what
 * the vault has paid.
 */
import { type Address, BaseError, ContractFunctionRevertedError, type Hex, type LocalAccount, type PublicClient, encodeFunctionData, keccak256, parseEventLogs } from 'viem';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';
import type { Voucher } from '../../common/marketplace-protocol.js';
import type { ClaimRecord, ClaimStore } from '../ledger/claims.js';
import { decideTransaction } from './signing-policy.js';
import { WalletError } from './wallet-error.js';
import { DEFAULT_RETRY, type RetryPolicy, isTransportFailure, vaultReads, withRetry } from './vault-reads.js';
import { type LocalFacts, type PinnedPayout, type VoucherCandidate, type VoucherRefusalCode, checkVoucherOffline, checkVoucherOnChain } from './voucher-checks.js';

/** Why a claim did not go ahead; `claim_would_revert` carries the decoded custom error. */
export type ClaimRefusalCode = VoucherRefusalCode | 'claim_would_revert' | 'claim_reverted' | 'insufficient_gas';

/** A claim the machine refused before sending anything. */
export class ClaimRefused extends Error {
  override readonly name = 'ClaimRefused';
  constructor(
    readonly code: ClaimRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** What `preview` tells a person before they confirm. */
export type ClaimPreview = {
  digest: Hex;
  voucher: Voucher;
  alreadyClaimed: bigint;
  /** What the claim pays the recipient, from the simulation. */
  claimable: bigint;
  gas: bigint;
  maxFeePerGas: bigint;
  /** gas × maxFeePerGas: the most the claim can cost, in wei. */
  costWei: bigint;
};

export type ClaimMachineDeps = {
  claims: ClaimStore;
  client: PublicClient;
  account: LocalAccount;
  payout: PinnedPayout;
  facts: () => LocalFacts;
  /** Called after each state is committed (progress events; crash tests stop the process here). */
  onStep?: (record: ClaimRecord) => void;
  retry?: RetryPolicy;
  /** How long to wait for a receipt before checking whether the transaction was dropped. */
  receiptTimeoutMs?: number;
};

/** Runs claims; one instance per unlocked wallet. */
export class ClaimMachine {
  private readonly retry: RetryPolicy;
  private readonly running = new Map<string, Promise<ClaimRecord>>();

  constructor(private readonly deps: ClaimMachineDeps) {
    this.retry = deps.retry ?? DEFAULT_RETRY;
  }

  /** Every check, the simulation and the gas estimate; persists nothing and sends nothing. */
  async preview(candidate: VoucherCandidate): Promise<ClaimPreview> {
    const { payout, client } = this.deps;
    const facts = this.deps.facts();
    const offline = await checkVoucherOffline(candidate, payout, facts);
    if (!offline.ok) throw new ClaimRefused(offline.code, offline.message);
    const full = await checkVoucherOnChain(offline, candidate.voucher, facts, vaultReads(client, payout.vault, this.retry));
    if (!full.ok) throw new ClaimRefused(full.code, full.message);
    const args = claimArgs(candidate.voucher, candidate.signature);
    let paid: bigint;
    try {
      const sim = await withRetry('the claim simulation', () => client.simulateContract({ address: payout.vault, abi: payoutVaultAbi, functionName: 'claim', args, account: this.deps.account.address }), this.retry);
      paid = sim.result;
    } catch (err) {
      const revert = decodeRevert(err);
      if (revert !== null) throw new ClaimRefused('claim_would_revert', `The vault would refuse this claim: ${revert}. Nothing was sent.`);
      throw err;
    }
    const gas = await withRetry('the gas estimate', () => client.estimateContractGas({ address: payout.vault, abi: payoutVaultAbi, functionName: 'claim', args, account: this.deps.account.address }), this.retry);
    const fees = await withRetry('the fee estimate', () => client.estimateFeesPerGas(), this.retry);
    const balance = await withRetry('the gas balance', () => client.getBalance({ address: this.deps.account.address }), this.retry);
    if (balance < gas * fees.maxFeePerGas) throw new ClaimRefused('insufficient_gas', insufficientGas(this.deps.account.address, gas * fees.maxFeePerGas, balance));
    return { digest: offline.digest, voucher: candidate.voucher, alreadyClaimed: full.alreadyClaimed, claimable: paid, gas, maxFeePerGas: fees.maxFeePerGas, costWei: gas * fees.maxFeePerGas };
  }

  /** Runs (or resumes) the claim of `candidate` to a final state; concurrent calls for one digest share a run. */
  run(candidate: VoucherCandidate, digest: Hex): Promise<ClaimRecord> {
    const key = digest.toLowerCase();
    const existing = this.running.get(key);
    if (existing !== undefined) return existing;
    const run = this.drive(candidate, key as Hex).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  /** Resumes every claim a crash or restart left unfinished. */
  async resumeAll(): Promise<ClaimRecord[]> {
    const done: ClaimRecord[] = [];
    for (const record of this.deps.claims.unfinished()) {
      if (record.chainId !== this.deps.payout.chainId || record.vault.toLowerCase() !== this.deps.payout.vault.toLowerCase()) continue;
      try {
        done.push(await this.run(candidateOf(record), record.digest as Hex));
      } catch (err) {
        // A refusal is already recorded as `failed`; anything else stays where it was for the next try.
        if (!(err instanceof ClaimRefused)) throw err;
      }
    }
    return done;
  }

  private async drive(candidate: VoucherCandidate, digest: Hex, restarts = 0): Promise<ClaimRecord> {
    const { claims } = this.deps;
    let record = claims.get(digest);
    if (record?.state === 'confirmed') return record;
    if (record === null || record.state === 'failed' || record.state === 'voucher') {
      // Before anything is signed, every check runs again: nothing is at stake yet.
      let preview: ClaimPreview;
      try {
        preview = await this.preview(candidate);
      } catch (err) {
        if (!(err instanceof ClaimRefused)) throw err;
        if (record !== null) this.step(claims.move(digest, 'failed', { failCode: err.code, reason: err.message }));
        throw err;
      }
      if (preview.digest !== digest) throw new ClaimRefused('voucher_tampered', 'The voucher does not match the digest it was recorded under.');
      record = this.step(claims.begin({ digest, chainId: this.deps.payout.chainId, vault: this.deps.payout.vault, voucher: candidate.voucher, signature: candidate.signature }));
      if (record.state === 'failed') this.step(claims.move(digest, 'voucher', { failCode: null, reason: null }));
      record = this.step(claims.move(digest, 'simulated', { expectedPaid: preview.claimable.toString() }));
    }
    if (record.state === 'simulated') record = await this.sign(record);
    if (record.state === 'signed') record = await this.broadcast(record);
    if (record.state === 'broadcast') record = await this.confirm(record);
    if (record.state !== 'voucher') return record;
    // The nonce went to another transaction and the vault has not paid: check and sign afresh.
    if (restarts >= 3) throw new Error(`Claim ${digest.slice(0, 10)}… lost its nonce to other transactions ${restarts} times; stop other programs using this key and claim again.`);
    return this.drive(candidate, digest, restarts + 1);
  }

  private async sign(record: ClaimRecord): Promise<ClaimRecord> {
    const { client, account, payout } = this.deps;
    const data = encodeFunctionData({ abi: payoutVaultAbi, functionName: 'claim', args: claimArgs(candidateOf(record).voucher, record.signature) });
    const decision = decideTransaction({ from: account.address, to: payout.vault, data, value: 0n, chainId: payout.chainId }, this.policyContext());
    if (!decision.allowed) throw new ClaimRefused('claim_would_revert', decision.reason);
    const nonce = await withRetry('the account nonce', () => client.getTransactionCount({ address: account.address, blockTag: 'pending' }), this.retry);
    const gas = await withRetry('the gas estimate', () => client.estimateGas({ account: account.address, to: payout.vault, data }), this.retry);
    const fees = await withRetry('the fee estimate', () => client.estimateFeesPerGas(), this.retry);
    if (account.signTransaction === undefined) throw new Error('The wallet account cannot sign transactions.');
    const raw = await account.signTransaction({ type: 'eip1559', chainId: payout.chainId, nonce, to: payout.vault, data, value: 0n, gas: (gas * 12n) / 10n, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas });
    return this.step(this.deps.claims.move(record.digest, 'signed', { sender: account.address.toLowerCase(), nonce, rawTx: raw, txHash: keccak256(raw) }));
  }

  private async broadcast(record: ClaimRecord): Promise<ClaimRecord> {
    const { client, claims } = this.deps;
    const hash = record.txHash as Hex;
    // Look first: the transaction may already be out (a crash right after sending it).
    const known = await withRetry('the transaction lookup', () => client.getTransaction({ hash }).then(() => true, (err: unknown) => (isTransportFailure(err) ? Promise.reject(err) : false)), this.retry);
    if (!known) {
      if (await this.nonceTaken(record)) return this.settleWithoutOurs(record);
      claims.noteBroadcast(record.digest);
      try {
        await withRetry('the broadcast', () => client.sendRawTransaction({ serializedTransaction: record.rawTx as Hex }), this.retry);
      } catch (err) {
        // "already known" means these bytes are out; a nonce error is settled by the next look.
        if (/insufficient funds/i.test(messageOf(err))) {
          // The signed bytes stay valid: once the wallet is funded, the next start sends exactly them.
          const balance = await client.getBalance({ address: this.deps.account.address }).catch(() => 0n);
          throw new WalletError('insufficient_gas', insufficientGas(this.deps.account.address, 0n, balance));
        }
        if (!/already known|nonce too low|known transaction/i.test(messageOf(err))) throw err;
      }
    }
    return this.step(claims.move(record.digest, 'broadcast'));
  }

  private async confirm(record: ClaimRecord): Promise<ClaimRecord> {
    const { client, claims } = this.deps;
    const hash = record.txHash as Hex;
    for (let attempt = 0; attempt < this.retry.attempts; attempt += 1) {
      const receipt = await client.waitForTransactionReceipt({ hash, timeout: this.deps.receiptTimeoutMs ?? 60_000, pollingInterval: 250, retryCount: 0 }).catch((err: unknown) => {
        if (isTransportFailure(err) || /could not be found|timed out/i.test(messageOf(err))) return null;
        throw err;
      });
      if (receipt !== null) {
        if (receipt.status !== 'success') return this.step(claims.move(record.digest, 'failed', { failCode: 'claim_reverted', reason: `The claim transaction ${hash} was mined but reverted; nothing was paid.`, blockNumber: Number(receipt.blockNumber), gasUsed: receipt.gasUsed.toString() }));
        const [event] = parseEventLogs({ abi: payoutVaultAbi, eventName: 'Claimed', logs: receipt.logs });
        return this.step(claims.move(record.digest, 'confirmed', { paid: event === undefined ? null : event.args.paid.toString(), blockNumber: Number(receipt.blockNumber), gasUsed: receipt.gasUsed.toString() }));
      }
      if (await this.nonceTaken(record)) {
        const stillOurs = await withRetry('the transaction lookup', () => client.getTransactionReceipt({ hash }).then(() => true, (err: unknown) => (isTransportFailure(err) ? Promise.reject(err) : false)), this.retry);
        if (!stillOurs) return this.settleWithoutOurs(record);
        continue;
      }
      // Dropped from the mempool: the same bytes again (same hash, same nonce: never a second claim).
      claims.noteBroadcast(record.digest);
      await withRetry('the broadcast', () => client.sendRawTransaction({ serializedTransaction: record.rawTx as Hex }), this.retry).catch(() => undefined);
    }
    return record;
  }

  /** True when the account has mined a transaction at or past this claim's nonce. */
  private async nonceTaken(record: ClaimRecord): Promise<boolean> {
    const mined = await withRetry('the account nonce', () => this.deps.client.getTransactionCount({ address: this.deps.account.address, blockTag: 'latest' }), this.retry);
    return record.nonce !== null && mined > record.nonce;
  }

  /** Our transaction can no longer be mined: confirmed if the vault paid this voucher anyway, else start over. */
  private async settleWithoutOurs(record: ClaimRecord): Promise<ClaimRecord> {
    const claimed = await vaultReads(this.deps.client, this.deps.payout.vault, this.retry).claimed(record.voucher.provider as Address, record.voucher.token as Address);
    if (claimed >= BigInt(record.voucher.cumulativeAmount)) {
      return this.step(this.deps.claims.move(record.digest, 'confirmed', { reason: 'Paid by another transaction (this one was replaced).' }));
    }
    return this.step(this.deps.claims.move(record.digest, 'voucher', { rawTx: null, txHash: null, nonce: null }));
  }

  private policyContext() {
    const { account, payout } = this.deps;
    return { chainId: payout.chainId, account: account.address, vault: payout.vault, token: payout.token, confirmedRecipients: [] };
  }

  private step(record: ClaimRecord): ClaimRecord {
    this.deps.onStep?.(record);
    return record;
  }
}

/** The claim's calldata arguments. */
export function claimArgs(voucher: Voucher, signature: string) {
  return [
    { provider: voucher.provider as Address, recipient: voucher.recipient as Address, token: voucher.token as Address, cumulativeAmount: BigInt(voucher.cumulativeAmount), expiry: BigInt(voucher.expiry) },
    signature as Hex,
  ] as const;
}

/** A stored claim as a candidate (its digest is the one it was recorded under). */
export function candidateOf(record: ClaimRecord): VoucherCandidate {
  return { voucher: record.voucher, signature: record.signature, digest: record.digest, domain: { chainId: record.chainId, vault: record.vault as Address } };
}

/** The vault's custom error behind a failed call, as `Name(arg, …)`, or null when it was no revert. */
export function decodeRevert(err: unknown): string | null {
  if (!(err instanceof BaseError)) return null;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return null;
  if (revert.data !== undefined) return `${revert.data.errorName}(${(revert.data.args ?? []).map(String).join(', ')})`;
  return revert.reason ?? 'reverted without a reason';
}

function insufficientGas(address: Address, needed: bigint, balance: bigint): string {
  return `The wallet ${address} holds ${balance} wei of the chain's coin${needed > 0n ? `, and the claim may cost up to ${needed} wei in gas` : ', not enough for the claim\'s gas'}. Send some to it and claim again; nothing was sent.`;
}

function messageOf(err: unknown): string {
  return err instanceof BaseError ? `${err.shortMessage} ${err.details ?? ''}` : err instanceof Error ? err.message : String(err);
}
