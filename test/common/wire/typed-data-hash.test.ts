// The protocol's fast EIP-712 digests (common/wire/typed-data-hash.ts) must be viem's hashTypedData
// byte for byte, throw exactly where it throws, and sign to the same signatures.
import fc from 'fast-check';
import { type Hex, getAddress, hashTypedData } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { JobSpec, Receipt } from '../../../common/marketplace-protocol.js';
import { ackDigest, signAck } from '../../../common/wire/ack-signature.js';
import { jobDigest, signJob, verifyJobSignature } from '../../../common/wire/job-signature.js';
import { receiptDigest, signReceipt } from '../../../common/wire/receipt-signature.js';
import { type AckFields, ackMessage, ackTypes, jobMessage, jobTypes, marketplaceDomain, receiptMessage, receiptTypes } from '../../../common/wire/typed-data.js';

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
/** Addresses as the wire may carry them: lowercase, checksummed, uppercase, or with a broken checksum. */
const address = hex(20).chain((h) =>
  fc.constantFrom(`0x${h}`, getAddress(`0x${h}`), `0x${h.toUpperCase()}`, `0x${h.slice(0, 39)}${/[a-f]/.test(h) ? 'G' : 'x'}`, getAddress(`0x${h}`).replace(/[a-f]/, (c) => c.toUpperCase())),
);
const uint = (bits: number) => fc.oneof(fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }), fc.bigInt({ min: 1n << BigInt(bits), max: 1n << BigInt(bits + 8) }), fc.constant((1n << BigInt(bits)) - 1n));
const chainId = fc.oneof(fc.constant(31337), fc.integer({ min: 1, max: 2 ** 40 }));

const job = fc.record({
  id: fc.string({ minLength: 1, maxLength: 64 }),
  deadline: uint(64).map(Number),
  sha: hex(32),
  bytes: fc.integer({ min: 1, max: 2 ** 40 }),
  url: fc.string({ unit: 'binary', maxLength: 100 }),
  input: hex(32),
  outputs: fc.option(fc.array(fc.string({ unit: 'binary', maxLength: 20 }), { maxLength: 5 }), { nil: undefined }),
  token: address,
  amount: uint(256),
  verification: fc.constantFrom('none', 'canary', 'redundant'),
});

type JobValues = typeof job extends fc.Arbitrary<infer T> ? T : never;

function toJob(j: JobValues): JobSpec {
  return {
    id: j.id,
    deadline: j.deadline,
    model: { sha256: j.sha, bytes: j.bytes, url: j.url },
    inputSha256: j.input,
    ...(j.outputs === undefined ? {} : { outputs: j.outputs }),
    price: { token: j.token, amount: j.amount.toString() },
    verification: j.verification as JobSpec['verification'],
  };
}

/** Either both throw, or both give the same digest. */
function sameOutcome(fast: () => Hex, viem: () => Hex): void {
  let expected: Hex | 'throws';
  try {
    expected = viem();
  } catch {
    expected = 'throws';
  }
  let actual: Hex | 'throws';
  try {
    actual = fast();
  } catch {
    actual = 'throws';
  }
  expect(actual).toBe(expected);
}

describe('fast EIP-712 digests', () => {
  it('hash jobs as viem does, and refuse what viem refuses', () => {
    let threw = 0;
    fc.assert(
      fc.property(job, chainId, (j, chain) => {
        const spec = toJob(j);
        sameOutcome(
          () => jobDigest(chain, spec),
          () => hashTypedData({ domain: marketplaceDomain(chain), types: jobTypes, primaryType: 'Job', message: jobMessage(spec) }),
        );
        try {
          jobDigest(chain, spec);
        } catch {
          threw += 1;
        }
      }),
      { numRuns: 400 },
    );
    // The generators reach both sides: digests and refusals.
    expect(threw).toBeGreaterThan(20);
    expect(threw).toBeLessThan(380);
  });

  it('hash receipts as viem does', () => {
    const receipt = fc.record({
      jobId: fc.string({ maxLength: 64 }),
      modelSha256: hex(32),
      inputSha256: hex(32),
      outputSha256: hex(32),
      fingerprintHash: hex(32).map((h) => `0x${h}`),
      runMs: fc.double({ min: 0, max: 1e13, noNaN: true }),
      executionProvider: fc.constantFrom('cpu', 'cuda', 'webgpu'),
      deviceId: fc.string({ unit: 'binary', maxLength: 50 }),
      seq: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    });
    fc.assert(
      fc.property(receipt, chainId, (r, chain) =>
        sameOutcome(
          () => receiptDigest(chain, r as Receipt),
          () => hashTypedData({ domain: marketplaceDomain(chain), types: receiptTypes, primaryType: 'Receipt', message: receiptMessage(r as Receipt) }),
        ),
      ),
      { numRuns: 300 },
    );
  });

  it('hash acks as viem does', () => {
    const ack = fc.record({
      jobId: fc.string({ maxLength: 64 }),
      provider: address,
      seq: fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constant(-1)),
      receiptDigest: fc.oneof(hex(32), hex(31)).map((h) => `0x${h}` as Hex),
      credited: uint(256),
    });
    fc.assert(
      fc.property(ack, chainId, (a, chain) =>
        sameOutcome(
          () => ackDigest(chain, a as AckFields),
          () => hashTypedData({ domain: marketplaceDomain(chain), types: ackTypes, primaryType: 'ReceiptAck', message: ackMessage(a as AckFields) }),
        ),
      ),
      { numRuns: 300 },
    );
  });

  it('sign to the very signatures signTypedData gives, which still verify', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const spec = toJob(fc.sample(job.filter((j) => j.deadline < 2 ** 53 && j.amount < 1n << 256n && /^0x[0-9a-f]{40}$/.test(j.token)), 1)[0]!);
    const viaViem = await account.signTypedData({ domain: marketplaceDomain(31337), types: jobTypes, primaryType: 'Job', message: jobMessage(spec) });
    expect(await signJob(account, 31337, spec)).toBe(viaViem);
    expect(await verifyJobSignature(31337, spec, viaViem, account.address)).toBe(true);
    expect(await verifyJobSignature(31337, { ...spec, deadline: spec.deadline + 1 }, viaViem, account.address)).toBe(false);
    const receipt: Receipt = { jobId: spec.id, modelSha256: spec.model.sha256, inputSha256: spec.inputSha256, outputSha256: 'ab'.repeat(32), fingerprintHash: `0x${'cd'.repeat(32)}`, runMs: 1.5, executionProvider: 'cpu', deviceId: 'cpu', seq: 7 };
    expect(await signReceipt(account, 5, receipt)).toBe(await account.signTypedData({ domain: marketplaceDomain(5), types: receiptTypes, primaryType: 'Receipt', message: receiptMessage(receipt) }));
    const fields: AckFields = { jobId: spec.id, provider: account.address, seq: 7, receiptDigest: receiptDigest(5, receipt), credited: 10n };
    expect(await signAck(account, 5, fields)).toBe(await account.signTypedData({ domain: marketplaceDomain(5), types: ackTypes, primaryType: 'ReceiptAck', message: ackMessage(fields) }));
  });

  it('rejects, rather than throws, when asked to sign what EIP-712 cannot encode', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const spec = toJob(fc.sample(job, 1)[0]!);
    await expect(signJob(account, 31337, { ...spec, price: { ...spec.price, amount: (1n << 256n).toString() } })).rejects.toThrow();
  });
});
