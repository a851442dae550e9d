/**
 * Strict recovery of secp256k1 signatures: exactly 65 bytes (r, s, v with v 27 or 28), r and s in
 * range, and s in the lower half of the curve order. viem alone accepts the malleated high-s twin of a
 * valid signature (SECURITY.md 19), so every protocol signature passes through here first.
 */
import type { Address, Hex } from 'viem';
import { recoverAddressFast, recoverAddressHex } from './secp256k1.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N / 2n;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

/** The signature as viem takes it when it is canonical (low s, v 27/28), otherwise null. */
export function canonicalSignature(signature: string): Hex | null {
  if (!SIGNATURE.test(signature)) return null;
  const r = BigInt(`0x${signature.slice(2, 66)}`);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  if (r === 0n || r >= SECP256K1_N || s === 0n || s > HALF_N) return null;
  if (v !== 27 && v !== 28) return null;
  return signature as Hex;
}

/** The address that signed `digest`, or null when the signature is not canonical or does not recover. */
export function recoverSigner(digest: Hex, signature: string): Promise<Address | null> {
  const canonical = canonicalSignature(signature);
  return Promise.resolve(canonical === null ? null : recoverAddressFast(digest, canonical));
}

/** True when two addresses are the same account (checksum case ignored). */
export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * True when `signature` over the digest is canonical and by `expected`. The digest comes as a function
 * because hashing can throw on values the wire allows but EIP-712 cannot encode (an amount over
 * uint256): such a message is simply not validly signed.
 */
export function signedBy(digest: () => Hex, signature: string, expected: string): Promise<boolean> {
  const canonical = canonicalSignature(signature);
  if (canonical === null) return Promise.resolve(false);
  let hash: Hex;
  try {
    hash = digest();
  } catch {
    return Promise.resolve(false);
  }
  const signer = recoverAddressHex(hash, canonical);
  return Promise.resolve(signer !== null && sameAddress(signer, expected));
}
