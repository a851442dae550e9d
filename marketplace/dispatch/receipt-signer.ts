/** The node key's signature over receipts, for an in-process session that has one (EIP-712, elsewhere). */
import type { Receipt } from '../../common/marketplace-protocol.js';
import type { Hex } from './provider-session.js';

/** Signs receipts with a node key; `address` is the node address the session reports as its id. */
export interface ReceiptSigner {
  readonly address: string;
  sign(receipt: Receipt): Promise<Hex>;
}
