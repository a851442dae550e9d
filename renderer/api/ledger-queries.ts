/**
 * The queries the Jobs and Earnings pages read from the provider's ledger. They refetch on an interval
 * and whenever the provider's status says another result was acknowledged, since the ledger has no event
 * of its own.
 */
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { EarningsBy } from '../../common/api-earnings.js';
import { useApiClient } from './api-context.js';
import { unwrap } from './api-error.js';
import { useStatus } from './live-queries.js';

/** Jobs per page the Jobs page asks for. */
export const JOB_PAGE_SIZE = 100;
/** How often ledger views refetch while shown, for the changes no status event announces (a job starting, failing). */
const LEDGER_REFRESH_MS = 5_000;

/** True when the provider's status says it has a marketplace, hence a ledger; undefined while unknown. */
export function useHasMarketplace(): boolean | undefined {
  const status = useStatus();
  return status.data === undefined ? undefined : status.data.marketplace !== null;
}

/** Refetches every ledger query when the count of acknowledged results changes. */
export function useLedgerFollowsStatus(): void {
  const jobsDone = useStatus().data?.marketplace?.jobsDone;
  const queryClient = useQueryClient();
  useEffect(() => {
    if (jobsDone === undefined) return;
    void queryClient.invalidateQueries({ queryKey: ['ledger'] });
  }, [jobsDone, queryClient]);
}

/** The job history, newest first, one page of JOB_PAGE_SIZE at a time. */
export function useJobPages(enabled: boolean) {
  const { api } = useApiClient();
  return useInfiniteQuery({
    queryKey: ['ledger', 'jobs.list'],
    queryFn: async ({ pageParam }) => unwrap(await api.call['jobs.list']({ cursor: pageParam, limit: JOB_PAGE_SIZE })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: LEDGER_REFRESH_MS,
    enabled,
  });
}

/** Credited totals per token. */
export function useEarningsSummary(enabled: boolean) {
  const { api } = useApiClient();
  return useQuery({
    queryKey: ['ledger', 'earnings.summary'],
    queryFn: async () => unwrap(await api.call['earnings.summary']({})),
    refetchInterval: LEDGER_REFRESH_MS,
    enabled,
  });
}

/** Credits grouped by `by` over the provider's default range, in this browser's time zone. */
export function useEarningsBreakdown(by: EarningsBy, enabled: boolean) {
  const { api } = useApiClient();
  return useQuery({
    queryKey: ['ledger', 'earnings.breakdown', by],
    queryFn: async () => unwrap(await api.call['earnings.breakdown']({ by, utcOffsetMinutes: -new Date().getTimezoneOffset() })),
    refetchInterval: LEDGER_REFRESH_MS,
    enabled,
  });
}

/** Gross, electricity cost and net over the provider's default range (the last 30 local days). */
export function useEarningsNet(enabled: boolean) {
  const { api } = useApiClient();
  return useQuery({
    queryKey: ['ledger', 'earnings.net'],
    queryFn: async () => unwrap(await api.call['earnings.net']({ jobsLimit: 0 })),
    refetchInterval: LEDGER_REFRESH_MS,
    enabled,
  });
}
