/** The cumulative payout voucher's EIP-712 signature under the PayoutVault's domain (docs/protocol.md). */
import { type Address, type Hex, type LocalAccount, hashTypedData } from 'viem';
import type { Voucher } from '../marketplace-protocol.js';
import { signedBy } from './signatures.js';
import { vaultDomain, voucherMessage, voucherTypes } from './typed-data.js';

/** Where vouchers are redeemed: the chain and the PayoutVault's address. */
export type VaultDomain = { chainId: number; vault: Address };

/** The EIP-712 digest of a voucher: the key a voucher is deduplicated by. */
export function voucherDigest(domain: VaultDomain, voucher: Voucher): Hex {
  return hashTypedData({ domain: vaultDomain(domain.chainId, domain.vault), types: voucherTypes, primaryType: 'Voucher', message: voucherMessage(voucher) });
}

/** Signs a voucher with a coordinator key. */
export function signVoucher(signer: LocalAccount, domain: VaultDomain, voucher: Voucher): Promise<Hex> {
  return signer.signTypedData({ domain: vaultDomain(domain.chainId, domain.vault), types: voucherTypes, primaryType: 'Voucher', message: voucherMessage(voucher) });
}

/** True when `signature` over `voucher` is canonical and by one of the pinned `signers`. */
export async function verifyVoucherSignature(domain: VaultDomain, voucher: Voucher, signature: string, signers: readonly Address[]): Promise<boolean> {
  for (const signer of signers) if (await signedBy(() => voucherDigest(domain, voucher), signature, signer)) return true;
  return false;
}
