/** The receipt's `fingerprintHash`: keccak256 of the fingerprint's JSON in its schema's key order. */
import { keccak256, stringToBytes } from 'viem';
import type { OutputFingerprint } from '../../common/fingerprint.js';

/** keccak256 (0x-hex) of the fingerprint's canonical JSON (keys in schema order, no whitespace). */
export function fingerprintHash(fingerprint: OutputFingerprint): `0x${string}` {
  const canonical = fingerprint.map((f) => ({ name: f.name, count: f.count, sum: f.sum, sumAbs: f.sumAbs, samples: f.samples }));
  return keccak256(stringToBytes(JSON.stringify(canonical)));
}
