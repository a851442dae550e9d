/**
 * A provider built in the test from the protocol alone (no worker): it answers every `job.offer` with
 * `job.accept` and a `job.result` whose outputs come from a script, under a valid receipt signed by its
 * own node key. An honest script computes the outputs from the inputs; a dishonest one makes them up,
 * which no receipt or signature check can see.
 */
import type { LocalAccount } from 'viem';
import { fingerprintOutputs } from '../../../common/fingerprint.js';
import { decodeFrame, tensorHeads } from '../../../common/marketplace-frame.js';
import { FromCoordinator, type Receipt } from '../../../common/marketplace-protocol.js';
import type { Tensor } from '../../../common/tensor.js';
import { fingerprintHash } from '../../../common/wire/fingerprint-hash.js';
import { signReceipt } from '../../../common/wire/receipt-signature.js';
import { outputSha256 } from '../../../worker/inference/output-digest.js';
import { CHAIN_ID } from '../provider-link/link-fixtures.js';
import { rawProvider } from '../provider-link/raw-peer.js';

type Offer = Extract<FromCoordinator, { type: 'job.offer' }>;
type Ack = Extract<FromCoordinator, { type: 'receipt.ack' }>;

export type ScriptedProvider = {
  account: LocalAccount;
  /** Every offer received, with its input tensors, in order. */
  offers: (Offer & { tensors: Tensor[] })[];
  acks: Ack[];
  close(): void;
};

/** Connects a scripted provider to `url` and answers offers with `script(inputs)` until closed. */
export async function scriptedProvider(url: string, script: (inputs: Tensor[]) => Tensor[]): Promise<ScriptedProvider> {
  const peer = await rawProvider(url);
  await peer.hello();
  await peer.next('welcome');
  const offers: ScriptedProvider['offers'] = [];
  const acks: Ack[] = [];
  let seq = 0;
  // Results go out in seq order, as a real provider sends them.
  let sending: Promise<void> = Promise.resolve();
  peer.ws.on('message', (data: Buffer) => {
    const decoded = decodeFrame(new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength), FromCoordinator);
    if (!decoded.ok) return;
    const message = decoded.message;
    if (message.type === 'receipt.ack') acks.push(message);
    if (message.type !== 'job.offer') return;
    offers.push({ ...message, tensors: decoded.tensors });
    peer.send({ type: 'job.accept', jobId: message.job.id });
    const outputs = script(decoded.tensors);
    seq += 1;
    const receipt: Receipt = {
      jobId: message.job.id,
      modelSha256: message.job.model.sha256,
      inputSha256: message.job.inputSha256,
      outputSha256: outputSha256(outputs),
      fingerprintHash: fingerprintHash(fingerprintOutputs(outputs)),
      runMs: 1,
      executionProvider: 'cpu',
      deviceId: 'cpu',
      seq,
    };
    sending = sending
      .then(() => signReceipt(peer.account, CHAIN_ID, receipt))
      .then((signature) => peer.send({ type: 'job.result', jobId: receipt.jobId, receipt, signature, outputs: tensorHeads(outputs) }, outputs));
  });
  return { account: peer.account, offers, acks, close: () => peer.ws.terminate() };
}
