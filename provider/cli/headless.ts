import { join } from 'node:path';
import { defaultDataDir } from '../data-dir.js';
import { startDashboardServer } from '../http/server.js';
import { loadOrCreateToken } from '../http/token.js';
import { Provider } from '../provider.js';
import type { MarketplaceLinkConfig } from '../marketplace/provider-link-wiring.js';
import { HEARTH_VERSION } from '../version.js';
import { LOCAL_DEMO_DIR, LOCAL_DEMO_INFO_FILE } from '../../marketplace/embedded/local-demo.js';
import { removeDashboardRecord, writeDashboardRecord } from './api-connection.js';

export type HeadlessOptions = { dataDir: string | undefined; dashboardPort: number | undefined; marketplace?: MarketplaceLinkConfig | 'local-demo'; payoutRpcUrl?: string };

/** The built renderer, next to the built CLI (out/main/cli.js → out/renderer). */
export function builtRendererDir(): string {
  return join(import.meta.dirname, '..', 'renderer');
}

/** The app folder holding package.json, out/ and node_modules (out/main/cli.js → ../..). */
export function builtAppRoot(): string {
  return join(import.meta.dirname, '..', '..');
}

/** What the start-up message says about where jobs come from. */
function marketplaceLines(provider: Provider): string {
  const market = provider.status().marketplace;
  if (market === null) return 'Marketplace: none (--no-marketplace); no jobs will run.\n';
  const demo = provider.localDemo();
  const link = `Marketplace: ${market.url} (coordinator ${market.coordinator}); this node is ${market.node}\n`;
  if (demo === null) return link;
  return (
    `Local demo marketplace (jobs from a demand generator on this machine, paid in test tokens on a local chain):\n` +
    `  ${link}` +
    `  OIP API: ${demo.oipUrl} (consumer key in ${join(provider.dataDir, LOCAL_DEMO_DIR, LOCAL_DEMO_INFO_FILE)})\n` +
    `  Chain: ${demo.payout.rpcUrl} (chain id ${demo.chainId}), vault ${demo.payout.vault}, token ${demo.payout.tokenSymbol} ${demo.payout.token}\n`
  );
}

/** `hearth start`: the provider plus the dashboard server, until SIGINT or SIGTERM. */
export async function runHeadless(options: HeadlessOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  const provider = await Provider.open({ dataDir: options.dataDir ?? defaultDataDir(), mode: 'headless', workers: { appRoot: builtAppRoot() }, marketplace: options.marketplace, payoutRpcUrl: options.payoutRpcUrl });
  for (const warning of provider.warnings) err.write(`hearth: warning: ${warning}\n`);
  await provider.start();
  let server;
  try {
    server = await startDashboardServer({
      port: options.dashboardPort ?? provider.settings.dashboardPort,
      token: await loadOrCreateToken(provider.dataDir),
      dispatch: provider.dispatch,
      subscribe: (listener) => provider.subscribe(listener),
      initialEvents: () => [{ name: 'status', payload: provider.status() }],
      rendererDir: builtRendererDir(),
      logger: provider.logger,
    });
  } catch (error) {
    await provider.stop();
    throw error;
  }
  provider.logger.info({ port: server.port }, 'dashboard listening');
  await writeDashboardRecord(provider.dataDir, server.port);
  out.write(
    `Hearth ${HEARTH_VERSION} is running headless.\n` +
      `Dashboard: ${server.url}\n` +
      `Data folder: ${provider.dataDir}\n` +
      marketplaceLines(provider) +
      `Press Ctrl+C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out.write('Stopping…\n');
  await removeDashboardRecord(provider.dataDir);
  await server.close();
  await provider.stop();
}
