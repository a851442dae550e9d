import type { Status } from '../../common/api.js';
import type { ApiHandlers } from './dispatch.js';
import { earningsHandlers } from './earnings-handlers.js';
import { type EnergyHandlerContext, energyHandlers } from './energy-handlers.js';
import { type LedgerSource, earningsSummary, listJobs } from './ledger-handlers.js';
import { type SchedulerHandlerContext, createSchedulerHandlers } from './scheduler-handlers.js';
import type { Wallet } from '../wallet/wallet.js';
import { walletHandlers } from './wallet-handlers.js';

/** What the handlers need from the provider core. */
export type HandlerContext = {
  status: () => Status;
  /** The open ledger, or null when there is none. */
  ledger: LedgerSource;
  /** The scheduler and the settings store (scheduler.*, settings.*). */
  scheduler: SchedulerHandlerContext;
  /** The built-in wallet (wallet.*, claim.*). */
  wallet: Wallet;
  /** Electricity price, currency and time zone for earnings.net. */
  energy: EnergyHandlerContext;
};

/** The provider's implementation of the API contract; later features add their methods here. */
export function createHandlers(ctx: HandlerContext): ApiHandlers {
  return {
    'status.get': () => ctx.status(),
    'jobs.list': (input) => listJobs(ctx.ledger, input),
    'earnings.summary': () => earningsSummary(ctx.ledger),
    ...earningsHandlers(ctx.ledger),
    ...createSchedulerHandlers(ctx.scheduler),
    ...walletHandlers(ctx.wallet),
    ...energyHandlers(ctx.ledger, ctx.energy),
  };
}
