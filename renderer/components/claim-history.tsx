/** Past claims from the ledger's claim state machine, with explorer links where the chain has one. */
import type { ClaimItem } from '../../common/api-wallet.js';
import type { PayoutInfo } from '../../common/marketplace-protocol.js';
import { formatDateTime } from '../format.js';
import { PayoutAmount } from './wallet-overview.js';
import { useClaims } from '../wallet/wallet-queries.js';

const STATE_WORDS: Record<ClaimItem['state'], string> = {
  voucher: 'Checked',
  simulated: 'Simulated',
  signed: 'Signed',
  broadcast: 'Sent, waiting',
  confirmed: 'Confirmed',
  failed: 'Failed',
};

/** The claim history table. */
export function ClaimHistory({ payout }: { payout: PayoutInfo }) {
  const claims = useClaims();
  const items = claims.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="claims-heading">
      <h2 id="claims-heading">Claim history</h2>
      {items.length === 0 ? (
        <p className="muted">No claims yet.</p>
      ) : (
        <table className="data-table" data-testid="claim-history">
          <thead>
            <tr>
              <th>When</th>
              <th>State</th>
              <th>Paid</th>
              <th>Transaction</th>
            </tr>
          </thead>
          <tbody>
            {items.map((claim) => (
              <tr key={claim.digest}>
                <td>{formatDateTime(claim.updatedAt)}</td>
                <td data-state={claim.state}>
                  {STATE_WORDS[claim.state]}
                  {claim.reason !== null && <span className="muted small"> — {claim.reason}</span>}
                </td>
                <td>{claim.paid !== null ? <PayoutAmount amount={claim.paid} payout={payout} /> : claim.expectedPaid !== null ? <PayoutAmount amount={claim.expectedPaid} payout={payout} /> : '—'}</td>
                <td className="mono">
                  {claim.txHash === null ? '—' : claim.explorerUrl !== null ? <a href={claim.explorerUrl} target="_blank" rel="noreferrer noopener">{claim.txHash.slice(0, 12)}…</a> : `${claim.txHash.slice(0, 12)}…`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
