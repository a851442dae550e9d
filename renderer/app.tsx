/** The app frame: sidebar, connection banner, and the page the address names. */
import { useLiveQueries } from './api/live-queries.js';
import { ConnectionBanner } from './components/connection-banner.js';
import { LocalDemoBanner } from './components/local-demo-banner.js';
import { Sidebar } from './components/sidebar.js';
import { useCurrentPage } from './navigation.js';
import { DashboardPage } from './pages/dashboard.js';
import { EarningsPage } from './pages/earnings.js';
import { JobsPage } from './pages/jobs.js';
import { NotBuiltPage } from './pages/not-built.js';
import { SettingsPage } from './pages/settings.js';
import { WalletPage } from './pages/wallet.js';

/** The whole app; keeps query data live for as long as it is mounted. */
export function App() {
  useLiveQueries();
  const page = useCurrentPage();
  return (
    <div className="app">
      <Sidebar current={page} />
      <main className="content">
        <ConnectionBanner />
        <LocalDemoBanner />
        {page === 'dashboard' ? <DashboardPage /> : page === 'jobs' ? <JobsPage /> : page === 'earnings' ? <EarningsPage /> : page === 'wallet' ? <WalletPage /> : page === 'settings' ? <SettingsPage /> : <NotBuiltPage page={page} />}
      </main>
    </div>
  );
}
