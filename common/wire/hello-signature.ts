/**
 * The handshake proof: the node key's EIP-191 personal-message signature over a text that names the
 * coordinator and carries its challenge nonce (docs/protocol.md, "Handshake").
 */
import { type Address, type Hex, type LocalAccount, hashMessage } from 'viem';
import { signedBy } from './signatures.js';

/** The exact text a provider signs to answer a challenge (addresses lowercase, nonce as sent). */
export function helloText(coordinator: string, nonce: string): string {
  return `Hearth provider hello\ncoordinator: ${coordinator.toLowerCase()}\nnonce: ${nonce.toLowerCase()}`;
}

/** Answers a challenge with the node key. */
export function signHello(node: LocalAccount, coordinator: string, nonce: string): Promise<Hex> {
  return node.signMessage({ message: helloText(coordinator, nonce) });
}

/** True when `signature` is `node`'s canonical signature of the hello text for this challenge. */
export function verifyHelloSignature(coordinator: string, nonce: string, signature: string, node: Address): Promise<boolean> {
  return signedBy(() => hashMessage(helloText(coordinator, nonce)), signature, node);
}
