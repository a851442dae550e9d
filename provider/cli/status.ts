/** `hearth status [--json]`: what the running provider reports about itself. */
import type { Status } from '../../common/api.js';
import { callProvider, connectToProvider } from './api-connection.js';
import { formatTable } from './text-table.js';

/** Prints the running provider's status as lines and a workers table, or as JSON. */
export async function runStatus(options: { json: boolean; dataDir: string }, out: NodeJS.WritableStream): Promise<void> {
  const connection = await connectToProvider(options.dataDir);
  const status = await callProvider(connection, 'status.get', {});
  out.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
}

const MARKET_STATES: Record<NonNullable<Status['marketplace']>['state'], string> = {
  connecting: 'connecting to',
  connected: 'connected to',
  reconnecting: 'reconnecting to',
  draining: 'finishing jobs for',
  stopped: 'disconnected from',
};

/** The status for a terminal: provider line, data folder, marketplace, devices and workers. */
export function formatStatus(status: Status): string {
  const market = status.marketplace;
  const lines = [
    `Hearth ${status.version}: ${status.state} (${status.mode}), up ${formatUptime(status.uptimeMs)}`,
    `Data folder: ${status.dataDir}`,
    market === null
      ? 'Marketplace: none, so no jobs will run (restart without --no-marketplace for the local demo, or with --marketplace URL --coordinator 0x… to join one)'
      : `Marketplace: ${market.kind === 'local-demo' ? 'local demo, ' : ''}${MARKET_STATES[market.state]} ${market.url}; ${market.jobsDone} job${market.jobsDone === 1 ? '' : 's'} acknowledged since start`,
  ];
  if (market !== null) lines.push(`Node: ${market.node} (coordinator ${market.coordinator})`);
  if (market?.payout) lines.push(`Payouts: ${market.payout.tokenSymbol} (${market.payout.token}) on chain ${market.payout.chainId}, vault ${market.payout.vault}`);
  if (market?.lastError) lines.push(`Last marketplace error: ${market.lastError}`);
  if (market?.kind === 'local-demo') lines.push('Local demo marketplace: jobs come from a demand generator on this machine; payouts go to a local test chain.');
  lines.push(`Devices: ${status.devices === null ? 'not detected yet' : status.devices.length === 0 ? 'no GPU found (jobs run on the CPU)' : status.devices.map((d) => d.name).join(', ')}`);
  const text = `${lines.join('\n')}\n`;
  if (status.workers.length === 0) return `${text}Workers: none\n`;
  const rows = status.workers.map((w) => [w.deviceId, w.state, w.executionProvider ?? '-', w.pid === null ? '-' : String(w.pid), String(w.restarts), String(w.warmModels.length), String(w.quarantined.length)]);
  return `${text}\n${formatTable(['WORKER', 'STATE', 'RUNS ON', 'PID', 'RESTARTS', 'WARM', 'QUARANTINED'], rows, new Set([3, 4, 5, 6]))}`;
}

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h ${m} min`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s % 60} s`;
}
