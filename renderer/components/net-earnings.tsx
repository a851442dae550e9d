/** Gross earnings beside what the electricity cost and what is left, in the person's currency (`earnings.net`). */
import type { EarningsNet } from '../../common/api-energy.js';
import { useEarningsNet } from '../api/ledger-queries.js';

/** Exact money text ("12.345600") with the zeros past the cents dropped: "12.3456", "3.50", "-0.10". */
export function formatMoney(text: string): string {
  const match = /^(-?\d+)\.(\d*?)0*$/.exec(text);
  if (match === null) return text;
  const fraction = match[2]!.padEnd(2, '0');
  return `${match[1]}.${fraction}`;
}

/** The card: gross, electricity, net over the last 30 days, or the provider's reason it cannot say. */
export function NetEarnings() {
  const net = useEarningsNet(true);
  return (
    <section className="card card-wide" aria-labelledby="net-heading" data-testid="earnings-net">
      <h2 id="net-heading" className="card-label">
        After electricity, last 30 days
      </h2>
      {net.data !== undefined ? <NetFigures net={net.data} /> : net.isError ? <p className="muted">{net.error.message}</p> : <p className="muted">Reading…</p>}
    </section>
  );
}

function NetFigures({ net }: { net: EarningsNet }) {
  const { totals, currency } = net;
  const notes = [
    totals.estimatedJobs > 0 ? `${totals.estimatedJobs} job${totals.estimatedJobs === 1 ? '' : 's'} with estimated power` : null,
    totals.unmeteredJobs > 0 ? `${totals.unmeteredJobs} without an energy reading (counted as free)` : null,
  ].filter((note) => note !== null);
  return (
    <>
      <dl className="net-figures">
        <div>
          <dt>Gross</dt>
          <dd data-testid="net-gross">
            {formatMoney(totals.gross)} {currency}
          </dd>
        </div>
        <div>
          <dt>Electricity ({Math.round(totals.energyWh)} Wh)</dt>
          <dd data-testid="net-energy">
            −{formatMoney(totals.energyCost)} {currency}
          </dd>
        </div>
        <div>
          <dt>Net</dt>
          <dd data-testid="net-net" className={totals.net.startsWith('-') ? 'net-negative' : undefined}>
            {formatMoney(totals.net)} {currency}
          </dd>
        </div>
      </dl>
      <p className="muted small">
        At {formatMoney(net.electricityPrice)} {currency}/kWh and {formatMoney(net.tokenPrice)} {currency} per token (Settings).
        {notes.length > 0 ? ` Includes ${notes.join(' and ')}.` : ''}
      </p>
    </>
  );
}
