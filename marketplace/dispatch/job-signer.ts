/** The coordinator's signature over job specs (implemented with viem and the pinned key elsewhere). */
import type { JobSpec } from '../../common/marketplace-protocol.js';
import type { Hex } from './provider-session.js';

/** Signs a job spec with the coordinator's pinned key. */
export interface JobSigner {
  sign(job: JobSpec): Promise<Hex>;
}
