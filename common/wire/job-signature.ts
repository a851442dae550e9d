/** The coordinator's EIP-712 signature over a job (docs/protocol.md). */
import type { Address, Hex, LocalAccount } from 'viem';
import type { JobSpec } from '../marketplace-protocol.js';
import { signedBy } from './signatures.js';
import { jobMessage, jobTypes, marketplaceDomain } from './typed-data.js';
import { structHasher } from './typed-data-hash.js';

const hashJob = structHasher('Job', jobTypes.Job);

/** The EIP-712 digest of a job. */
export function jobDigest(chainId: number, job: JobSpec): Hex {
  return hashJob(marketplaceDomain(chainId), jobMessage(job));
}

/** Signs a job with the coordinator's key. */
export async function signJob(coordinator: LocalAccount, chainId: number, job: JobSpec): Promise<Hex> {
  // The same signature as signTypedData's (RFC 6979 over the same digest), without viem's slower hashing.
  if (coordinator.sign !== undefined) return coordinator.sign({ hash: jobDigest(chainId, job) });
  return coordinator.signTypedData({ domain: marketplaceDomain(chainId), types: jobTypes, primaryType: 'Job', message: jobMessage(job) });
}

/** True when `signature` is the pinned coordinator's canonical signature of `job`. */
export function verifyJobSignature(chainId: number, job: JobSpec, signature: string, coordinator: Address): Promise<boolean> {
  return signedBy(() => jobDigest(chainId, job), signature, coordinator);
}
