/** The Earnings page: what the coordinator credited, per token, over time, by model and by device. */
import { useMemo, useState } from 'react';
import { type EarningsBreakdown, type EarningsRow, payoutToken } from '../../common/api-earnings.js';
import type { MethodOutput, Status } from '../../common/api.js';
import { shortModel } from '../../common/job-labels.js';
import { useEarningsBreakdown, useEarningsSummary, useHasMarketplace, useLedgerFollowsStatus } from '../api/ledger-queries.js';
import { useStatus } from '../api/live-queries.js';
import { EarningsChart } from '../components/earnings-chart.js';
import { EarningsTable } from '../components/earnings-table.js';
import { ErrorPanel } from '../components/error-panel.js';
import { MarketplaceNeeded } from '../components/marketplace-needed.js';
import { NetEarnings } from '../components/net-earnings.js';
import { TokenAmount } from '../components/token-amount.js';

type ChartPeriod = 'hour' | 'day';
const PERIOD_MS: Record<ChartPeriod, number> = { hour: 3_600_000, day: 86_400_000 };
const PERIOD_WORDS: Record<ChartPeriod, string> = { hour: 'per hour, last 48 hours', day: 'per day, last 30 days' };

/** The page: totals, the chart, and the tables, or why they cannot be shown. */
export function EarningsPage() {
  const hasMarketplace = useHasMarketplace();
  const marketplace = useStatus().data?.marketplace;
  useLedgerFollowsStatus();
  const summary = useEarningsSummary(hasMarketplace === true);

  return (
    <>
      <header className="page-header">
        <h1>Earnings</h1>
        <p className="muted">What the marketplace credited this machine for its results.</p>
      </header>
      {hasMarketplace === false ? (
        <MarketplaceNeeded what="Earnings" />
      ) : summary.data !== undefined ? (
        <EarningsView summary={summary.data} marketplace={marketplace} />
      ) : summary.isError ? (
        <ErrorPanel title="Couldn't read the earnings" error={summary.error} />
      ) : (
        <section className="card" aria-busy="true">
          <p className="muted">Reading the ledger…</p>
        </section>
      )}
    </>
  );
}

function EarningsView({ summary, marketplace }: { summary: MethodOutput<'earnings.summary'>; marketplace: Status['marketplace'] | undefined }) {
  const [period, setPeriod] = useState<ChartPeriod>('day');
  const [chosenToken, setChosenToken] = useState<string | null>(null);
  const tokens = summary.totals.map((t) => t.token);
  const token = chosenToken !== null && tokens.includes(chosenToken) ? chosenToken : (tokens[0] ?? null);
  const showToken = tokens.length > 1;
  const byPeriod = useEarningsBreakdown(period, true);
  const byModel = useEarningsBreakdown('model', true);
  const byDevice = useEarningsBreakdown('device', true);

  if (summary.totals.length === 0) {
    return (
      <section className="card empty-state" data-testid="earnings-empty">
        <h2>Nothing credited yet</h2>
        <p className="muted">Credits appear here once the marketplace acknowledges a job's result; this page updates by itself.</p>
      </section>
    );
  }
  return (
    <div className="earnings-grid">
      <section className="card card-wide" aria-labelledby="totals-heading">
        <h2 id="totals-heading" className="card-label">
          Credited in total
        </h2>
        <ul className="totals">
          {summary.totals.map((total) => (
            <li key={total.token} className="total" data-testid="earnings-total" data-token={total.token}>
              <span className="total-amount" data-testid="earnings-total-amount" data-amount-total={total.credited}>
                <TokenAmount amount={total.credited} token={total.token} marketplace={marketplace} unit />
              </span>
              <span className="muted small">
                {total.jobs} job{total.jobs === 1 ? '' : 's'} · token <span className="mono">{total.token}</span>
              </span>
            </li>
          ))}
        </ul>
      </section>

      <NetEarnings />

      <section className="card card-wide" aria-labelledby="chart-heading">
        <div className="card-head">
          <h2 id="chart-heading" className="card-label">
            Credited {PERIOD_WORDS[period]}
          </h2>
          <div className="segmented" role="group" aria-label="Group by">
            {(['hour', 'day'] as const).map((p) => (
              <button key={p} type="button" aria-pressed={p === period} onClick={() => setPeriod(p)}>
                By {p}
              </button>
            ))}
          </div>
          {showToken && (
            <label className="small">
              Token{' '}
              <select value={token ?? ''} onChange={(e) => setChosenToken(e.target.value)}>
                {tokens.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
          )}
        </div>
        {byPeriod.data !== undefined && token !== null ? (
          <PeriodView breakdown={byPeriod.data} period={period} token={token} marketplace={marketplace} />
        ) : byPeriod.isError ? (
          <ErrorPanel title="Couldn't read the earnings over time" error={byPeriod.error} />
        ) : (
          <p className="muted">Reading…</p>
        )}
      </section>

      <section className="card" aria-labelledby="models-heading">
        <h2 id="models-heading" className="card-label">
          By model
        </h2>
        <BreakdownTable query={byModel} groupTitle="Model" groupLabel={(row) => shortModel(row.key ?? '')} marketplace={marketplace} showToken={showToken} testId="earnings-by-model" />
      </section>
      <section className="card" aria-labelledby="devices-heading">
        <h2 id="devices-heading" className="card-label">
          By device
        </h2>
        <BreakdownTable query={byDevice} groupTitle="Device" groupLabel={(row) => row.key ?? '—'} marketplace={marketplace} showToken={showToken} testId="earnings-by-device" />
      </section>
    </div>
  );
}

function PeriodView({ breakdown, period, token, marketplace }: { breakdown: EarningsBreakdown; period: ChartPeriod; token: string; marketplace: Status['marketplace'] | undefined }) {
  const known = payoutToken(marketplace, token);
  const decimals = known?.decimals ?? null;
  const rows = useMemo(() => breakdown.rows.filter((row) => row.token === token), [breakdown, token]);
  // Floats for drawing bars only; every amount a person reads comes from the exact strings. Memoised so
  // the chart is redrawn when the data changes, not on every status event.
  const points = useMemo(() => rows.map((row) => ({ start: row.start ?? 0, value: Number(row.amount) / 10 ** (decimals ?? 0) })), [rows, decimals]);
  const label = (row: EarningsRow) =>
    new Date(row.start ?? 0).toLocaleString(undefined, period === 'hour' ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
  return (
    <>
      <EarningsChart points={points} bucketMs={PERIOD_MS[period]} from={breakdown.from} to={breakdown.to} unit={known?.symbol ?? 'base units'} label={`Credited ${PERIOD_WORDS[period]}`} />
      <details className="exact">
        <summary>Exact amounts</summary>
        <EarningsTable rows={[...rows].reverse()} groupTitle={period === 'hour' ? 'Hour' : 'Day'} groupLabel={label} marketplace={marketplace} showToken={false} testId="earnings-by-period" empty="Nothing credited in this range." />
      </details>
    </>
  );
}

type BreakdownQuery = ReturnType<typeof useEarningsBreakdown>;

function BreakdownTable({ query, ...table }: { query: BreakdownQuery; groupTitle: string; groupLabel: (row: EarningsRow) => string; marketplace: Status['marketplace'] | undefined; showToken: boolean; testId: string }) {
  if (query.data !== undefined) return <EarningsTable rows={query.data.rows} empty="Nothing credited yet." {...table} />;
  if (query.isError) return <ErrorPanel title="Couldn't read this breakdown" error={query.error} />;
  return <p className="muted">Reading…</p>;
}
