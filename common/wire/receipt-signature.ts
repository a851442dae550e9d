/** The node key's EIP-712 signature over a result's receipt (docs/protocol.md). */
import { type Address, type Hex, type LocalAccount, hashTypedData } from 'viem';
import type { Receipt } from '../marketplace-protocol.js';
import { signedBy } from './signatures.js';
import { marketplaceDomain, receiptMessage, receiptTypes } from './typed-data.js';

/** The EIP-712 digest of a receipt (what a `receipt.ack` countersigns). */
export function receiptDigest(chainId: number, receipt: Receipt): Hex {
  return hashTypedData({ domain: marketplaceDomain(chainId), types: receiptTypes, primaryType: 'Receipt', message: receiptMessage(receipt) });
}

/** Signs a receipt with the node key. */
export function signReceipt(node: LocalAccount, chainId: number, receipt: Receipt): Promise<Hex> {
  return node.signTypedData({ domain: marketplaceDomain(chainId), types: receiptTypes, primaryType: 'Receipt', message: receiptMessage(receipt) });
}

/** True when `signature` is `node`'s canonical signature of `receipt`. */
export function verifyReceiptSignature(chainId: number, receipt: Receipt, signature: string, node: Address): Promise<boolean> {
  return signedBy(() => receiptDigest(chainId, receipt), signature, node);
}
