/** An API error as the person should read it: what happened, in the provider's own words. */
import { ApiCallError } from '../api/api-error.js';

/** A card titled `title` that shows the error's message and, for API errors, its code. */
export function ErrorPanel({ title, error }: { title: string; error: unknown }) {
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const code = error instanceof ApiCallError ? error.code : null;
  return (
    <section className="card card-error" data-testid="error-panel">
      <h2>{title}</h2>
      <p>{message}</p>
      {code !== null && <p className="muted small">Error code: {code}</p>}
    </section>
  );
}
