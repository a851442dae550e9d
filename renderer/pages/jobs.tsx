/** The Jobs page: every job the ledger holds, newest first, kept live. */
import { ApiCallError } from '../api/api-error.js';
import { useHasMarketplace, useJobPages, useLedgerFollowsStatus } from '../api/ledger-queries.js';
import { useStatus } from '../api/live-queries.js';
import { ErrorPanel } from '../components/error-panel.js';
import { JobTable } from '../components/job-table.js';
import { MarketplaceNeeded } from '../components/marketplace-needed.js';

/** The page: the job table, or why it is empty or cannot be read. */
export function JobsPage() {
  const hasMarketplace = useHasMarketplace();
  const marketplace = useStatus().data?.marketplace;
  useLedgerFollowsStatus();
  const pages = useJobPages(hasMarketplace === true);
  const jobs = pages.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <header className="page-header">
        <h1>Jobs</h1>
        <p className="muted">Every job the marketplace sent this machine, newest first.</p>
      </header>
      {hasMarketplace === false || (pages.error instanceof ApiCallError && pages.error.code === 'unavailable' && marketplace === null) ? (
        <MarketplaceNeeded what="Jobs" />
      ) : pages.data !== undefined ? (
        jobs.length === 0 ? (
          <section className="card empty-state" data-testid="jobs-empty">
            <h2>No jobs yet</h2>
            <p className="muted">Jobs appear here as soon as the marketplace sends one; this page updates by itself.</p>
          </section>
        ) : (
          <section className="card card-flush">
            <p className="muted small job-count" data-testid="job-count">
              {jobs.length}
              {pages.hasNextPage ? '+' : ''} job{jobs.length === 1 ? '' : 's'}
            </p>
            <JobTable
              jobs={jobs}
              marketplace={marketplace}
              hasMore={pages.hasNextPage}
              loadingMore={pages.isFetchingNextPage}
              loadMore={() => void pages.fetchNextPage()}
            />
          </section>
        )
      ) : pages.isError ? (
        <ErrorPanel title="Couldn't read the job history" error={pages.error} />
      ) : (
        <section className="card" aria-busy="true">
          <p className="muted">Reading the job history…</p>
        </section>
      )}
    </>
  );
}
