/** The app frame: sidebar, connection banner, and the page the address names. */
import { useLiveQueries } from './api/live-queries.js';
import { ConnectionBanner } from './components/connection-banner.js';
import { LocalDemoBanner } from './components/local-demo-banner.js';
import { Sidebar } from './components/sidebar.js';
import { type PageId, useCurrentPage } from './navigation.js';
import { DashboardPage } from './pages/dashboard.js';
import { EarningsPage } from './pages/earnings.js';
import { JobsPage } from './pages/jobs.js';
import { SettingsPage } from './pages/settings.js';
import { WalletPage } from './pages/wallet.js';

/** The component of every page in the sidebar. */
const PAGES: Record<PageId, () => React.JSX.Element> = {
  dashboard: DashboardPage,
  earnings: EarningsPage,
  jobs: JobsPage,
  wallet: WalletPage,
  settings: SettingsPage,
};

/** The whole app; keeps query data live for as long as it is mounted. */
export function App() {
  useLiveQueries();
  const page = useCurrentPage();
  const Page = PAGES[page];
  return (
    <div className="app">
      <Sidebar current={page} />
      <main className="content">
        <ConnectionBanner />
        <LocalDemoBanner />
        <Page />
      </main>
    </div>
  );
}
