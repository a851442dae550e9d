/** The provider's lifecycle state as a coloured dot and a word. */
import type { ProviderState } from '../../common/api.js';
import { formatState } from '../format.js';

/** The state badge; `stale` dims it when the state is only the last one known. */
export function StateBadge({ state, stale }: { state: ProviderState; stale: boolean }) {
  return (
    <span className={`state-badge state-${state}${stale ? ' state-stale' : ''}`}>
      <span className="dot" aria-hidden="true" />
      <span data-testid="status-state">{formatState(state)}</span>
    </span>
  );
}
