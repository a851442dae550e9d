/**
 * What the client does with a coordinator's `receipt.ack` and `voucher`: each is accepted only with a
 * canonical signature by the pinned coordinator, over exactly what this node signed or is owed.
 * Vouchers are verified against the PayoutVault's domain, for this node, unexpired; the payout code
 * (which knows the ledger's amount and the digests already used) decides what to keep.
 */
import type { Address, Hex } from 'viem';
import type { FromCoordinator, Voucher } from '../../common/marketplace-protocol.js';
import type { Logger } from '../logger.js';
import type { HeldJob } from './held-job.js';
import type { JobJournal } from './job-journal.js';
import { verifyAckSignature } from '../../common/wire/ack-signature.js';
import { sameAddress } from '../../common/wire/signatures.js';
import { verifyVoucherSignature, voucherDigest } from '../../common/wire/voucher-signature.js';

/** Where vouchers are redeemed and who may sign them; without it, vouchers are ignored. */
export type VoucherOptions = {
  chainId: number;
  vault: Address;
  /** Voucher signers besides the pinned coordinator. */
  signers?: Address[];
  onVoucher: (voucher: { voucher: Voucher; signature: string; digest: Hex }) => void | Promise<void>;
};

export type CoordinatorMessageDeps = {
  chainId: number;
  coordinator: Address;
  node: Address;
  journal: JobJournal;
  logger: Logger;
  now: () => number;
  vouchers: VoucherOptions | undefined;
  /** The job's receipt is acknowledged: it is no longer held. */
  acked: (jobId: string, seq: number, credited: bigint) => void;
};

/** Jobs whose ack is being stored (the credit may wait a few ms for a shared commit): an ack sent again meanwhile is dropped. */
const storing = new WeakSet<HeldJob>();

/**
 * Records a verified acknowledgement of one of this node's receipts, and reports it (`acked`) only once
 * the credit is on disk, so nothing reads the ledger before it holds the credit; anything else is
 * logged and dropped.
 */
export async function handleAck(message: Extract<FromCoordinator, { type: 'receipt.ack' }>, held: HeldJob | undefined, deps: CoordinatorMessageDeps): Promise<void> {
  const log = deps.logger.child({ jobId: message.jobId });
  if (held === undefined || held.result === null) return log.debug('receipt.ack for a job with no result held');
  if (storing.has(held)) return log.debug('receipt.ack again while the first is being stored');
  if (message.seq !== held.result.receipt.seq) return log.warn({ seq: message.seq }, 'receipt.ack names another seq');
  const credited = BigInt(message.credited);
  const ack = { jobId: message.jobId, provider: deps.node, seq: message.seq, receiptDigest: held.result.digest, credited };
  if (!(await verifyAckSignature(deps.chainId, ack, message.signature, deps.coordinator))) return log.warn('receipt.ack is not signed by the pinned coordinator');
  storing.add(held);
  try {
    await deps.journal.recordAck(message.jobId, { seq: message.seq, credited, signature: message.signature }, deps.now());
  } finally {
    storing.delete(held);
  }
  deps.acked(message.jobId, message.seq, credited);
}

/** Passes a voucher on when it is for this node, unexpired, and signed under the vault's domain by a pinned signer. */
export async function handleVoucher(message: Extract<FromCoordinator, { type: 'voucher' }>, deps: CoordinatorMessageDeps): Promise<void> {
  const options = deps.vouchers;
  if (options === undefined) return deps.logger.debug('voucher ignored: no vault configured');
  const { voucher, signature } = message;
  if (!sameAddress(voucher.provider, deps.node)) return deps.logger.warn({ provider: voucher.provider }, 'voucher for another node');
  // Voucher expiry is in seconds, as the vault compares it with block.timestamp.
  if (voucher.expiry * 1000 <= deps.now()) return deps.logger.warn({ expiry: voucher.expiry }, 'voucher already expired');
  const domain = { chainId: options.chainId, vault: options.vault };
  if (!(await verifyVoucherSignature(domain, voucher, signature, [deps.coordinator, ...(options.signers ?? [])]))) {
    return deps.logger.warn('voucher is not signed by a pinned signer under the vault domain');
  }
  await options.onVoucher({ voucher, signature, digest: voucherDigest(domain, voucher) });
}
