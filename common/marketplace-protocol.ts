/**
 * The open protocol between a provider and a coordinator (docs/protocol.md explains it for other
 * implementers). One WebSocket, dialled out by the provider. Every frame is binary:
 *
 *   "HRT1" · u32 LE header length · header (UTF-8 JSON, one message below) · tensor bytes
 *
 * A message that carries tensors lists them in its header as {name, datatype, shape, byteLength}; their
 * bytes follow the header back to back in that order. Tensors never travel as JSON numbers or base64.
 * Amounts are decimal strings of the token's base units; times are epoch milliseconds, except a voucher's
 * `expiry`, which is in seconds because the PayoutVault compares it with `block.timestamp`.
 */
import { z } from 'zod';
import { Datatype, MAX_RANK, TensorName } from './tensor.js';
import { ExecutionProviderName, Sha256Hex, WorkerErrorCode } from './worker-protocol.js';

export const PROTOCOL_VERSION = 1;
/** The frame magic: "HRT1". */
export const FRAME_MAGIC = 0x31545248;
/** Largest frame either side accepts; a larger one closes the connection with `frame_too_large`. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Largest JSON header inside a frame. */
export const MAX_HEADER_BYTES = 256 * 1024;

export const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
export const Hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/).max(4096);
/** An amount in the token's base units: a decimal integer string that fits a uint256, never a float. */
export const Amount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/)
  // zod runs a refinement even after the regex failed, so it guards its own BigInt().
  .refine((s) => !/^[0-9]+$/.test(s) || BigInt(s) < 2n ** 256n, 'does not fit a uint256');
export const JobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** A tensor's description in a frame header; its bytes follow the header. */
export const TensorHead = z.object({
  name: TensorName,
  datatype: Datatype,
  shape: z.array(z.number().int().nonnegative().max(2 ** 31 - 1)).max(MAX_RANK),
  byteLength: z.number().int().nonnegative().max(MAX_FRAME_BYTES),
});
export type TensorHead = z.infer<typeof TensorHead>;

export const Verification = z.enum(['none', 'canary', 'redundant']);

/** What a coordinator asks a provider to run; the coordinator's pinned key signs its digest. */
export const JobSpec = z.object({
  id: JobId,
  deadline: z.number().int().positive(),
  model: z.object({ sha256: Sha256Hex, bytes: z.number().int().positive(), url: z.string().url().max(2048) }),
  /** sha256 of the inputs in the canonical tensor encoding (the same as a result's outputSha256). */
  inputSha256: Sha256Hex,
  /** Output names to return; absent means all of the model's outputs (an empty list is refused). */
  outputs: z.array(TensorName).min(1).max(64).optional(),
  price: z.object({ token: Address, amount: Amount }),
  verification: Verification,
});
export type JobSpec = z.infer<typeof JobSpec>;

/** What the provider signs for each result (EIP-712, `Receipt` type in docs/protocol.md). */
export const Receipt = z.object({
  jobId: JobId,
  modelSha256: Sha256Hex,
  inputSha256: Sha256Hex,
  outputSha256: Sha256Hex,
  /** keccak256 of the fingerprint's canonical JSON. */
  fingerprintHash: z.string().regex(/^0x[0-9a-f]{64}$/),
  runMs: z.number().nonnegative(),
  executionProvider: ExecutionProviderName,
  deviceId: z.string().max(200),
  /** Per-provider sequence number, one more than the last receipt's. */
  seq: z.number().int().nonnegative(),
});
export type Receipt = z.infer<typeof Receipt>;

/** The cumulative payout voucher (EIP-712 `Voucher`, verified against the PayoutVault's domain). */
export const Voucher = z.object({
  provider: Address,
  recipient: Address,
  token: Address,
  cumulativeAmount: Amount,
  expiry: z.number().int().nonnegative(),
});
export type Voucher = z.infer<typeof Voucher>;

export const DeviceSummary = z.object({
  id: z.string().max(200),
  name: z.string().max(200),
  vendor: z.enum(['nvidia', 'amd', 'intel', 'apple', 'other']),
  vramBytes: z.number().int().nonnegative().nullable(),
  executionProvider: ExecutionProviderName.nullable(),
});

/**
 * Where this marketplace pays: the chain, the PayoutVault its vouchers are signed for, the ERC-20 token,
 * and optionally a JSON-RPC URL and a block explorer for the chain. Announced in `welcome`.
 */
export const PayoutInfo = z.object({
  chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  vault: Address,
  token: Address,
  tokenSymbol: z.string().min(1).max(20),
  tokenDecimals: z.number().int().min(0).max(36),
  rpcUrl: z.string().url().max(2048).nullable(),
  explorerUrl: z.string().url().max(2048).nullable(),
});
export type PayoutInfo = z.infer<typeof PayoutInfo>;

export const RejectReason = z.enum(['bad_signature', 'expired', 'model_unavailable', 'input_too_large', 'price_invalid', 'paused', 'busy', 'duplicate', 'invalid']);

/** Coordinator → provider. */
export const FromCoordinator = z.discriminatedUnion('type', [
  z.object({ type: z.literal('challenge'), version: z.literal(PROTOCOL_VERSION), nonce: Hex, coordinator: Address }),
  z.object({
    type: z.literal('welcome'),
    providerId: Address,
    lastSeq: z.number().int().nonnegative(),
    heartbeatMs: z.number().int().positive(),
    /** Absent when the marketplace pays on no chain (credits only). */
    payout: PayoutInfo.optional(),
  }),
  z.object({ type: z.literal('job.offer'), job: JobSpec, signature: Hex, inputs: z.array(TensorHead).max(64) }),
  z.object({ type: z.literal('job.cancel'), jobId: JobId, reason: z.string().max(200) }),
  z.object({ type: z.literal('receipt.ack'), jobId: JobId, seq: z.number().int().nonnegative(), credited: Amount, signature: Hex }),
  z.object({ type: z.literal('voucher'), voucher: Voucher, signature: Hex }),
  z.object({ type: z.literal('error'), code: z.string().max(64), message: z.string().max(2000) }),
]);
export type FromCoordinator = z.infer<typeof FromCoordinator>;

/** Provider → coordinator. */
export const FromProvider = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    version: z.literal(PROTOCOL_VERSION),
    node: Address,
    app: z.string().max(50),
    devices: z.array(DeviceSummary).max(64),
    warmModels: z.array(Sha256Hex).max(1000),
    /** Runs per second on the reference models, by model sha256. */
    benchmarks: z.record(Sha256Hex, z.number().nonnegative()),
    /** The node key's signature over the challenge nonce (EIP-191 personal message). */
    signature: Hex,
    /** Jobs this node still holds from before a reconnect: results it will deliver. */
    resumeJobs: z.array(JobId).max(1000),
    /** Where this node's vouchers pay out; the node address when absent. */
    recipient: Address.optional(),
  }),
  z.object({
    type: z.literal('heartbeat'),
    load: z.number().nonnegative(),
    inFlight: z.number().int().nonnegative(),
    freeVramBytes: z.number().int().nonnegative().nullable(),
    warmModels: z.array(Sha256Hex).max(1000),
    paused: z.string().max(200).nullable(),
  }),
  z.object({ type: z.literal('job.accept'), jobId: JobId }),
  z.object({ type: z.literal('job.reject'), jobId: JobId, reason: RejectReason, message: z.string().max(2000) }),
  z.object({ type: z.literal('job.result'), jobId: JobId, receipt: Receipt, signature: Hex, outputs: z.array(TensorHead).max(64) }),
  z.object({ type: z.literal('job.fail'), jobId: JobId, code: WorkerErrorCode, retryable: z.boolean(), message: z.string().max(2000) }),
  z.object({ type: z.literal('drain'), reason: z.string().max(200) }),
  /** The node's payout recipient changed (the user made or chose a wallet): vouchers from now on pay it. */
  z.object({ type: z.literal('recipient'), recipient: Address }),
  z.object({ type: z.literal('bye') }),
]);
export type FromProvider = z.infer<typeof FromProvider>;
