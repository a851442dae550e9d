/** Export of the private key: only against the passphrase, shown until hidden, never stored by the page. */
import { useState } from 'react';
import { ErrorPanel } from './error-panel.js';
import { useExportKey } from '../wallet/wallet-queries.js';

/** A passphrase form that reveals the key. */
export function ExportKey() {
  const exportKey = useExportKey();
  const [passphrase, setPassphrase] = useState('');
  return (
    <section className="card" aria-labelledby="export-heading">
      <h2 id="export-heading">Export the private key</h2>
      <p className="muted">Anyone who has this key can spend what the built-in address holds. Export it only to move it into a wallet you trust.</p>
      {exportKey.data === undefined ? (
        <form
          className="form form-inline"
          onSubmit={(event) => {
            event.preventDefault();
            exportKey.mutate(passphrase, { onSettled: () => setPassphrase('') });
          }}
        >
          <label>
            Passphrase
            <input type="password" autoComplete="current-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} required />
          </label>
          <button type="submit" disabled={exportKey.isPending}>
            Show the key
          </button>
        </form>
      ) : (
        <p>
          <code className="mono secret" data-testid="exported-key">
            {exportKey.data.privateKey}
          </code>{' '}
          <button type="button" onClick={() => exportKey.reset()}>
            Hide
          </button>
        </p>
      )}
      {exportKey.error && <ErrorPanel title="The key was not shown" error={exportKey.error} />}
    </section>
  );
}
