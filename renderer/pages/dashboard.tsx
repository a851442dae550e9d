/** The first page: what the provider is doing right now, live from its status events. */
import type { Status } from '../../common/api.js';
import { useStatus } from '../api/live-queries.js';
import { useReachability } from '../api/reachability.js';
import { DeviceList } from '../components/device-list.js';
import { ErrorPanel } from '../components/error-panel.js';
import { SchedulerCard } from '../components/scheduler-card.js';
import { StateBadge } from '../components/state-badge.js';
import { WorkerCards } from '../components/worker-cards.js';
import { formatDateTime, formatDuration } from '../format.js';

const modeLabels: Record<Status['mode'], string> = {
  desktop: 'Desktop app',
  headless: 'Headless (browser dashboard)',
};

const marketStates: Record<NonNullable<Status['marketplace']>['state'], string> = {
  connecting: 'Connecting to',
  connected: 'Connected to',
  reconnecting: 'Reconnecting to',
  draining: 'Finishing jobs for',
  stopped: 'Disconnected from',
};

/** One line about the marketplace link: where, in what state, and how many results it acknowledged. */
function marketplaceText(market: Status['marketplace']): string {
  if (market === null) return 'None (hearth start --marketplace URL --coordinator 0x… connects one)';
  return `${marketStates[market.state]} ${market.url} · ${market.jobsDone} job${market.jobsDone === 1 ? '' : 's'} done`;
}

/** The dashboard page: status, details, devices and workers, or why they cannot be shown. */
export function DashboardPage() {
  const status = useStatus();
  const stale = useReachability() !== 'reachable';

  return (
    <>
      <header className="page-header">
        <h1>Dashboard</h1>
        <p className="muted">This machine, as the Hearth provider reports it.</p>
      </header>
      {status.data !== undefined ? (
        <StatusView status={status.data} stale={stale} />
      ) : status.isError ? (
        <ErrorPanel title="Couldn't read the provider's status" error={status.error} />
      ) : (
        <section className="card" aria-busy="true">
          <p className="muted">Asking the provider for its status…</p>
        </section>
      )}
    </>
  );
}

function StatusView({ status, stale }: { status: Status; stale: boolean }) {
  return (
    <div className="dashboard-grid">
      <section className={`card status-card${stale ? ' card-stale' : ''}`} aria-labelledby="status-heading">
        <h2 id="status-heading" className="card-label">
          Provider
        </h2>
        <StateBadge state={status.state} stale={stale} />
        {status.state !== 'stopped' && (
          <p className="uptime">
            Up <span data-testid="status-uptime">{formatDuration(status.uptimeMs)}</span>
          </p>
        )}
        <p className="muted small">
          {stale ? 'Last known state — the provider is not answering.' : `Since ${formatDateTime(status.startedAt)}`}
        </p>
      </section>

      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading" className="card-label">
          Details
        </h2>
        <dl className="details">
          <dt>Version</dt>
          <dd data-testid="status-version">{status.version}</dd>
          <dt>Mode</dt>
          <dd data-testid="status-mode">{modeLabels[status.mode]}</dd>
          <dt>Data folder</dt>
          <dd className="path" data-testid="status-datadir">
            {status.dataDir}
          </dd>
          <dt>Marketplace</dt>
          <dd data-testid="status-marketplace" title={status.marketplace?.lastError ?? undefined}>
            {marketplaceText(status.marketplace)}
          </dd>
        </dl>
      </section>

      <SchedulerCard stale={stale} />

      <section className="card card-wide" aria-labelledby="devices-heading">
        <h2 id="devices-heading" className="card-label">
          Devices
        </h2>
        <DeviceList devices={status.devices} />
      </section>

      <WorkerCards status={status} stale={stale} />
    </div>
  );
}
