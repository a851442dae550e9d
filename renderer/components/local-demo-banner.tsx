/** The notice shown on every page while the provider runs the embedded local demo marketplace. */
import { useStatus } from '../api/live-queries.js';

/** Renders nothing unless the marketplace is the local demo; then says where jobs and payouts really come from. */
export function LocalDemoBanner() {
  const status = useStatus();
  if (status.data?.marketplace?.kind !== 'local-demo') return null;
  return (
    <div className="banner banner-demo" role="status" data-testid="local-demo-banner">
      <strong>
        <span className="tag tag-demo">Demo</span> Local demo marketplace
      </strong>
      <span>Jobs come from a demand generator on this machine; payouts go to a local test chain.</span>
    </div>
  );
}
