/** The alert shown across the app when the provider cannot be reached or refuses this page. */
import { useReachability } from '../api/reachability.js';

/** Renders nothing while the provider is reachable; otherwise a role="alert" banner saying what to do. */
export function ConnectionBanner() {
  const reachability = useReachability();
  if (reachability === 'reachable') return null;
  if (reachability === 'unauthorized') {
    return (
      <div className="banner banner-error" role="alert" data-testid="connection-banner">
        <strong>This page isn't allowed to talk to the Hearth provider.</strong>
        <span>
          Open the dashboard link that <code>hearth start</code> printed — it carries the access token.
        </span>
      </div>
    );
  }
  return (
    <div className="banner banner-error" role="alert" data-testid="connection-banner">
      <strong>Can't reach the Hearth provider — is it running?</strong>
      <span>
        Start it with <code>hearth start</code>. This page reconnects by itself; what it shows is the last
        thing the provider reported.
      </span>
    </div>
  );
}
