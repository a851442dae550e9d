/** What the ledger tests share: a ledger in a temp folder with a settable clock, and job/receipt makers. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { JobSpec } from '../../../common/marketplace-protocol.js';
import { Ledger } from '../../../provider/ledger/ledger.js';
import type { ReceiptDraft } from '../../../provider/ledger/receipts.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

export const TOKEN = '0x00000000000000000000000000000000000000aa';
export const OTHER_TOKEN = '0x00000000000000000000000000000000000000bb';
export const SIG = `0x${'22'.repeat(65)}`;

/** Hex sha256 of a string. */
export function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public ms = Date.UTC(2024, 4, 10, 12, 0, 0)) {}
  readonly now = (): number => this.ms;
}

/** A fresh ledger file in its own temp folder. */
export async function tempLedger(clock = new TestClock()) {
  const temp = await makeTempDir('hearth-ledger-');
  const path = join(temp.dir, 'ledger.sqlite');
  const opened: Ledger[] = [];
  const open = () => {
    const ledger = Ledger.open(path, { now: clock.now });
    opened.push(ledger);
    return ledger;
  };
  const ledger = open();
  return {
    dir: temp.dir,
    path,
    clock,
    ledger,
    /** Opens another connection to the same file (closed at cleanup). */
    open,
    async cleanup() {
      for (const each of opened) each.close();
      await temp.remove();
    },
  };
}

/** A job spec; the model is named by `model`, the price is in base units. */
export function makeSpec(id: string, options: { price?: string; token?: string; model?: string } = {}): JobSpec {
  return {
    id,
    deadline: Date.UTC(2030, 0, 1),
    model: { sha256: sha(options.model ?? 'model-a'), bytes: 4096, url: 'https://models.example/model.onnx' },
    inputSha256: sha(`input-${id}`),
    price: { token: options.token ?? TOKEN, amount: options.price ?? '1000' },
    verification: 'none',
  };
}

/** The receipt a worker run of `spec` on `deviceId` would produce. */
export function makeReceipt(spec: JobSpec, deviceId = 'cpu:0'): ReceiptDraft {
  return {
    jobId: spec.id,
    modelSha256: spec.model.sha256,
    inputSha256: spec.inputSha256,
    outputSha256: sha(`output-${spec.id}`),
    fingerprintHash: `0x${sha(`fingerprint-${spec.id}`)}`,
    runMs: 12.5,
    executionProvider: 'cpu',
    deviceId,
  };
}

/** Takes a job from offer to credited, as the marketplace client would; returns its receipt seq. */
export function creditJob(ledger: Ledger, spec: JobSpec, options: { deviceId?: string; credited?: string } = {}): number {
  ledger.jobs.offer(spec, SIG);
  ledger.jobs.accept(spec.id);
  ledger.jobs.start(spec.id, options.deviceId ?? 'cpu:0');
  const receipt = ledger.receipts.record(makeReceipt(spec, options.deviceId));
  ledger.receipts.markSent(spec.id, SIG);
  ledger.credits.record({ jobId: spec.id, seq: receipt.seq, credited: options.credited ?? spec.price.amount, signature: SIG });
  return receipt.seq;
}
