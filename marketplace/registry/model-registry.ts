/**
 * The coordinator's model registry: name → model file, its sha256, what admission learned of its inputs
 * and outputs, and its price per run. Models are admitted with the workers' own rules when registered,
 * so a model the registry lists is one a provider's worker will load.
 */
import { open, readFile } from 'node:fs/promises';
import { Amount } from '../../common/marketplace-protocol.js';
import type { WorkerLimits } from '../../common/worker-protocol.js';
import { DEFAULT_WORKER_LIMITS } from '../../worker/admission/default-limits.js';
import { type ModelValueInfo, admitModel, sha256Hex } from '../../worker/admission/model-admission.js';

/** How a model is registered. */
export type ModelSpec = {
  /** The name consumers use in /v2/models/{name}. */
  name: string;
  path: string;
  /** Price per run in the token's base units, as a decimal string. */
  price: string;
  /** Public models are served by hash to anyone; others only with a consumer key. Default true. */
  public?: boolean;
};

/** A model the registry serves. */
export type RegisteredModel = {
  name: string;
  sha256: string;
  bytes: number;
  path: string;
  price: string;
  public: boolean;
  opsetVersion: number;
  inputs: ModelValueInfo[];
  outputs: ModelValueInfo[];
  /** The file's modification time when it was registered: serving refuses a file changed since. */
  mtimeMs: number;
};

/** OIP model names: they appear in URL paths. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Thrown when a model cannot be registered; the message says which and why. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** Models by name and by sha256. */
export class ModelRegistry {
  private readonly byNameMap = new Map<string, RegisteredModel>();
  private readonly byHashMap = new Map<string, RegisteredModel>();

  constructor(private readonly limits: WorkerLimits = DEFAULT_WORKER_LIMITS) {}

  /** Reads, hashes and admits a model file, then lists it under its name. */
  async register(spec: ModelSpec): Promise<RegisteredModel> {
    if (!MODEL_NAME.test(spec.name)) throw new RegistryError(`Model name ${JSON.stringify(spec.name)} must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit.`);
    if (this.byNameMap.has(spec.name)) throw new RegistryError(`A model named ${spec.name} is already registered.`);
    if (!Amount.safeParse(spec.price).success) throw new RegistryError(`The price of ${spec.name} must be a whole number of base units as a decimal string, not ${JSON.stringify(spec.price)}.`);
    const file = await open(spec.path, 'r');
    let bytes: Uint8Array;
    let mtimeMs: number;
    try {
      mtimeMs = (await file.stat()).mtimeMs;
      bytes = new Uint8Array(await readFile(file));
    } finally {
      await file.close();
    }
    let admitted;
    try {
      admitted = admitModel(bytes, sha256Hex(bytes), this.limits);
    } catch (err) {
      throw new RegistryError(`Model ${spec.name} (${spec.path}) cannot be served: ${err instanceof Error ? err.message : String(err)}`);
    }
    const model: RegisteredModel = {
      name: spec.name,
      sha256: admitted.sha256,
      bytes: admitted.bytes,
      path: spec.path,
      price: spec.price,
      public: spec.public ?? true,
      opsetVersion: admitted.opsetVersion,
      inputs: admitted.inputs,
      outputs: admitted.outputs,
      mtimeMs,
    };
    this.byNameMap.set(model.name, model);
    if (!this.byHashMap.has(model.sha256)) this.byHashMap.set(model.sha256, model);
    return model;
  }

  /** The model registered under a name. */
  byName(name: string): RegisteredModel | undefined {
    return this.byNameMap.get(name);
  }

  /** A model registered with this sha256 (the first, if several names share the file). */
  bySha256(sha256: string): RegisteredModel | undefined {
    return this.byHashMap.get(sha256);
  }

  /** Every model, in registration order. */
  list(): RegisteredModel[] {
    return [...this.byNameMap.values()];
  }

  /** The model's bytes, checked against its hash (for an in-process provider). */
  async readBytes(sha256: string): Promise<Uint8Array> {
    const model = this.byHashMap.get(sha256);
    if (model === undefined) throw new RegistryError(`No model with sha256 ${sha256.slice(0, 12)}… is registered.`);
    const bytes = new Uint8Array(await readFile(model.path));
    if (sha256Hex(bytes) !== sha256) throw new RegistryError(`The file of model ${model.name} (${model.path}) changed after it was registered.`);
    return bytes;
  }
}
