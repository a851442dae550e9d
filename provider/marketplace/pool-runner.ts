/** A JobRunner over the provider's WorkerPool: a ready worker with the model warm, else the least busy. */
import type { WorkerPool } from '../worker/worker-pool.js';
import type { JobRunner } from './job-journal.js';

/** Runs marketplace jobs on the pool's workers. */
export function poolJobRunner(pool: WorkerPool): JobRunner {
  return {
    run(params, deadlineMs) {
      const workers = pool.deviceIds().flatMap((id) => {
        const supervisor = pool.worker(id);
        return supervisor === undefined ? [] : [{ supervisor, status: supervisor.status() }];
      });
      const score = (w: (typeof workers)[number]) =>
        (w.status.state === 'ready' ? 0 : 1000) + (w.status.info?.warmModels.includes(params.model.sha256) ? 0 : 100) + w.status.pending;
      const [best] = workers.sort((a, b) => score(a) - score(b));
      if (best === undefined) return Promise.resolve({ ok: false, error: { code: 'worker_unavailable', message: 'This node has no workers.' } });
      return best.supervisor.run(params, { deadlineMs });
    },
  };
}
