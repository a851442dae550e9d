/**
 * The provider side of the marketplace section, in a process of its own: a real Provider (device
 * detection, sandboxed worker pool, SQLite ledger with synchronous=FULL, node key, marketplace client)
 * with its data folder in a fresh folder under the given parent, dialling the coordinator over the
 * WebSocket link on loopback. Ready once the marketplace client is connected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Address } from 'viem';
import { Provider } from '../../provider/provider.js';
import { serveBench } from '../child-link.js';

/** Starts a provider connected to `<providerUrl> <coordinator> <chainId>`, its data folder under `<parent>`. */
export async function serveProviderChild(args: readonly string[], appRoot: string): Promise<void> {
  const [url, coordinator, chainIdText, parent] = args;
  if (url === undefined || coordinator === undefined || parent === undefined) throw new Error('usage: --child provider <ws url> <coordinator> <chain id> <parent folder>');
  const dataDir = await mkdtemp(join(parent, 'hearth-bench-provider-'));
  const provider = await Provider.open({
    dataDir,
    mode: 'headless',
    workers: { appRoot },
    marketplace: { url, coordinator: coordinator as Address, chainId: Number(chainIdText) },
  });
  await provider.start();
  const until = Date.now() + 60_000;
  while (provider.status().marketplace?.state !== 'connected') {
    if (Date.now() > until) throw new Error(`the provider did not connect to ${url} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  serveBench({ dataDir }, () => Promise.resolve(provider.status().marketplace), async () => {
    await provider.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
}
