/** A JobRunner over the provider's WorkerPool: a ready worker with the model warm, else the least busy. */
import { type JobRun, jobRunOf } from '../energy/job-energy-meter.js';
import type { WorkerPool } from '../worker/worker-pool.js';
import type { JobRunner } from './job-journal.js';

/** Runs marketplace jobs on the pool's workers; `onRun` hears where and when each ran (energy metering). */
export function poolJobRunner(pool: WorkerPool, onRun?: (run: JobRun) => void, now: () => number = Date.now): JobRunner {
  return {
    run(params, deadlineMs) {
      const workers = pool.deviceIds().flatMap((id) => {
        const supervisor = pool.worker(id);
        return supervisor === undefined ? [] : [{ id, supervisor, status: supervisor.status() }];
      });
      const score = (w: (typeof workers)[number]) =>
        (w.status.state === 'ready' ? 0 : 1000) + (w.status.info?.warmModels.includes(params.model.sha256) ? 0 : 100) + w.status.pending;
      const [best] = workers.sort((a, b) => score(a) - score(b));
      if (best === undefined) return Promise.resolve({ ok: false, error: { code: 'worker_unavailable', message: 'This node has no workers.' } });
      const startedAt = now();
      const running = best.supervisor.run(params, { deadlineMs });
      if (onRun === undefined) return running;
      return running.then((result) => (onRun(jobRunOf(params.jobId, best.id, startedAt, now(), result)), result));
    },
  };
}
