import type { Status } from '../../common/api.js';
import type { ApiHandlers } from './dispatch.js';
import { type LedgerSource, earningsSummary, listJobs } from './ledger-handlers.js';

/** What the handlers need from the provider core. */
export type HandlerContext = {
  status: () => Status;
  /** The open ledger, or null when there is none. */
  ledger: LedgerSource;
};

/** The provider's implementation of the API contract; later features add their methods here. */
export function createHandlers(ctx: HandlerContext): ApiHandlers {
  return {
    'status.get': () => ctx.status(),
    'jobs.list': (input) => listJobs(ctx.ledger, input),
    'earnings.summary': () => earningsSummary(ctx.ledger),
  };
}
