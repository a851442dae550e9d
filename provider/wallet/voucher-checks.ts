/**
 * Every check a voucher passes before the wallet spends gas on it (SECURITY.md 19), in two halves:
 * `checkVoucherOffline` (pure but for signature recovery: pinned domain, canonical low-s signature,
 * digest, our node, the payout token, expiry, our own claim history, the ledger's credits) and
 * `checkVoucherOnChain` (the vault's signer set, what it already paid, what it would pay). Each refusal
 * has a stable code the UI shows with its sentence. Vouchers are identified by digest, never by
 * signature bytes.
 */
import { type Address, type Hex, getAddress } from 'viem';
import type { Voucher } from '../../common/marketplace-protocol.js';
import { canonicalSignature, recoverSigner, sameAddress } from '../../common/wire/signatures.js';
import { type VaultDomain, voucherDigest } from '../../common/wire/voucher-signature.js';
import type { ClaimState } from '../ledger/claims.js';

/** Why a voucher is not claimed; stable, shown by the UI. */
export type VoucherRefusalCode =
  | 'voucher_foreign_chain'
  | 'voucher_other_vault'
  | 'voucher_malleated'
  | 'voucher_forged'
  | 'voucher_tampered'
  | 'voucher_not_ours'
  | 'voucher_wrong_token'
  | 'voucher_expired'
  | 'voucher_replayed'
  | 'voucher_amount_mismatch'
  | 'signer_unknown'
  | 'nothing_to_claim';

/** A refusal: its code and a sentence for a person. */
export type VoucherRefusal = { ok: false; code: VoucherRefusalCode; message: string };

/** A voucher offered for claiming, with what was recorded when it arrived. */
export type VoucherCandidate = {
  voucher: Voucher;
  signature: string;
  /** The digest recorded at receipt (absent for a voucher pasted in by hand). */
  digest?: string;
  /** The chain and vault it was received for (absent: the pinned one). */
  domain?: VaultDomain;
};

/** Where this wallet claims: the marketplace's announced chain, vault and token. */
export type PinnedPayout = VaultDomain & { token: Address };

/** What the provider itself knows. */
export type LocalFacts = {
  /** This provider's node address: vouchers must name it. */
  node: Address;
  /** The ledger's accepted credits in the voucher's token. */
  acceptedCredits: bigint;
  /** Our claim history for a digest (null: never tried). */
  claimState: (digest: Hex) => ClaimState | null;
  /** Addresses we know signed for this marketplace (pinned coordinator, configured signers). */
  knownSigners: readonly Address[];
  now: number;
};

/** What the vault says, read through a public client. */
export type VaultReads = {
  isSigner: (signer: Address) => Promise<boolean>;
  claimed: (provider: Address, token: Address) => Promise<bigint>;
};

/** The voucher passed the offline checks: its digest under the pinned domain and who signed it. */
export type OfflinePass = { ok: true; digest: Hex; signer: Address };
/** The voucher passed every check: what a claim would pay now. */
export type FullPass = OfflinePass & { alreadyClaimed: bigint; claimable: bigint };

/** A voucher must stay valid this long after the checks, so the claim can be mined in time. */
export const EXPIRY_MARGIN_MS = 60_000;

const SECP256K1_HALF_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n / 2n;

const refuse = (code: VoucherRefusalCode, message: string): VoucherRefusal => ({ ok: false, code, message });

/** The checks that need no chain; run first, so a bad voucher never costs an RPC round trip. */
export async function checkVoucherOffline(candidate: VoucherCandidate, pinned: PinnedPayout, facts: LocalFacts): Promise<OfflinePass | VoucherRefusal> {
  const { voucher, signature } = candidate;
  const domain = candidate.domain ?? pinned;
  if (domain.chainId !== pinned.chainId) return refuse('voucher_foreign_chain', `This voucher was signed for chain ${domain.chainId}, but the payout vault is on chain ${pinned.chainId}; it cannot be claimed there.`);
  if (!sameAddress(domain.vault, pinned.vault)) return refuse('voucher_other_vault', `This voucher was signed for the vault ${getAddress(domain.vault)}, not the marketplace's vault ${getAddress(pinned.vault)}.`);
  if (canonicalSignature(signature) === null) {
    return isHighS(signature)
      ? refuse('voucher_malleated', 'The voucher’s signature is a malleated (high-s) copy; Hearth only accepts the canonical form. Ask the marketplace to send the voucher again.')
      : refuse('voucher_forged', 'The voucher’s signature is malformed.');
  }
  let digest: Hex;
  try {
    digest = voucherDigest(pinned, voucher);
  } catch {
    return refuse('voucher_tampered', 'The voucher holds values that cannot be signed (an amount or expiry out of range).');
  }
  if (candidate.digest !== undefined && candidate.digest.toLowerCase() !== digest) return refuse('voucher_tampered', 'The voucher’s fields no longer match what was received and signed; it was changed after signing.');
  if (!sameAddress(voucher.provider, facts.node)) return refuse('voucher_not_ours', `This voucher pays the node ${getAddress(voucher.provider)}, not this one (${getAddress(facts.node)}).`);
  if (!sameAddress(voucher.token, pinned.token)) return refuse('voucher_wrong_token', `This voucher is in the token ${getAddress(voucher.token)}, not the marketplace’s payout token ${getAddress(pinned.token)}.`);
  if (voucher.expiry * 1000 <= facts.now + EXPIRY_MARGIN_MS) return refuse('voucher_expired', `This voucher expired at ${new Date(voucher.expiry * 1000).toISOString()} (or will before a claim could be mined); the marketplace sends a fresh one with its next credit.`);
  if (facts.claimState(digest) === 'confirmed') return refuse('voucher_replayed', 'This voucher was already claimed; its payout is in the claim history.');
  // A voucher may lag the credits acknowledged after it was signed (the rest is pending until the next
  // one), but it may never cover more than this node was credited: then the two books disagree.
  if (BigInt(voucher.cumulativeAmount) > facts.acceptedCredits) {
    return refuse('voucher_amount_mismatch', `The voucher covers ${voucher.cumulativeAmount} base units but the ledger holds only ${facts.acceptedCredits} in accepted credits for this token; the marketplace and this ledger disagree, so nothing is claimed.`);
  }
  const signer = await recoverSigner(digest, signature);
  if (signer === null) return refuse('voucher_forged', 'The voucher’s signature does not recover to any signer.');
  return { ok: true, digest, signer };
}

/** The on-chain half: the signer is authorized by the vault now, and the vault would pay something. */
export async function checkVoucherOnChain(pass: OfflinePass, voucher: Voucher, facts: Pick<LocalFacts, 'knownSigners'>, reads: VaultReads): Promise<FullPass | VoucherRefusal> {
  if (!(await reads.isSigner(pass.signer))) {
    return facts.knownSigners.some((s) => sameAddress(s, pass.signer))
      ? refuse('signer_unknown', `The voucher is signed by ${pass.signer}, which the vault no longer accepts (revoked). Ask the marketplace for a voucher from its current signer.`)
      : refuse('voucher_forged', `The voucher is signed by ${pass.signer}, which is neither the marketplace nor a signer the vault accepts.`);
  }
  const alreadyClaimed = await reads.claimed(voucher.provider as Address, voucher.token as Address);
  const cumulative = BigInt(voucher.cumulativeAmount);
  if (alreadyClaimed >= cumulative) {
    return alreadyClaimed === cumulative && cumulative > 0n
      ? refuse('voucher_replayed', 'The vault has already paid this voucher’s full amount.')
      : refuse('nothing_to_claim', `The vault has already paid ${alreadyClaimed} base units, which this voucher does not exceed; nothing is left to claim.`);
  }
  return { ...pass, alreadyClaimed, claimable: cumulative - alreadyClaimed };
}

function isHighS(signature: string): boolean {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return false;
  return BigInt(`0x${signature.slice(66, 130)}`) > SECP256K1_HALF_N;
}
