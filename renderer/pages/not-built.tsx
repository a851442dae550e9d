/**
 * The pages whose parts do not exist yet. Each says what it will hold and what it waits for, and shows
 * nothing made up in the meantime.
 */
import type { PageId } from '../navigation.js';

type Plan = { title: string; will: string; waitsFor: string };

const plans: Record<Exclude<PageId, 'dashboard'>, Plan> = {
  earnings: {
    title: 'Earnings',
    will: 'What this machine has earned — per job and per device — and which payouts are pending, claimable, or claimed.',
    waitsFor: 'the ledger that records each paid job',
  },
  jobs: {
    title: 'Jobs',
    will: 'Every job this machine ran: the model, how long it took, whether it succeeded, and what it paid.',
    waitsFor: 'the marketplace client and the GPU worker',
  },
  wallet: {
    title: 'Wallet',
    will: 'The address your payouts go to, and claiming what you earned on-chain.',
    waitsFor: 'the wallet and the payout vault',
  },
  settings: {
    title: 'Settings',
    will: 'When Hearth may use the GPU, temperature and power limits, and where payouts go.',
    waitsFor: 'the settings store',
  },
};

/** The placeholder for `page`: what it will show and what it waits for. */
export function NotBuiltPage({ page }: { page: Exclude<PageId, 'dashboard'> }) {
  const plan = plans[page];
  return (
    <>
      <header className="page-header">
        <h1>{plan.title}</h1>
      </header>
      <section className="card not-built" data-testid="not-built">
        <span className="tag">Not built yet</span>
        <p>{plan.will}</p>
        <p className="muted">This page arrives with {plan.waitsFor}. Until then it shows nothing rather than made-up numbers.</p>
      </section>
    </>
  );
}
