/**
 * An interim JobSigner: the coordinator key signs keccak256 of the job spec's JSON (keys in schema order)
 * as an EIP-191 personal message. It stands in until the EIP-712 JobSpec type of docs/protocol.md exists;
 * the in-process provider does not check it.
 */
import type { Hex } from 'viem';
import { keccak256, stringToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { JobSpec } from '../../common/marketplace-protocol.js';
import type { JobSigner } from './job-signer.js';

/** The digest the interim signer signs: keccak256 of the job's JSON with its keys in schema order. */
export function jobDigest(job: JobSpec): Hex {
  const ordered = {
    id: job.id,
    deadline: job.deadline,
    model: { sha256: job.model.sha256, bytes: job.model.bytes, url: job.model.url },
    inputSha256: job.inputSha256,
    outputs: job.outputs ?? null,
    price: { token: job.price.token, amount: job.price.amount },
    verification: job.verification,
  };
  return keccak256(stringToBytes(JSON.stringify(ordered)));
}

/** A JobSigner over a private key; `address` is the coordinator's. */
export function messageJobSigner(privateKey: Hex): JobSigner & { address: Hex } {
  const account = privateKeyToAccount(privateKey);
  return { address: account.address, sign: (job) => account.signMessage({ message: { raw: jobDigest(job) } }) };
}
