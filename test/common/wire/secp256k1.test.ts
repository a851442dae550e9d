// The protocol's libsecp256k1 path (common/wire/secp256k1.ts) must sign exactly what viem signs and
// recover exactly the address viem recovers, and must refuse what viem refuses (after the canonical
// check every protocol signature passes first).
import fc from 'fast-check';
import { type Hex, bytesToHex, recoverAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { protocolAccount, recoverAddressFast, recoverAddressHex, signDigest } from '../../../common/wire/secp256k1.js';
import { recoverSigner, signedBy } from '../../../common/wire/signatures.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));
const privateKey = fc.bigInt({ min: 1n, max: N - 1n }).map((k) => `0x${k.toString(16).padStart(64, '0')}` as Hex);

describe('protocol signatures through libsecp256k1', () => {
  it('signs byte for byte what viem signs, and recovers the same address viem does', async () => {
    await fc.assert(
      fc.asyncProperty(privateKey, bytes32, async (key, digest) => {
        const viemAccount = privateKeyToAccount(key);
        const expected = await viemAccount.sign({ hash: digest });
        expect(signDigest(key, digest)).toBe(expected);
        expect(await protocolAccount(key).sign({ hash: digest })).toBe(expected);
        expect(recoverAddressFast(digest, expected)).toBe(await recoverAddress({ hash: digest, signature: expected }));
        expect(recoverAddressHex(digest, expected)).toBe(viemAccount.address.toLowerCase());
      }),
      { numRuns: 200 },
    );
  });

  it('keeps viem for everything but raw digests: messages and typed data sign as before', async () => {
    const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
    const viemAccount = privateKeyToAccount(key);
    const account = protocolAccount(key);
    expect(account.address).toBe(viemAccount.address);
    expect(await account.signMessage({ message: 'hello' })).toBe(await viemAccount.signMessage({ message: 'hello' }));
  });

  it('recovers nothing from a signature whose r is not on the curve, and a flipped v recovers another signer', async () => {
    const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
    const digest = `0x${'11'.repeat(32)}` as Hex;
    const signature = signDigest(key, digest);
    const address = privateKeyToAccount(key).address;
    // r = 5: no point on secp256k1 has x = 5 (5³ + 7 = 132 is not a square mod p), so nothing recovers.
    const offCurve = `0x${'0'.repeat(63)}5${signature.slice(66)}` as Hex;
    expect(recoverAddressHex(digest, offCurve)).toBeNull();
    expect(await recoverSigner(digest, offCurve)).toBeNull();
    const flipped = `${signature.slice(0, 130)}${signature.endsWith('1b') ? '1c' : '1b'}`;
    expect(await recoverSigner(digest, flipped)).not.toBe(address);
    expect(await signedBy(() => digest, flipped, address)).toBe(false);
    expect(await signedBy(() => digest, signature, address)).toBe(true);
    expect(await signedBy(() => digest, signature, address.toLowerCase())).toBe(true);
  });
});
