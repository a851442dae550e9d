/** The coordinator's EIP-712 signature over a job (docs/protocol.md). */
import { type Address, type Hex, type LocalAccount, hashTypedData } from 'viem';
import type { JobSpec } from '../marketplace-protocol.js';
import { signedBy } from './signatures.js';
import { jobMessage, jobTypes, marketplaceDomain } from './typed-data.js';

/** The EIP-712 digest of a job. */
export function jobDigest(chainId: number, job: JobSpec): Hex {
  return hashTypedData({ domain: marketplaceDomain(chainId), types: jobTypes, primaryType: 'Job', message: jobMessage(job) });
}

/** Signs a job with the coordinator's key. */
export function signJob(coordinator: LocalAccount, chainId: number, job: JobSpec): Promise<Hex> {
  return coordinator.signTypedData({ domain: marketplaceDomain(chainId), types: jobTypes, primaryType: 'Job', message: jobMessage(job) });
}

/** True when `signature` is the pinned coordinator's canonical signature of `job`. */
export function verifyJobSignature(chainId: number, job: JobSpec, signature: string, coordinator: Address): Promise<boolean> {
  return signedBy(() => jobDigest(chainId, job), signature, coordinator);
}
