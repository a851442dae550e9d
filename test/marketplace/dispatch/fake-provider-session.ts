/**
 * A fake ProviderSession for dispatcher tests (a real one needs a provider on a WebSocket or a worker
 * process): every run() waits until the test settles it, and the test sees what was offered and cancelled.
 */
import type { JobSpec } from '../../../common/marketplace-protocol.js';
import type { Tensor } from '../../../common/tensor.js';
import type { Hex, ProviderOutcome, ProviderSession } from '../../../marketplace/dispatch/provider-session.js';
import { outputSha256 } from '../../../worker/inference/output-digest.js';

export type OfferedRun = { job: JobSpec; inputs: Tensor[]; signature: Hex; settle: (outcome: ProviderOutcome) => void };

export type FakeProviderSession = ProviderSession & {
  warmModels: Set<string>;
  inFlight: number;
  paused: boolean;
  readonly offered: OfferedRun[];
  readonly cancelled: string[];
  /** The next run offered to this session that no earlier call returned (waits for it if need be). */
  nextOffer: () => Promise<OfferedRun>;
};

/** A session named `id` with `maxInFlight` slots whose runs the test settles by hand. */
export function fakeProviderSession(id: string, options: { maxInFlight?: number; warm?: string[] } = {}): FakeProviderSession {
  const offered: OfferedRun[] = [];
  const waiters: ((run: OfferedRun) => void)[] = [];
  let taken = 0;
  const session: FakeProviderSession = {
    id,
    warmModels: new Set(options.warm ?? []),
    inFlight: 0,
    maxInFlight: options.maxInFlight ?? 1,
    paused: false,
    offered,
    cancelled: [],
    run(job, inputs, signature) {
      return new Promise<ProviderOutcome>((resolve) => {
        session.inFlight += 1;
        const run: OfferedRun = {
          job,
          inputs,
          signature,
          settle: (outcome) => {
            session.inFlight -= 1;
            resolve(outcome);
          },
        };
        offered.push(run);
        const waiter = waiters.shift();
        if (waiter !== undefined) waiter(run);
      });
    },
    cancel(jobId) {
      session.cancelled.push(jobId);
    },
    nextOffer: () => {
      const run = offered[taken++];
      return run === undefined ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve(run);
    },
  };
  return session;
}

/** A result for the job that passes the coordinator's checks: outputs and a receipt that matches them. */
export function goodOutcome(job: JobSpec, outputs: Tensor[] = [{ name: 'y', datatype: 'FP32', shape: [1], data: new Uint8Array(4) }]): ProviderOutcome {
  return {
    ok: true,
    outputs,
    receipt: {
      jobId: job.id,
      modelSha256: job.model.sha256,
      inputSha256: job.inputSha256,
      outputSha256: outputSha256(outputs),
      fingerprintHash: `0x${'0'.repeat(64)}`,
      runMs: 1,
      executionProvider: 'cpu',
      deviceId: 'cpu',
      seq: 1,
    },
    signature: null,
  };
}
