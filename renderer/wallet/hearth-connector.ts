/**
 * wagmi's connector for the built-in wallet: it connects to the provider process's wallet through the
 * API (never to a key in the page), on the one chain the marketplace pays on.
 */
import { type Address, getAddress } from 'viem';
import { createConnector } from 'wagmi';
import type { HearthEip1193 } from './eip1193.js';

/** The connector's id in wagmi's state. */
export const HEARTH_CONNECTOR_ID = 'hearth';

/** A wagmi connector whose EIP-1193 requests go to `provider` (the Hearth wallet over the API). */
export function hearthConnector(provider: HearthEip1193) {
  const accounts = async (method: 'eth_accounts' | 'eth_requestAccounts'): Promise<readonly Address[]> => {
    const list = (await provider.request({ method } as never)) as string[];
    return list.map((a) => getAddress(a));
  };
  const chainId = async (): Promise<number> => Number(await provider.request({ method: 'eth_chainId' } as never));
  return createConnector<HearthEip1193>((config) => ({
    id: HEARTH_CONNECTOR_ID,
    name: 'Hearth wallet',
    type: HEARTH_CONNECTOR_ID,
    async connect(parameters) {
      const connected = { accounts: await accounts('eth_requestAccounts'), chainId: await chainId() };
      if (parameters?.withCapabilities) return { ...connected, accounts: connected.accounts.map((address) => ({ address, capabilities: {} })) } as never;
      return connected as never;
    },
    async disconnect() {},
    getAccounts: () => accounts('eth_accounts'),
    getChainId: chainId,
    async getProvider() {
      return provider;
    },
    async isAuthorized() {
      return (await accounts('eth_accounts')).length > 0;
    },
    onAccountsChanged(list) {
      config.emitter.emit('change', { accounts: list.map((a) => getAddress(a)) });
    },
    onChainChanged(id) {
      config.emitter.emit('change', { chainId: Number(id) });
    },
    onDisconnect() {
      config.emitter.emit('disconnect');
    },
  }));
}
