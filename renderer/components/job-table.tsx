/**
 * The job history as a table that stays fast at any length: only the rows in view (plus a few) are in
 * the DOM (TanStack Virtual), and the next page is asked for as the last loaded rows come into view.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { JobItem, Status } from '../../common/api.js';
import { jobStateLabel, shortModel } from '../../common/job-labels.js';
import { TokenAmount } from './token-amount.js';

const ROW_HEIGHT = 44;
/** Ask for the next page when the rows in view come this close to the last loaded one. */
const PREFETCH_ROWS = 30;

type JobTableProps = {
  jobs: readonly JobItem[];
  marketplace: Status['marketplace'] | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
};

const COLUMNS = ['Time', 'Model', 'State', 'Price', 'Credited', 'Device', 'Run time', 'Failure'];

/** The virtualised table: header, rows in view, and a last row saying whether older jobs are loading. */
export function JobTable({ jobs, marketplace, hasMore, loadingMore, loadMore }: JobTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const count = jobs.length + (hasMore ? 1 : 0);
  // The build runs no React Compiler, so nothing memoises this component and the rule's concern does not arise.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => jobs[index]?.id ?? 'more',
  });
  const items = virtualizer.getVirtualItems();
  const lastInView = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (hasMore && !loadingMore && lastInView >= jobs.length - PREFETCH_ROWS) loadMore();
  }, [hasMore, loadingMore, lastInView, jobs.length, loadMore]);

  return (
    <div className="job-table" role="table" aria-label="Jobs, newest first" aria-rowcount={count + 1} data-testid="job-table">
      <div role="rowgroup">
        <div className="job-row job-head" role="row" aria-rowindex={1}>
          {COLUMNS.map((title) => (
            <span key={title} role="columnheader">
              {title}
            </span>
          ))}
        </div>
      </div>
      <div className="job-scroll" ref={scroller} data-testid="job-scroll" tabIndex={0}>
        <div role="rowgroup" className="job-rows" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const job = jobs[item.index];
            return (
              <div
                key={item.key}
                className={`job-row${job === undefined ? ' job-more' : ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                style={{ transform: `translateY(${item.start}px)` }}
                data-testid={job === undefined ? 'job-more' : 'job-row'}
                data-job-id={job?.id}
              >
                {job === undefined ? (
                  <span role="cell" className="muted">
                    {loadingMore ? 'Loading older jobs…' : 'Older jobs follow'}
                  </span>
                ) : (
                  <JobCells job={job} marketplace={marketplace} />
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** Short local date and time to the second, "25 Nov, 18:08:09": the year is in the tooltip. */
function formatJobTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function JobCells({ job, marketplace }: { job: JobItem; marketplace: Status['marketplace'] | undefined }) {
  const failure = job.failCode === null ? (job.reason ?? '') : `${job.failCode}${job.reason === null ? '' : `: ${job.reason}`}`;
  return (
    <>
      <span role="cell" data-testid="job-time" title={new Date(job.offeredAt).toISOString()}>
        {formatJobTime(job.offeredAt)}
      </span>
      <span role="cell" className="mono" title={job.modelSha256}>
        {shortModel(job.modelSha256)}
      </span>
      <span role="cell" className={`job-state job-state-${job.state}`} data-testid="job-state">
        {jobStateLabel(job.state)}
      </span>
      <span role="cell" className="num">
        <TokenAmount amount={job.price} token={job.token} marketplace={marketplace} />
      </span>
      <span role="cell" className="num" data-testid="job-credited">
        {job.credited === null ? <span className="muted">—</span> : <TokenAmount amount={job.credited} token={job.token} marketplace={marketplace} />}
      </span>
      <span role="cell">{job.deviceId ?? <span className="muted">—</span>}</span>
      <span role="cell" className="num">
        {job.runMs === null ? <span className="muted">—</span> : `${Math.round(job.runMs)} ms`}
      </span>
      <span role="cell" className="job-failure" title={failure}>
        {failure}
      </span>
    </>
  );
}
