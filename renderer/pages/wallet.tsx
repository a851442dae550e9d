/**
 * The Wallet page: set up or unlock the built-in wallet, see what is pending, claimable and claimed,
 * claim through wagmi (whose only connector is the provider's wallet, over the API), the claim history,
 * and key export. The wagmi config comes from the chain the marketplace announced.
 */
import { useEffect, useMemo } from 'react';
import type { Address } from 'viem';
import { WagmiProvider, useAccount, useConnect } from 'wagmi';
import type { WalletStatus } from '../../common/api-wallet.js';
import type { PayoutInfo } from '../../common/marketplace-protocol.js';
import { useApiClient } from '../api/api-context.js';
import { useStatus } from '../api/live-queries.js';
import { ClaimHistory } from '../components/claim-history.js';
import { ClaimPanel } from '../components/claim-panel.js';
import { ErrorPanel } from '../components/error-panel.js';
import { ExportKey } from '../components/export-key.js';
import { WalletOverview } from '../components/wallet-overview.js';
import { WalletCreate, WalletUnlock } from '../components/wallet-setup.js';
import { hearthEip1193 } from '../wallet/eip1193.js';
import { createWalletConfig } from '../wallet/wagmi-config.js';
import { useWalletStatus } from '../wallet/wallet-queries.js';

/** The page. */
export function WalletPage() {
  const payout = useStatus().data?.marketplace?.payout ?? null;
  const wallet = useWalletStatus();
  return (
    <>
      <header className="page-header">
        <h1>Wallet</h1>
        <p className="muted">Where your earnings are paid out, and claiming them on-chain.</p>
      </header>
      {wallet.isError ? (
        <ErrorPanel title="Couldn't read the wallet" error={wallet.error} />
      ) : wallet.data === undefined ? (
        <section className="card" aria-busy="true">
          <p className="muted">Reading the wallet…</p>
        </section>
      ) : !wallet.data.exists ? (
        <WalletCreate />
      ) : wallet.data.locked ? (
        <WalletUnlock address={wallet.data.address} />
      ) : payout === null ? (
        <NoPayoutChain status={wallet.data} />
      ) : (
        <ChainWallet payout={payout} status={wallet.data} />
      )}
    </>
  );
}

function NoPayoutChain({ status }: { status: WalletStatus }) {
  return (
    <section className="card empty-state">
      <h2>No payout chain</h2>
      <p>
        The wallet <span className="mono">{status.address}</span> is ready, but the marketplace this provider is connected to has not said which chain and vault
        it pays on (or none is connected). Credits still accrue in the ledger.
      </p>
    </section>
  );
}

/** Everything that needs the chain, under one wagmi config for the announced payout chain. */
function ChainWallet({ payout, status }: { payout: PayoutInfo; status: WalletStatus }) {
  const { api } = useApiClient();
  const config = useMemo(() => createWalletConfig(payout, hearthEip1193(api)), [api, payout]);
  return (
    <WagmiProvider config={config} reconnectOnMount={false}>
      <AutoConnect />
      <WalletOverview status={status} payout={payout} />
      <ClaimPanel payout={payout} account={status.address as Address} />
      <ClaimHistory payout={payout} />
      <ExportKey />
    </WagmiProvider>
  );
}

/** Connects wagmi to the built-in wallet once it is unlocked (there is no other wallet to choose). */
function AutoConnect() {
  const { isConnected } = useAccount();
  const { connect, connectors, isPending } = useConnect();
  useEffect(() => {
    const hearth = connectors[0];
    if (!isConnected && !isPending && hearth !== undefined) connect({ connector: hearth });
  }, [isConnected, isPending, connect, connectors]);
  return null;
}
