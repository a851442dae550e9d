/**
 * The receipt's `fingerprintHash`: keccak256 of the output fingerprint's JSON with each entry's keys in
 * the schema's order (name, count, sum, sumAbs, samples), no whitespace, numbers as ECMAScript prints
 * them and non-finite values as the strings "NaN", "Infinity", "-Infinity" (docs/protocol.md).
 * The same definition as marketplace/dispatch/fingerprint-hash.ts; the two belong together in common/.
 */
import { type Hex, keccak256, stringToBytes } from 'viem';
import type { OutputFingerprint } from '../fingerprint.js';

/** The fingerprint's canonical JSON text. */
export function canonicalFingerprintJson(fingerprint: OutputFingerprint): string {
  return JSON.stringify(fingerprint.map((f) => ({ name: f.name, count: f.count, sum: f.sum, sumAbs: f.sumAbs, samples: f.samples })));
}

/** keccak256 of the fingerprint's canonical JSON, as a receipt carries it. */
export function fingerprintHash(fingerprint: OutputFingerprint): Hex {
  return keccak256(stringToBytes(canonicalFingerprintJson(fingerprint)));
}
