/**
 * Canaries: inputs whose outputs the coordinator knows, because a session it trusts (its in-process
 * worker) produced them or two providers agreed on them within tolerance. A few per model; each is used
 * a bounded number of times and then retired, so repeats stay rare and the pool follows fresh traffic.
 */
import type { OutputFingerprint } from '../../common/fingerprint.js';
import type { Tensor } from '../../common/tensor.js';
import { outputSha256 } from '../../worker/inference/output-digest.js';

/** One known job: its inputs, the outputs it asked for, the expected fingerprint, and who produced it. */
export type Canary = {
  modelSha256: string;
  inputs: Tensor[];
  inputSha256: string;
  outputs: string[] | undefined;
  expected: OutputFingerprint;
  /** Providers whose result established it: a canary never goes back to them (they may remember it). */
  sources: ReadonlySet<string>;
  uses: number;
};

export type CanaryPoolOptions = {
  /** Canaries kept per model (default 8). */
  perModel?: number;
  /** Times one canary is sent before it is retired (default 16). */
  maxUses?: number;
  /** Largest total input size kept for one canary (default 1 MiB); larger jobs are not kept. */
  maxInputBytes?: number;
  random?: () => number;
};

/** The canary pool of one coordinator, per model. */
export class CanaryPool {
  private readonly byModel = new Map<string, Canary[]>();
  private readonly perModel: number;
  private readonly maxUses: number;
  private readonly maxInputBytes: number;
  private readonly random: () => number;

  constructor(options: CanaryPoolOptions = {}) {
    this.perModel = options.perModel ?? 8;
    this.maxUses = options.maxUses ?? 16;
    this.maxInputBytes = options.maxInputBytes ?? 1024 * 1024;
    this.random = options.random ?? Math.random;
  }

  /** Keeps a known result as a canary; false when it is too large or its inputs are already kept. */
  add(entry: Omit<Canary, 'uses' | 'inputSha256'>): boolean {
    if (entry.inputs.reduce((sum, t) => sum + t.data.byteLength, 0) > this.maxInputBytes) return false;
    const inputSha256 = outputSha256(entry.inputs);
    const list = this.byModel.get(entry.modelSha256) ?? [];
    if (list.some((c) => c.inputSha256 === inputSha256)) return false;
    // Copies: the caller's tensors may be views into frames that get reused.
    const inputs = entry.inputs.map((t) => ({ ...t, shape: [...t.shape], data: new Uint8Array(t.data) }));
    list.push({ ...entry, inputs, inputSha256, uses: 0 });
    // The oldest goes first: the pool follows what consumers send now.
    if (list.length > this.perModel) list.shift();
    this.byModel.set(entry.modelSha256, list);
    return true;
  }

  /** Whether the pool wants another canary for the model (full pools take a new one now and then). */
  wants(modelSha256: string): boolean {
    const size = this.byModel.get(modelSha256)?.length ?? 0;
    return size < this.perModel || this.random() < 0.05;
  }

  /** A random canary for the model, counted as used (retired after its last use); null when none. */
  take(modelSha256: string): Canary | null {
    const list = this.byModel.get(modelSha256);
    if (list === undefined || list.length === 0) return null;
    const at = Math.floor(this.random() * list.length);
    const canary = list[at]!;
    canary.uses += 1;
    if (canary.uses >= this.maxUses) list.splice(at, 1);
    return canary;
  }

  /** Canaries kept for a model. */
  size(modelSha256: string): number {
    return this.byModel.get(modelSha256)?.length ?? 0;
  }
}
