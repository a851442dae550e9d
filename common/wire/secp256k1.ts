/**
 * secp256k1 signing and recovery for the protocol's hot path, through tiny-secp256k1 (libsecp256k1
 * compiled to WebAssembly, so it runs the same on every platform with no native build). viem's pure
 * JavaScript curve costs 1.3 ms to recover a signer and 0.26 ms to sign here; this costs 0.19 and 0.09
 * (docs/benchmarks.md, "Signatures through libsecp256k1"). Every job takes one of each on the provider
 * and on the coordinator, plus a second recovery on the provider (the ack) and a second signature on the
 * coordinator.
 *
 * Signatures are byte for byte viem's: RFC 6979 nonces with no extra entropy, low s, v = 27 + parity.
 */
import * as secp from 'tiny-secp256k1';
import { type Address, type Hex, bytesToHex, getAddress, hexToBytes, keccak256 } from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';

/**
 * The 20 address bytes, as lowercase hex, of the key that made `signature` (65 bytes r ‖ s ‖ v, already
 * checked canonical by the caller) over `digest`; null when nothing recovers.
 */
export function recoverAddressHex(digest: Hex, signature: Hex): Hex | null {
  const bytes = hexToBytes(signature);
  const recoveryId = (bytes[64]! - 27) as 0 | 1;
  let publicKey: Uint8Array | null;
  try {
    publicKey = secp.recover(hexToBytes(digest), bytes.subarray(0, 64), recoveryId, false);
  } catch {
    return null;
  }
  if (publicKey === null) return null;
  return `0x${keccak256(publicKey.subarray(1)).slice(-40)}`;
}

/** The checksummed address of `recoverAddressHex`. */
export function recoverAddressFast(digest: Hex, signature: Hex): Address | null {
  const address = recoverAddressHex(digest, signature);
  return address === null ? null : getAddress(address);
}

/** Signs a 32-byte digest: r ‖ s ‖ v, as viem's `sign({ hash })` serializes it. */
export function signDigest(privateKey: Hex, digest: Hex): Hex {
  const { signature, recoveryId } = secp.signRecoverable(hexToBytes(digest), hexToBytes(privateKey));
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = 27 + recoveryId;
  return bytesToHex(out);
}

/**
 * viem's account for `privateKey`, with `sign({ hash })` (what the protocol's EIP-712 signatures use)
 * done by libsecp256k1. Messages, typed data and transactions still sign through viem.
 */
export function protocolAccount(privateKey: Hex): PrivateKeyAccount {
  const account = privateKeyToAccount(privateKey);
  return { ...account, sign: ({ hash }) => Promise.resolve(signDigest(privateKey, hash)) };
}
