/**
 * The protocol's signatures: each verifies exactly when every signed field, the domain and the signer
 * match; the malleated high-s twin of a valid signature is refused (viem alone accepts it).
 */
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { JobSpec, Receipt, Voucher } from '../../../common/marketplace-protocol.js';
import { signAck, verifyAckSignature } from '../../../common/wire/ack-signature.js';
import { signHello, verifyHelloSignature } from '../../../common/wire/hello-signature.js';
import { jobDigest, signJob, verifyJobSignature } from '../../../common/wire/job-signature.js';
import { signReceipt, verifyReceiptSignature } from '../../../common/wire/receipt-signature.js';
import { canonicalSignature, recoverSigner } from '../../../common/wire/signatures.js';
import { signVoucher, verifyVoucherSignature, voucherDigest } from '../../../common/wire/voucher-signature.js';

const coordinator = privateKeyToAccount(generatePrivateKey());
const node = privateKeyToAccount(generatePrivateKey());
const CHAIN = 31337;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const job: JobSpec = {
  id: 'job-1',
  deadline: 1_900_000_000_000,
  model: { sha256: 'a'.repeat(64), bytes: 1234, url: 'https://models.example/a.onnx' },
  inputSha256: 'b'.repeat(64),
  outputs: ['y'],
  price: { token: '0x1111111111111111111111111111111111111111', amount: '1000000000000000000000' },
  verification: 'canary',
};
const receipt: Receipt = {
  jobId: 'job-1',
  modelSha256: 'a'.repeat(64),
  inputSha256: 'b'.repeat(64),
  outputSha256: 'c'.repeat(64),
  fingerprintHash: `0x${'d'.repeat(64)}`,
  runMs: 11.5,
  executionProvider: 'cuda',
  deviceId: 'GPU-0',
  seq: 42,
};
const voucher: Voucher = { provider: node.address, recipient: '0x2222222222222222222222222222222222222222', token: job.price.token, cumulativeAmount: '5000', expiry: 1_900_000_000 };
const vault = { chainId: CHAIN, vault: '0x3333333333333333333333333333333333333333' as const };

/** The same signature with s replaced by n − s and v flipped: valid for ecrecover, malleated. */
function highS(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130), 16);
  return `${signature.slice(0, 66)}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
}

describe('job signatures', () => {
  it('verify for the pinned coordinator and no other key, chain or field', async () => {
    const signature = await signJob(coordinator, CHAIN, job);
    expect(await verifyJobSignature(CHAIN, job, signature, coordinator.address)).toBe(true);
    expect(await verifyJobSignature(CHAIN, job, signature, node.address)).toBe(false);
    expect(await verifyJobSignature(1, job, signature, coordinator.address)).toBe(false);
    const tampered: JobSpec[] = [
      { ...job, deadline: job.deadline + 1 },
      { ...job, price: { ...job.price, amount: '1000000000000000000001' } },
      { ...job, model: { ...job.model, url: 'https://evil.example/a.onnx' } },
      { ...job, model: { ...job.model, bytes: 1235 } },
      { ...job, outputs: ['y', 'z'] },
      { ...job, verification: 'none' },
    ];
    for (const other of tampered) expect(await verifyJobSignature(CHAIN, other, signature, coordinator.address)).toBe(false);
  });

  it('report an amount EIP-712 cannot encode (over uint256, which the wire allows) as unsigned, without throwing', async () => {
    const signature = await signJob(coordinator, CHAIN, job);
    expect(await verifyJobSignature(CHAIN, { ...job, price: { ...job.price, amount: '9'.repeat(78) } }, signature, coordinator.address)).toBe(false);
    expect(await verifyReceiptSignature(CHAIN, { ...receipt, runMs: 1e300 }, signature, node.address)).toBe(false);
  });

  it('sign an absent output list like an empty one (both mean all outputs)', () => {
    const { outputs: _outputs, ...all } = job;
    expect(jobDigest(CHAIN, all)).toBe(jobDigest(CHAIN, { ...job, outputs: [] }));
  });

  it('refuse the high-s twin, short or odd-v signatures', async () => {
    const signature = await signJob(coordinator, CHAIN, job);
    const twin = highS(signature);
    // What viem alone says about the twin: it recovers to the same signer.
    const { recoverAddress } = await import('viem');
    expect(await recoverAddress({ hash: jobDigest(CHAIN, job), signature: twin })).toBe(coordinator.address);
    expect(canonicalSignature(twin)).toBeNull();
    expect(await verifyJobSignature(CHAIN, job, twin, coordinator.address)).toBe(false);
    expect(await recoverSigner(jobDigest(CHAIN, job), signature.slice(0, 130))).toBeNull();
    expect(await recoverSigner(jobDigest(CHAIN, job), `${signature.slice(0, 130)}01`)).toBeNull();
    expect(await recoverSigner(jobDigest(CHAIN, job), '0x')).toBeNull();
  });
});

describe('receipts, acks, vouchers and hellos', () => {
  it('receipts verify for the node key over every field', async () => {
    const signature = await signReceipt(node, CHAIN, receipt);
    expect(await verifyReceiptSignature(CHAIN, receipt, signature, node.address)).toBe(true);
    expect(await verifyReceiptSignature(CHAIN, { ...receipt, seq: 43 }, signature, node.address)).toBe(false);
    expect(await verifyReceiptSignature(CHAIN, { ...receipt, outputSha256: 'e'.repeat(64) }, signature, node.address)).toBe(false);
    expect(await verifyReceiptSignature(CHAIN, receipt, highS(signature), node.address)).toBe(false);
    // runMs is signed in whole microseconds.
    expect(await verifyReceiptSignature(CHAIN, { ...receipt, runMs: 11.5004 }, signature, node.address)).toBe(true);
    expect(await verifyReceiptSignature(CHAIN, { ...receipt, runMs: 11.501 }, signature, node.address)).toBe(false);
  });

  it('acks verify for the coordinator, the node and the credited amount', async () => {
    const ack = { jobId: 'job-1', provider: node.address, seq: 42, receiptDigest: `0x${'f'.repeat(64)}` as Hex, credited: 1000n };
    const signature = await signAck(coordinator, CHAIN, ack);
    expect(await verifyAckSignature(CHAIN, ack, signature, coordinator.address)).toBe(true);
    expect(await verifyAckSignature(CHAIN, { ...ack, credited: 1001n }, signature, coordinator.address)).toBe(false);
    expect(await verifyAckSignature(CHAIN, { ...ack, provider: coordinator.address }, signature, coordinator.address)).toBe(false);
  });

  it('vouchers verify only under the vault domain, for a pinned signer, deduplicated by digest', async () => {
    const signature = await signVoucher(coordinator, vault, voucher);
    expect(await verifyVoucherSignature(vault, voucher, signature, [coordinator.address])).toBe(true);
    expect(await verifyVoucherSignature({ ...vault, vault: '0x4444444444444444444444444444444444444444' }, voucher, signature, [coordinator.address])).toBe(false);
    expect(await verifyVoucherSignature({ ...vault, chainId: 1 }, voucher, signature, [coordinator.address])).toBe(false);
    expect(await verifyVoucherSignature(vault, voucher, signature, [node.address])).toBe(false);
    expect(await verifyVoucherSignature(vault, voucher, highS(signature), [coordinator.address])).toBe(false);
    expect(voucherDigest(vault, voucher)).toBe(voucherDigest(vault, { ...voucher }));
  });

  it('hellos verify for the node, this coordinator and this nonce only', async () => {
    const nonce = `0x${'12'.repeat(32)}`;
    const signature = await signHello(node, coordinator.address, nonce);
    expect(await verifyHelloSignature(coordinator.address, nonce, signature, node.address)).toBe(true);
    expect(await verifyHelloSignature(coordinator.address.toLowerCase(), nonce.toUpperCase().replace('0X', '0x'), signature, node.address)).toBe(true);
    expect(await verifyHelloSignature(coordinator.address, `0x${'13'.repeat(32)}`, signature, node.address)).toBe(false);
    expect(await verifyHelloSignature(node.address, nonce, signature, node.address)).toBe(false);
  });
});
