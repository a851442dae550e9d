/** The coordinator's EIP-712 countersignature of a receipt: `receipt.ack` (docs/protocol.md). */
import type { Address, Hex, LocalAccount } from 'viem';
import { signedBy } from './signatures.js';
import { type AckFields, ackMessage, ackTypes, marketplaceDomain } from './typed-data.js';
import { structHasher } from './typed-data-hash.js';

const hashAck = structHasher('ReceiptAck', ackTypes.ReceiptAck);

export type { AckFields } from './typed-data.js';

/** The EIP-712 digest of an acknowledgement. */
export function ackDigest(chainId: number, ack: AckFields): Hex {
  return hashAck(marketplaceDomain(chainId), ackMessage(ack));
}

/** Countersigns a receipt with the coordinator's key. */
export async function signAck(coordinator: LocalAccount, chainId: number, ack: AckFields): Promise<Hex> {
  // The same signature as signTypedData's (RFC 6979 over the same digest), without viem's slower hashing.
  if (coordinator.sign !== undefined) return coordinator.sign({ hash: ackDigest(chainId, ack) });
  return coordinator.signTypedData({ domain: marketplaceDomain(chainId), types: ackTypes, primaryType: 'ReceiptAck', message: ackMessage(ack) });
}

/** True when `signature` is the pinned coordinator's canonical signature of `ack`. */
export function verifyAckSignature(chainId: number, ack: AckFields, signature: string, coordinator: Address): Promise<boolean> {
  return signedBy(() => ackDigest(chainId, ack), signature, coordinator);
}
