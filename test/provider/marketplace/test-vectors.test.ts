/**
 * The test vectors printed in docs/protocol.md: fixed keys and messages, their EIP-712 digests and
 * signatures. The Job digest is also rebuilt by hand from the type string in the doc (EIP-712's
 * hashStruct), so the doc's definition is the one that is signed.
 */
import { type Hex, concat, encodeAbiParameters, hashMessage, keccak256, stringToBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { ackDigest, signAck } from '../../../common/wire/ack-signature.js';
import { fingerprintHash } from '../../../common/wire/fingerprint-hash.js';
import { helloText, signHello } from '../../../common/wire/hello-signature.js';
import { jobDigest, signJob } from '../../../common/wire/job-signature.js';
import { receiptDigest, signReceipt } from '../../../common/wire/receipt-signature.js';
import { signVoucher, voucherDigest } from '../../../common/wire/voucher-signature.js';
import { NONCE, VAULT, VECTOR_CHAIN_ID as CHAIN, coordinatorAccount as coordinator, nodeAccount as node, vectorJob, vectorReceipt, vectorVoucher } from './test-vectors.js';

const JOB_TYPE = 'Job(string id,uint64 deadline,bytes32 modelSha256,uint64 modelBytes,string modelUrl,bytes32 inputSha256,string[] outputs,address token,uint256 amount,string verification)';
const DOMAIN_TYPE = 'EIP712Domain(string name,string version,uint256 chainId)';

describe('protocol test vectors', () => {
  it('has the documented addresses', () => {
    expect(coordinator.address).toBe('0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1');
    expect(node.address).toBe('0x5050A4F4b3f9338C3472dcC01A87C76A144b3c9c');
  });

  it('Job: the documented digest, rebuilt by hand from the type string', async () => {
    const h = (text: string) => keccak256(stringToBytes(text));
    const domainSeparator = keccak256(
      encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }], [h(DOMAIN_TYPE), h('Hearth Marketplace'), h('1'), BigInt(CHAIN)]),
    );
    const outputsHash = keccak256(concat((vectorJob.outputs ?? []).map((o) => h(o))));
    const structHash = keccak256(
      encodeAbiParameters(
        ['bytes32', 'bytes32', 'uint64', 'bytes32', 'uint64', 'bytes32', 'bytes32', 'bytes32', 'address', 'uint256', 'bytes32'].map((type) => ({ type })),
        [
          h(JOB_TYPE),
          h(vectorJob.id),
          BigInt(vectorJob.deadline),
          `0x${vectorJob.model.sha256}`,
          BigInt(vectorJob.model.bytes),
          h(vectorJob.model.url),
          `0x${vectorJob.inputSha256}`,
          outputsHash,
          vectorJob.price.token,
          BigInt(vectorJob.price.amount),
          h(vectorJob.verification),
        ],
      ),
    );
    const byHand = keccak256(concat(['0x1901', domainSeparator, structHash]));
    expect(jobDigest(CHAIN, vectorJob)).toBe(byHand);
    expect(byHand).toBe('0xd597d861f3458ef31f4d5234c064d7c95c353e3ef61f9b28a196094de42e277d');
    expect(await signJob(coordinator, CHAIN, vectorJob)).toBe(
      '0x90ec6ea8369251e5d0d54fa55d4f177d75b54d624a41638bdb32c96fefd355ad028021f387073d4eb16c3cd2997c3e8640c0c45e5e56b7a0eb2690fac92c69b31b',
    );
  });

  it('Receipt, ReceiptAck, Voucher, hello and fingerprint: the documented values', async () => {
    const receipt = receiptDigest(CHAIN, vectorReceipt);
    expect(receipt).toBe('0xe033e5d92939ea332e8054922185b81d50a169d8f19dd04754580a09da635ce8');
    expect(await signReceipt(node, CHAIN, vectorReceipt)).toBe(
      '0xa1942a95b8a4cce15ee9bfed3974b69a7004ca7428fdf2d6a83b9ad78175d7c44dc48f4e31bd9604663be9de0e62f9a4bd719fe9265ddca0f38177047585965e1b',
    );
    const ack = { jobId: 'job-1', provider: node.address, seq: 1, receiptDigest: receipt, credited: 1000n };
    expect(ackDigest(CHAIN, ack)).toBe('0xe78bd6a8b90fa2a48fde26b6b16f8edf489c8f8588685339716520c16a5cda92');
    expect(await signAck(coordinator, CHAIN, ack)).toBe(
      '0xdefaa3576ac37dce5cf7d70c1a6be54211d2c9420e7f048c6f0c8b22538e7ece754dc0d3ba29e0a0e6af85d70ead9b07062dd0de58f3ad0d1fb3fc4119a6f81a1c',
    );
    expect(voucherDigest(VAULT, vectorVoucher)).toBe('0x8bfd96f43979249e8e7e414dadf650bf6b006a6275a37271f1a66f9f5ecb66ca');
    expect(await signVoucher(coordinator, VAULT, vectorVoucher)).toBe(
      '0x76a65b316994329e5e3571a0efe595291dfd53e40055b0fa9165624b28d921f00b29e33c3bd27f566b709e4d0c8bc7951c9f7f06644516bf745dd28300bd27991b',
    );
    const text = helloText(coordinator.address, NONCE);
    expect(text).toBe(`Hearth provider hello\ncoordinator: 0x1a642f0e3c3af545e7acbd38b07251b3990914f1\nnonce: 0x${'ab'.repeat(32)}`);
    expect(hashMessage(text)).toBe('0x3f9fbd742668e524f322aa6705cac346fe200338c7c908f811d2e6c05c38f026');
    expect(await signHello(node, coordinator.address, NONCE)).toBe(
      '0xe01ac9f6b5542b6e7611d7e301bcfb80e0b28e74bb427330d48193bc385c51254c49c314c40d18365b83acbe12e20413539eaac8514c02448ec9a7a0eafc7c021b',
    );
    const hash: Hex = fingerprintHash([{ name: 'y', count: 2, sum: 0, sumAbs: 1, samples: [0.5, -0.5] }]);
    expect(hash).toBe('0xbe4e7f4a652ded9a5e3f4dbb7cea87c319cefc4c4c90311a4d13c3971a48f728');
  });
});
