/** The node key's EIP-712 signature over a result's receipt (docs/protocol.md). */
import type { Address, Hex, LocalAccount } from 'viem';
import type { Receipt } from '../marketplace-protocol.js';
import { signedBy } from './signatures.js';
import { marketplaceDomain, receiptMessage, receiptTypes } from './typed-data.js';
import { structHasher } from './typed-data-hash.js';

const hashReceipt = structHasher('Receipt', receiptTypes.Receipt);

/** The EIP-712 digest of a receipt (what a `receipt.ack` countersigns). */
export function receiptDigest(chainId: number, receipt: Receipt): Hex {
  return hashReceipt(marketplaceDomain(chainId), receiptMessage(receipt));
}

/** Signs a receipt with the node key. */
export async function signReceipt(node: LocalAccount, chainId: number, receipt: Receipt): Promise<Hex> {
  // The same signature as signTypedData's (RFC 6979 over the same digest), without viem's slower hashing.
  if (node.sign !== undefined) return node.sign({ hash: receiptDigest(chainId, receipt) });
  return node.signTypedData({ domain: marketplaceDomain(chainId), types: receiptTypes, primaryType: 'Receipt', message: receiptMessage(receipt) });
}

/** True when `signature` is `node`'s canonical signature of `receipt`. */
export function verifyReceiptSignature(chainId: number, receipt: Receipt, signature: string, node: Address): Promise<boolean> {
  return signedBy(() => receiptDigest(chainId, receipt), signature, node);
}
