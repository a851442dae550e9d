/**
 * The Jobs page: every job, newest first, in pages. Keyset pagination on the insertion order (`jobs.row`,
 * which only grows), so a page is stable while new jobs arrive: they land before the first page, never
 * inside a later one, and no row is shown twice or skipped.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import type { JobEnergy } from '../../common/api-energy.js';
import { Amount, JobId } from '../../common/marketplace-protocol.js';
import { ExecutionProviderName, Sha256Hex } from '../../common/worker-protocol.js';
import { formatMicro } from '../energy/money.js';
import { JobState } from './job-states.js';
import { LedgerError } from './ledger-error.js';
import { checkInput, parseRow } from './rows.js';

/** Jobs per page when the request names no limit. */
export const DEFAULT_PAGE_SIZE = 50;
/** The most jobs one page may hold; a larger limit is `invalid_input`. */
export const MAX_PAGE_SIZE = 200;

/** What to list: `cursor` is a previous page's `nextCursor`; `states` narrows to those states. */
export interface JobHistoryRequest {
  limit?: number;
  cursor?: string | null;
  states?: readonly JobState[];
}

/** One line of the Jobs page. Amounts are decimal strings of base units. */
export interface JobHistoryItem {
  id: string;
  state: JobState;
  modelSha256: string;
  token: string;
  price: string;
  /** What the coordinator credited, once it did. */
  credited: string | null;
  deviceId: string | null;
  executionProvider: ExecutionProviderName | null;
  runMs: number | null;
  seq: number | null;
  failCode: string | null;
  reason: string | null;
  offeredAt: number;
  updatedAt: number;
  /** Energy and its cost (µ-units formatted, in the currency of the price it ran at), once metered. */
  energy?: JobEnergy;
}

/** A page of history, and how to ask for the next one. */
export interface JobHistoryPage {
  items: JobHistoryItem[];
  /** Pass back for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const HistoryRow = z.object({
  row: z.number().int().positive(),
  id: JobId,
  state: JobState,
  modelSha256: Sha256Hex,
  token: z.string(),
  price: Amount,
  credited: Amount.nullable(),
  deviceId: z.string().nullable(),
  executionProvider: ExecutionProviderName.nullable(),
  runMs: z.number().nonnegative().nullable(),
  seq: z.number().int().positive().nullable(),
  failCode: z.string().nullable(),
  reason: z.string().nullable(),
  offeredAt: z.number().int(),
  updatedAt: z.number().int(),
  energyMj: z.number().int().nonnegative().nullable(),
  energyEstimated: z.number().int().nullable(),
  energyCost: Amount.nullable(),
  energyCurrency: z.string().nullable(),
});

const CURSOR = /^j([1-9][0-9]{0,15})$/;

/** Pages through the job history. */
export class JobHistory {
  // One statement per number of states filtered on (0 to 7), prepared on first use.
  private readonly statements = new Map<number, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  /** One page, newest first. */
  page(request: JobHistoryRequest = {}): JobHistoryPage {
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new LedgerError('invalid_input', `A page holds 1 to ${MAX_PAGE_SIZE} jobs; got ${limit}.`);
    }
    const before = decodeCursor(request.cursor ?? null);
    const states = [...new Set((request.states ?? []).map((state) => checkInput(JobState, state, 'job state')))];
    const statement = this.statementFor(states.length);
    const rows = statement.all(before, ...states, limit + 1).map((raw) => parseRow(HistoryRow, raw, 'job history'));
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(({ row: _row, energyMj, energyEstimated, energyCost, energyCurrency, ...item }) =>
        energyMj === null || energyCost === null || energyCurrency === null
          ? item
          : { ...item, energy: { energyWh: energyMj / 3_600_000, estimated: energyEstimated === 1, energyCost: formatMicro(BigInt(energyCost)), currency: energyCurrency } },
      ),
      nextCursor: more && last !== undefined ? `j${last.row}` : null,
    };
  }

  private statementFor(stateCount: number): BetterSqlite3.Statement {
    let statement = this.statements.get(stateCount);
    if (statement === undefined) {
      const stateFilter = stateCount > 0 ? `AND j.state IN (${Array.from({ length: stateCount }, () => '?').join(', ')})` : '';
      statement = this.db.prepare(
        `SELECT j.row, j.id, j.state, j.model_sha256 AS modelSha256, j.token, j.price, c.amount AS credited,
           COALESCE(r.device_id, j.device_id) AS deviceId, r.execution_provider AS executionProvider, r.run_ms AS runMs,
           r.seq, j.fail_code AS failCode, j.reason, j.offered_at AS offeredAt, j.updated_at AS updatedAt,
           j.energy_mj AS energyMj, j.energy_estimated AS energyEstimated, j.energy_cost_micro AS energyCost, j.electricity_currency AS energyCurrency
         FROM jobs j LEFT JOIN receipts r ON r.job_id = j.id LEFT JOIN credits c ON c.job_id = j.id
         WHERE j.row < ? ${stateFilter} ORDER BY j.row DESC LIMIT ?`,
      );
      this.statements.set(stateCount, statement);
    }
    return statement;
  }
}

function decodeCursor(cursor: string | null): number {
  if (cursor === null) return Number.MAX_SAFE_INTEGER;
  const match = CURSOR.exec(cursor);
  const row = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(row)) throw new LedgerError('invalid_input', 'That page link is not valid any more; start again from the first page.');
  return row;
}
