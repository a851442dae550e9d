/** The arguments of `hearth status`, `hearth jobs` and `hearth earnings`: the commands that read the running provider. */
import { resolve } from 'node:path';
import { type EarningsBy, EarningsBy as EarningsBySchema } from '../../common/api-earnings.js';
import { defaultDataDir } from '../data-dir.js';
import { UsageError } from './usage-error.js';

/** The parseArgs option definitions only these commands take. */
export const READ_COMMAND_OPTIONS = {
  limit: { type: 'string' },
  cursor: { type: 'string' },
  by: { type: 'string' },
} as const;

/** A parsed read command; `dataDir` is absolute. */
export type ReadCommand =
  | { kind: 'status'; json: boolean; dataDir: string }
  | { kind: 'jobs'; json: boolean; dataDir: string; limit: number | undefined; cursor: string | undefined }
  | { kind: 'earnings'; json: boolean; dataDir: string; by: EarningsBy };

type Values = {
  json?: boolean;
  'data-dir'?: string;
  'dashboard-port'?: string;
  marketplace?: string;
  coordinator?: string;
  'chain-id'?: string;
  limit?: string;
  cursor?: string;
  by?: string;
};

const NAMES = ['status', 'jobs', 'earnings'] as const;

/** True for the commands this file parses. */
export function isReadCommandName(name: string): name is ReadCommand['kind'] {
  return (NAMES as readonly string[]).includes(name);
}

/** The read command `name` from parsed flags, or a UsageError naming the flag that does not belong. */
export function parseReadCommand(name: ReadCommand['kind'], extra: readonly string[], values: Values): ReadCommand {
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" after "${name}".`);
  for (const flag of ['dashboard-port', 'marketplace', 'coordinator', 'chain-id'] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with \`hearth start\`, not "${name}".`);
  }
  const common = { json: values.json === true, dataDir: resolve(values['data-dir'] ?? defaultDataDir()) };
  if (name !== 'jobs') {
    onlyWith(values, 'limit', 'jobs', name);
    onlyWith(values, 'cursor', 'jobs', name);
  }
  if (name !== 'earnings') onlyWith(values, 'by', 'earnings', name);
  switch (name) {
    case 'status':
      return { kind: 'status', ...common };
    case 'jobs':
      return { kind: 'jobs', ...common, limit: parseLimit(values.limit), cursor: values.cursor };
    case 'earnings':
      return { kind: 'earnings', ...common, by: parseBy(values.by) };
  }
}

/** Refuses --limit, --cursor and --by on commands other than theirs. */
export function checkNoReadCommandFlags(values: Values, name: string): void {
  onlyWith(values, 'limit', 'jobs', name);
  onlyWith(values, 'cursor', 'jobs', name);
  onlyWith(values, 'by', 'earnings', name);
}

function onlyWith(values: Values, flag: 'limit' | 'cursor' | 'by', owner: string, name: string): void {
  if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with \`hearth ${owner}\`, not "${name}".`);
}

function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!/^[1-9][0-9]{0,2}$/.test(value) || limit > 200) throw new UsageError(`--limit must be a whole number from 1 to 200, not "${value.slice(0, 40)}".`);
  return limit;
}

function parseBy(value: string | undefined): EarningsBy {
  if (value === undefined) return 'day';
  const parsed = EarningsBySchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--by must be one of hour, day, week, model or device, not "${value.slice(0, 40)}".`);
  return parsed.data;
}
