/** A quiet indicator of the link to the provider, for the sidebar's foot. */
import { useApiClient, useConnection } from '../api/api-context.js';
import type { ConnectionStatus } from '../api/connection.js';

const labels: Record<ConnectionStatus, string> = {
  online: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline',
  unauthorized: 'No access',
};

/** Dot, word and transport for the current connection. */
export function ConnectionStatusPill() {
  const { transport } = useApiClient();
  const { status } = useConnection();
  return (
    <div className={`connection-pill connection-${status}`} data-testid="connection-status">
      <span className="dot" aria-hidden="true" />
      <span>{labels[status]}</span>
      <span className="connection-transport">{transport === 'ipc' ? 'desktop' : 'local web'}</span>
    </div>
  );
}
