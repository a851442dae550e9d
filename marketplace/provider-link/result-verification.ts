/**
 * What the coordinator checks of a `job.result` before it counts: the receipt is the node's canonical
 * EIP-712 signature, it names this job, model and inputs, the outputs are the ones asked for and hash
 * to its outputSha256, and its fingerprintHash is the received outputs' fingerprint.
 */
import type { Address } from 'viem';
import { fingerprintOutputs } from '../../common/fingerprint.js';
import type { JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import { fingerprintHash } from '../../common/wire/fingerprint-hash.js';
import { verifyReceiptSignature } from '../../common/wire/receipt-signature.js';
import { resultProblem } from '../dispatch/result-check.js';

/** Why a receipt is not the node's signature, or null when it is. */
export async function receiptSignatureProblem(chainId: number, receipt: Receipt, signature: string, node: Address): Promise<string | null> {
  return (await verifyReceiptSignature(chainId, receipt, signature, node)) ? null : `The receipt for job ${receipt.jobId} is not signed by node ${node}.`;
}

/** Why this result does not prove `job`, or null when it does. */
export async function resultVerificationProblem(
  chainId: number,
  job: JobSpec,
  node: Address,
  result: { receipt: Receipt; signature: string; outputs: readonly Tensor[] },
): Promise<string | null> {
  const signed = await receiptSignatureProblem(chainId, result.receipt, result.signature, node);
  if (signed !== null) return signed;
  // The contract lets `outputs: []` through; like an absent list it asks for all outputs.
  const asked = job.outputs !== undefined && job.outputs.length === 0 ? { ...job, outputs: undefined } : job;
  const problem = resultProblem(asked, result.outputs, result.receipt);
  if (problem !== null) return problem;
  if (fingerprintHash(fingerprintOutputs(result.outputs)) !== result.receipt.fingerprintHash) return 'The outputs do not match the receipt’s fingerprintHash.';
  return null;
}
