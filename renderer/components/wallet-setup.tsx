/** Making, importing or unlocking the built-in wallet: the passphrase never leaves this form but to the provider. */
import { type FormEvent, useState } from 'react';
import { ErrorPanel } from './error-panel.js';
import { useWalletAction } from '../wallet/wallet-queries.js';

/** Create or import a key when there is none. */
export function WalletCreate() {
  const create = useWalletAction('wallet.create');
  const importKey = useWalletAction('wallet.import');
  const [mode, setMode] = useState<'create' | 'import'>('create');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const mismatch = repeat.length > 0 && repeat !== passphrase;
  const pending = create.isPending || importKey.isPending;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mismatch || passphrase.length === 0) return;
    if (mode === 'create') create.mutate({ passphrase });
    else importKey.mutate({ passphrase, privateKey: privateKey.trim() });
  };
  return (
    <section className="card" aria-labelledby="wallet-setup-heading">
      <h2 id="wallet-setup-heading">Set up the payout wallet</h2>
      <p className="muted">
        The key is kept encrypted in the data folder and never leaves the provider process. Payouts can go to this wallet or to any address you choose
        afterwards (a hardware wallet, an exchange).
      </p>
      <div className="segmented">
        <button type="button" aria-pressed={mode === 'create'} onClick={() => setMode('create')}>
          New wallet
        </button>
        <button type="button" aria-pressed={mode === 'import'} onClick={() => setMode('import')}>
          Import a key
        </button>
      </div>
      <form className="form" onSubmit={submit}>
        {mode === 'import' && (
          <label>
            Private key (0x…)
            <input type="password" autoComplete="off" value={privateKey} onChange={(e) => setPrivateKey(e.target.value)} required />
          </label>
        )}
        <label>
          Passphrase
          <input type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} required />
        </label>
        <label>
          Passphrase again
          <input type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required aria-invalid={mismatch} />
        </label>
        {mismatch && <p className="form-error">The two passphrases differ.</p>}
        <button type="submit" className="button-primary" disabled={pending || mismatch}>
          {mode === 'create' ? 'Create wallet' : 'Import key'}
        </button>
      </form>
      {(create.error ?? importKey.error) && <ErrorPanel title="The wallet was not set up" error={create.error ?? importKey.error} />}
    </section>
  );
}

/** Unlock the existing key with its passphrase. */
export function WalletUnlock({ address }: { address: string | null }) {
  const unlock = useWalletAction('wallet.unlock');
  const [passphrase, setPassphrase] = useState('');
  return (
    <section className="card" aria-labelledby="wallet-unlock-heading">
      <h2 id="wallet-unlock-heading">Unlock the wallet</h2>
      {address !== null && <p className="mono">{address}</p>}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          unlock.mutate({ passphrase });
        }}
      >
        <label>
          Passphrase
          <input type="password" autoComplete="current-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} required />
        </label>
        <button type="submit" className="button-primary" disabled={unlock.isPending}>
          Unlock
        </button>
      </form>
      {unlock.error && <ErrorPanel title="The wallet stayed locked" error={unlock.error} />}
    </section>
  );
}
