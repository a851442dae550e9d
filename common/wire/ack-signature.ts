/** The coordinator's EIP-712 countersignature of a receipt: `receipt.ack` (docs/protocol.md). */
import { type Address, type Hex, type LocalAccount, hashTypedData } from 'viem';
import { signedBy } from './signatures.js';
import { type AckFields, ackMessage, ackTypes, marketplaceDomain } from './typed-data.js';

export type { AckFields } from './typed-data.js';

/** The EIP-712 digest of an acknowledgement. */
export function ackDigest(chainId: number, ack: AckFields): Hex {
  return hashTypedData({ domain: marketplaceDomain(chainId), types: ackTypes, primaryType: 'ReceiptAck', message: ackMessage(ack) });
}

/** Countersigns a receipt with the coordinator's key. */
export function signAck(coordinator: LocalAccount, chainId: number, ack: AckFields): Promise<Hex> {
  return coordinator.signTypedData({ domain: marketplaceDomain(chainId), types: ackTypes, primaryType: 'ReceiptAck', message: ackMessage(ack) });
}

/** True when `signature` is the pinned coordinator's canonical signature of `ack`. */
export function verifyAckSignature(chainId: number, ack: AckFields, signature: string, coordinator: Address): Promise<boolean> {
  return signedBy(() => ackDigest(chainId, ack), signature, coordinator);
}
