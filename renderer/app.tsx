/** The app frame: sidebar, connection banner, and the page the address names. */
import { useLiveQueries } from './api/live-queries.js';
import { ConnectionBanner } from './components/connection-banner.js';
import { Sidebar } from './components/sidebar.js';
import { useCurrentPage } from './navigation.js';
import { DashboardPage } from './pages/dashboard.js';
import { NotBuiltPage } from './pages/not-built.js';

/** The whole app; keeps query data live for as long as it is mounted. */
export function App() {
  useLiveQueries();
  const page = useCurrentPage();
  return (
    <div className="app">
      <Sidebar current={page} />
      <main className="content">
        <ConnectionBanner />
        {page === 'dashboard' ? <DashboardPage /> : <NotBuiltPage page={page} />}
      </main>
    </div>
  );
}
