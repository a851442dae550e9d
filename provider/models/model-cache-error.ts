import type { WorkerErrorCode } from '../../common/worker-protocol.js';

/** The worker error codes the model cache can give. */
export type ModelCacheErrorCode = Extract<WorkerErrorCode, 'model_hash_mismatch' | 'model_too_large' | 'model_missing'>;

/** The cache refused a model; `message` is written for a person, `code` is the protocol's. */
export class ModelCacheError extends Error {
  override readonly name = 'ModelCacheError';

  constructor(
    readonly code: ModelCacheErrorCode,
    message: string,
  ) {
    super(message);
  }
}
