/** A table of credited amounts per group (a model, a device, a period), per token. */
import type { EarningsRow } from '../../common/api-earnings.js';
import type { Status } from '../../common/api.js';
import { TokenAmount } from './token-amount.js';

type EarningsTableProps = {
  rows: readonly EarningsRow[];
  groupTitle: string;
  /** The group's name as shown (a model hash shortened, a device id, a date). */
  groupLabel: (row: EarningsRow) => string;
  marketplace: Status['marketplace'] | undefined;
  showToken: boolean;
  testId: string;
  empty: string;
};

/** The rows as a table, or `empty` in words when there are none. */
export function EarningsTable({ rows, groupTitle, groupLabel, marketplace, showToken, testId, empty }: EarningsTableProps) {
  if (rows.length === 0) return <p className="muted" data-testid={`${testId}-empty`}>{empty}</p>;
  return (
    <table className="data-table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{groupTitle}</th>
          {showToken && <th scope="col">Token</th>}
          <th scope="col" className="num">
            Credited
          </th>
          <th scope="col" className="num">
            Jobs
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.start ?? row.key}-${row.token}`} data-testid={`${testId}-row`}>
            <th scope="row" title={row.key ?? undefined}>
              {groupLabel(row)}
            </th>
            {showToken && <td className="mono">{row.token}</td>}
            <td className="num" data-testid={`${testId}-amount`}>
              <TokenAmount amount={row.amount} token={row.token} marketplace={marketplace} />
            </td>
            <td className="num">{row.jobs}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
