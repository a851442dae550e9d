/**
 * Reads a model for the engine through model admission (SECURITY.md 12): the cache file must be a plain
 * single-link file under the size limit, hash to the job's sha256, and pass the protobuf pre-parse.
 * The bytes then go to onnxruntime from memory, never by path.
 */
import type { WorkerConfig } from '../../common/worker-protocol.js';
import { AdmissionError } from '../admission/admission-error.js';
import { type ModelValueInfo, admitModel } from '../admission/model-admission.js';
import { readModelFile } from '../admission/model-file.js';
import { WorkerFailure } from '../inference/worker-error.js';

/** A model's bytes with the inputs and outputs admission read from them. */
export type AdmittedBytes = { bytes: Uint8Array; inputs: ModelValueInfo[]; outputs: ModelValueInfo[] };

/** The admitted bytes of model `sha256`, or a WorkerFailure with admission's code and message. */
export async function readAdmittedModel(config: Pick<WorkerConfig, 'modelCacheDir' | 'limits'>, sha256: string): Promise<AdmittedBytes> {
  try {
    const bytes = await readModelFile(config.modelCacheDir, sha256, config.limits.maxModelBytes);
    const admitted = admitModel(bytes, sha256, config.limits);
    return { bytes, inputs: admitted.inputs, outputs: admitted.outputs };
  } catch (thrown) {
    if (thrown instanceof AdmissionError) throw new WorkerFailure(thrown.code, thrown.message);
    throw thrown;
  }
}
