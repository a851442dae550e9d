/**
 * The wagmi config, built from what the marketplace announced about where it pays (chain id, vault,
 * token) — never from constants — with the built-in wallet as the only connector and the same EIP-1193
 * provider as the transport for reads. WalletConnect is not offered: it needs a relay and a project id,
 * and this build ships neither (see docs/payouts.md).
 */
import { type Chain, defineChain } from 'viem';
import { createConfig, custom } from 'wagmi';
import type { PayoutInfo } from '../../common/marketplace-protocol.js';
import type { HearthEip1193 } from './eip1193.js';
import { hearthConnector } from './hearth-connector.js';

/** A viem chain for the marketplace's payout chain. */
export function payoutChain(payout: PayoutInfo): Chain {
  return defineChain({
    id: payout.chainId,
    name: payout.chainId === 31337 ? 'Local test chain' : `Chain ${payout.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: payout.rpcUrl === null ? [] : [payout.rpcUrl] } },
    ...(payout.explorerUrl === null ? {} : { blockExplorers: { default: { name: 'Explorer', url: payout.explorerUrl } } }),
  });
}

/** The wagmi config for `payout`, reading and sending through `provider`. */
export function createWalletConfig(payout: PayoutInfo, provider: HearthEip1193) {
  const chain = payoutChain(payout);
  return createConfig({
    chains: [chain],
    connectors: [hearthConnector(provider)],
    transports: { [chain.id]: custom(provider) },
    multiInjectedProviderDiscovery: false,
    storage: null,
  });
}

export type WalletConfig = ReturnType<typeof createWalletConfig>;
