/** The coordinator's JobSigner for the dispatcher: EIP-712 `Job` signatures by its pinned key (docs/protocol.md). */
import type { Address, LocalAccount } from 'viem';
import { signJob } from '../../common/wire/job-signature.js';
import type { JobSigner } from '../dispatch/job-signer.js';

/** A JobSigner over the coordinator's key; `address` is what providers pin. */
export function eip712JobSigner(account: LocalAccount, chainId: number): JobSigner & { address: Address; chainId: number } {
  return { address: account.address, chainId, sign: (job) => signJob(account, chainId, job) };
}
