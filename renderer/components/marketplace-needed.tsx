/** What the Jobs and Earnings pages show when there is no marketplace, hence no ledger, to read from. */

/** Says why there is nothing to show and how to take jobs. */
export function MarketplaceNeeded({ what }: { what: string }) {
  return (
    <section className="card empty-state" data-testid="marketplace-needed">
      <h2>No marketplace connected</h2>
      <p>
        {what} come from a marketplace, and this provider runs without one (<code>--no-marketplace</code>), so it takes no jobs.
      </p>
      <p className="muted">
        Restart it with <code>hearth start</code> for the local demo marketplace on this machine, or with{' '}
        <code>hearth start --marketplace URL --coordinator 0xADDRESS</code> to join a real one.
      </p>
    </section>
  );
}
