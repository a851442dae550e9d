/** A card per worker, or one card saying why there are none yet. */
import type { Status } from '../../common/api.js';
import { WorkerCard } from './worker-card.js';

/** Why the provider reports no workers, in its current state. */
function noWorkersText(state: Status['state']): string {
  if (state === 'starting') return 'Workers start once device detection has finished.';
  if (state === 'running') return 'This provider runs no workers.';
  return 'No workers are running: the provider is stopped.';
}

/** The workers of `status`, in the order the provider reports them. */
export function WorkerCards({ status, stale }: { status: Status; stale: boolean }) {
  if (status.workers.length === 0) {
    return (
      <section className="card card-wide" aria-labelledby="workers-heading">
        <h2 id="workers-heading" className="card-label">
          Workers
        </h2>
        <p className="muted" data-testid="workers-empty">
          {noWorkersText(status.state)}
        </p>
      </section>
    );
  }
  return (
    <>
      {status.workers.map((worker) => (
        <WorkerCard key={worker.deviceId} worker={worker} devices={status.devices} stale={stale} />
      ))}
    </>
  );
}
