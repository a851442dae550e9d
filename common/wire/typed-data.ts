/**
 * The EIP-712 domains and types of the marketplace protocol (docs/protocol.md, "Signatures"), and the
 * mapping from each wire object to its typed-data message. Both sides build the same message from the
 * same JSON, so a signature checks out exactly when every signed field matches.
 */
import type { Address, Hex } from 'viem';
import type { JobSpec, Receipt, Voucher } from '../marketplace-protocol.js';

/** The chain id both sides use unless told otherwise: anvil's, for a local chain (docs/protocol.md §10). */
export const DEFAULT_CHAIN_ID = 31337;

/** EIP-712 domain name of jobs, receipts and acks. */
export const MARKETPLACE_DOMAIN_NAME = 'Hearth Marketplace';
/** EIP-712 domain name of payout vouchers (the PayoutVault contract's). */
export const VAULT_DOMAIN_NAME = 'Hearth PayoutVault';

/** The domain of jobs, receipts and acks: no verifying contract, the coordinator is not one. */
export function marketplaceDomain(chainId: number) {
  return { name: MARKETPLACE_DOMAIN_NAME, version: '1', chainId } as const;
}

/** The PayoutVault's domain, which vouchers are signed under. */
export function vaultDomain(chainId: number, vault: Address) {
  return { name: VAULT_DOMAIN_NAME, version: '1', chainId, verifyingContract: vault } as const;
}

/** `Job(string id,uint64 deadline,bytes32 modelSha256,uint64 modelBytes,string modelUrl,bytes32 inputSha256,string[] outputs,address token,uint256 amount,string verification)`. */
export const jobTypes = {
  Job: [
    { name: 'id', type: 'string' },
    { name: 'deadline', type: 'uint64' },
    { name: 'modelSha256', type: 'bytes32' },
    { name: 'modelBytes', type: 'uint64' },
    { name: 'modelUrl', type: 'string' },
    { name: 'inputSha256', type: 'bytes32' },
    { name: 'outputs', type: 'string[]' },
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'verification', type: 'string' },
  ],
} as const;

/** `Receipt(string jobId,bytes32 modelSha256,bytes32 inputSha256,bytes32 outputSha256,bytes32 fingerprintHash,uint64 runMicros,string executionProvider,string deviceId,uint64 seq)`. */
export const receiptTypes = {
  Receipt: [
    { name: 'jobId', type: 'string' },
    { name: 'modelSha256', type: 'bytes32' },
    { name: 'inputSha256', type: 'bytes32' },
    { name: 'outputSha256', type: 'bytes32' },
    { name: 'fingerprintHash', type: 'bytes32' },
    { name: 'runMicros', type: 'uint64' },
    { name: 'executionProvider', type: 'string' },
    { name: 'deviceId', type: 'string' },
    { name: 'seq', type: 'uint64' },
  ],
} as const;

/** `ReceiptAck(string jobId,address provider,uint64 seq,bytes32 receipt,uint256 credited)`. */
export const ackTypes = {
  ReceiptAck: [
    { name: 'jobId', type: 'string' },
    { name: 'provider', type: 'address' },
    { name: 'seq', type: 'uint64' },
    { name: 'receipt', type: 'bytes32' },
    { name: 'credited', type: 'uint256' },
  ],
} as const;

/** `Voucher(address provider,address recipient,address token,uint256 cumulativeAmount,uint64 expiry)`. */
export const voucherTypes = {
  Voucher: [
    { name: 'provider', type: 'address' },
    { name: 'recipient', type: 'address' },
    { name: 'token', type: 'address' },
    { name: 'cumulativeAmount', type: 'uint256' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const;

/** A 64-digit hex sha256 as bytes32. */
export function bytes32(sha256Hex: string): Hex {
  return `0x${sha256Hex}`;
}

/**
 * The signed message of a job. It names no provider: the coordinator signs a job once and may offer it
 * to several (retries, redundant verification). An absent output list signs as `[]`, and a provider
 * treats `[]` like an absent list (all of the model's outputs).
 */
export function jobMessage(job: JobSpec) {
  return {
    id: job.id,
    deadline: BigInt(job.deadline),
    modelSha256: bytes32(job.model.sha256),
    modelBytes: BigInt(job.model.bytes),
    modelUrl: job.model.url,
    inputSha256: bytes32(job.inputSha256),
    outputs: job.outputs ?? [],
    token: job.price.token as Address,
    amount: BigInt(job.price.amount),
    verification: job.verification,
  };
}

/** Run time in whole microseconds, as the receipt signs it (runMs is a float on the wire). */
export function runMicros(runMs: number): bigint {
  return BigInt(Math.round(runMs * 1000));
}

/** The signed message of a receipt. */
export function receiptMessage(receipt: Receipt) {
  return {
    jobId: receipt.jobId,
    modelSha256: bytes32(receipt.modelSha256),
    inputSha256: bytes32(receipt.inputSha256),
    outputSha256: bytes32(receipt.outputSha256),
    fingerprintHash: receipt.fingerprintHash as Hex,
    runMicros: runMicros(receipt.runMs),
    executionProvider: receipt.executionProvider,
    deviceId: receipt.deviceId,
    seq: BigInt(receipt.seq),
  };
}

/** What a `receipt.ack` countersigns. */
export type AckFields = { jobId: string; provider: Address; seq: number; receiptDigest: Hex; credited: bigint };

/** The signed message of a receipt acknowledgement. */
export function ackMessage(ack: AckFields) {
  return { jobId: ack.jobId, provider: ack.provider, seq: BigInt(ack.seq), receipt: ack.receiptDigest, credited: ack.credited };
}

/** The signed message of a voucher. */
export function voucherMessage(voucher: Voucher) {
  return {
    provider: voucher.provider as Address,
    recipient: voucher.recipient as Address,
    token: voucher.token as Address,
    cumulativeAmount: BigInt(voucher.cumulativeAmount),
    expiry: BigInt(voucher.expiry),
  };
}
