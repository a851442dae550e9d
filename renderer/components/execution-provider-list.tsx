/** The execution providers a worker tried, best first, with why the unavailable ones could not run. */
import { useId } from 'react';
import type { WorkerStatus } from '../../common/api.js';
import { formatExecutionProvider } from '../worker-labels.js';
import { CheckMark } from './check-mark.js';

type Probe = WorkerStatus['executionProviders'][number];

/** A compact list: mark, name, and the provider's own reason in muted text for those that failed. */
export function ExecutionProviderList({ probes, inUse }: { probes: Probe[]; inUse: Probe['name'] | null }) {
  const captionId = useId();
  if (probes.length === 0) return null;
  return (
    <>
      <p className="probe-caption" id={captionId}>
        Tried, best first
      </p>
      <ul className="probe-list" aria-labelledby={captionId} data-testid="worker-probes">
        {probes.map((probe) => (
          <li key={probe.name} className="probe" data-provider={probe.name} data-available={probe.available}>
            <CheckMark on={probe.available} label={probe.available ? 'available' : 'unavailable'} />
            <span className="probe-name">{formatExecutionProvider(probe.name)}</span>
            {probe.name === inUse && <span className="probe-tag">in use</span>}
            {!probe.available && (
              <span className="probe-reason" title={probe.reason ?? undefined}>
                {probe.reason ?? 'Not available'}
              </span>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
