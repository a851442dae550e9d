/** One sandboxed worker: its device, state, the execution provider it runs on, its sandbox and counts. */
import { useId } from 'react';
import type { Device, WorkerStatus } from '../../common/api.js';
import { formatExecutionProvider, workerStateHint } from '../worker-labels.js';
import { ExecutionProviderList } from './execution-provider-list.js';
import { SandboxLayers } from './sandbox-layers.js';
import { WorkerStateBadge } from './worker-state-badge.js';

/** The device's name when detection found it; the CPU worker has no device entry. */
function deviceLabel(deviceId: string, devices: Device[] | null): string {
  const device = devices?.find((d) => d.id === deviceId);
  if (device !== undefined) return device.name;
  return deviceId === 'cpu' ? 'CPU' : deviceId;
}

/** Why no execution provider is shown yet. */
function noProviderText(state: WorkerStatus['state']): string {
  return state === 'starting' || state === 'restarting' ? 'Known once the worker has started' : 'None';
}

/** A wide card for `worker`; `stale` dims it when the provider no longer answers. */
export function WorkerCard({ worker, devices, stale }: { worker: WorkerStatus; devices: Device[] | null; stale: boolean }) {
  const hint = workerStateHint(worker.state);
  const headingId = useId();
  return (
    <section
      className={`card card-wide worker-card${stale ? ' card-stale' : ''}`}
      aria-labelledby={headingId}
      data-testid="worker"
      data-device-id={worker.deviceId}
    >
      <div className="worker-head">
        <div className="worker-title">
          <h2 id={headingId} className="card-label">
            Worker
          </h2>
          <p className="worker-device" data-testid="worker-device">
            {deviceLabel(worker.deviceId, devices)}
          </p>
        </div>
        <WorkerStateBadge state={worker.state} stale={stale} />
      </div>
      {hint !== null && <p className="muted small">{hint}</p>}

      <div className="worker-body">
        <div className="worker-section">
          <h3 className="section-label">Runs on</h3>
          <p className={`worker-provider${worker.executionProvider === null ? ' muted' : ''}`} data-testid="worker-provider">
            {worker.executionProvider === null ? noProviderText(worker.state) : formatExecutionProvider(worker.executionProvider)}
          </p>
          <ExecutionProviderList probes={worker.executionProviders} inUse={worker.executionProvider} />
        </div>
        <div className="worker-section">
          <h3 className="section-label">Sandbox</h3>
          <SandboxLayers sandbox={worker.sandbox} />
        </div>
      </div>

      <dl className="worker-stats">
        <div>
          <dt>Restarts</dt>
          <dd data-testid="worker-restarts">{worker.restarts}</dd>
        </div>
        <div>
          <dt>Models loaded</dt>
          <dd data-testid="worker-warm">{worker.warmModels.length}</dd>
        </div>
        <div className={worker.quarantined.length > 0 ? 'stat-warn' : undefined}>
          <dt>Models quarantined</dt>
          <dd data-testid="worker-quarantined">{worker.quarantined.length}</dd>
        </div>
        {worker.pid !== null && (
          <div>
            <dt>Process</dt>
            <dd data-testid="worker-pid">{worker.pid}</dd>
          </div>
        )}
      </dl>
      {worker.quarantined.length > 0 && (
        <p className="muted small">Quarantined models crashed or stalled a worker; Hearth refuses them for a while.</p>
      )}
    </section>
  );
}
