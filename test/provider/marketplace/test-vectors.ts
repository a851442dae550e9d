/** Fixed inputs for the protocol's signature test vectors (docs/protocol.md, "Test vectors"). */
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { JobSpec, Receipt, Voucher } from '../../../common/marketplace-protocol.js';

export const VECTOR_CHAIN_ID = 31337;
export const COORDINATOR_KEY: Hex = `0x${'01'.repeat(32)}`;
export const NODE_KEY: Hex = `0x${'02'.repeat(32)}`;
export const coordinatorAccount = privateKeyToAccount(COORDINATOR_KEY);
export const nodeAccount = privateKeyToAccount(NODE_KEY);
export const VAULT = { chainId: VECTOR_CHAIN_ID, vault: '0x3333333333333333333333333333333333333333' } as const;
export const NONCE = `0x${'ab'.repeat(32)}`;

export const vectorJob: JobSpec = {
  id: 'job-1',
  deadline: 1_900_000_000_000,
  model: { sha256: 'a'.repeat(64), bytes: 1234, url: 'https://models.example/a.onnx' },
  inputSha256: 'b'.repeat(64),
  outputs: ['y'],
  price: { token: '0x1111111111111111111111111111111111111111', amount: '1000' },
  verification: 'none',
};
export const vectorReceipt: Receipt = {
  jobId: 'job-1',
  modelSha256: 'a'.repeat(64),
  inputSha256: 'b'.repeat(64),
  outputSha256: 'c'.repeat(64),
  fingerprintHash: `0x${'d'.repeat(64)}`,
  runMs: 11.5,
  executionProvider: 'cpu',
  deviceId: 'cpu',
  seq: 1,
};
export const vectorVoucher: Voucher = {
  provider: nodeAccount.address,
  recipient: '0x2222222222222222222222222222222222222222',
  token: '0x1111111111111111111111111111111111111111',
  cumulativeAmount: '5000',
  expiry: 1_900_000_000,
};
