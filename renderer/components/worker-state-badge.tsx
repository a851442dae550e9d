/** A worker's state as a coloured dot and a word, smaller than the provider's badge. */
import type { WorkerStatus } from '../../common/api.js';
import { formatWorkerState, workerStateTone } from '../worker-labels.js';

/** The badge; `stale` dims it when the state is only the last one known. */
export function WorkerStateBadge({ state, stale }: { state: WorkerStatus['state']; stale: boolean }) {
  return (
    <span className={`worker-badge tone-${workerStateTone(state)}${stale ? ' state-stale' : ''}`}>
      <span className="dot" aria-hidden="true" />
      <span data-testid="worker-state">{formatWorkerState(state)}</span>
    </span>
  );
}
