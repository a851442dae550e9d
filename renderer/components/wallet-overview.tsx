/**
 * The wallet's money, in words: the built-in address and its gas balance, where payouts go and that
 * address's token balance (read on chain through wagmi), and what is pending, claimable and claimed.
 */
import { type FormEvent, useState } from 'react';
import { type Address, erc20Abi, formatEther } from 'viem';
import { useBalance, useReadContract } from 'wagmi';
import type { WalletStatus } from '../../common/api-wallet.js';
import type { PayoutInfo } from '../../common/marketplace-protocol.js';
import { formatTokenAmount } from '../../common/api-earnings.js';
import { ErrorPanel } from './error-panel.js';
import { useWalletAction } from '../wallet/wallet-queries.js';

/** An amount of the payout token, exact, with its symbol. */
export function PayoutAmount({ amount, payout }: { amount: string | bigint; payout: PayoutInfo }) {
  const text = String(amount);
  return (
    <span className="amount" data-amount={text} title={`${text} base units`}>
      {formatTokenAmount(text, payout.tokenDecimals)} <span className="amount-unit">{payout.tokenSymbol}</span>
    </span>
  );
}

/** Address, balances, and the three amounts with what each means. */
export function WalletOverview({ status, payout }: { status: WalletStatus; payout: PayoutInfo }) {
  const address = status.address as Address;
  const recipient = (status.recipient ?? status.address) as Address;
  const gas = useBalance({ address });
  const tokenBalance = useReadContract({ address: payout.token as Address, abi: erc20Abi, functionName: 'balanceOf', args: [recipient] });
  return (
    <section className="card" aria-labelledby="wallet-heading">
      <h2 id="wallet-heading">Payout wallet</h2>
      <dl className="details">
        <dt>Built-in address</dt>
        <dd className="mono" data-testid="wallet-address">
          {address}
        </dd>
        <dt>Gas balance</dt>
        <dd data-testid="wallet-gas">{gas.data === undefined ? '…' : `${formatEther(gas.data.value)} ETH`}</dd>
        <dt>Payouts go to</dt>
        <dd>
          <span className="mono" data-testid="wallet-recipient">
            {recipient}
          </span>{' '}
          {status.recipientIsBuiltIn ? <span className="muted">(this wallet)</span> : <span className="muted">(an address you chose)</span>}
        </dd>
        <dt>Recipient's {payout.tokenSymbol} balance</dt>
        <dd data-testid="wallet-token-balance">{tokenBalance.data === undefined ? '…' : <PayoutAmount amount={tokenBalance.data} payout={payout} />}</dd>
      </dl>
      <div className="amount-grid">
        {(['pending', 'claimable', 'claimed'] as const).map((key) => {
          const value = status[key];
          return (
            <div key={key} className="amount-cell" data-testid={`wallet-${key}`}>
              <div className="card-label">{key}</div>
              <div className="amount-big">{value === null ? '—' : <PayoutAmount amount={value.amount} payout={payout} />}</div>
              <p className="muted small">{value?.meaning ?? 'Not known yet.'}</p>
            </div>
          );
        })}
      </div>
      {status.claimGas !== null && (
        <p className="small" data-testid="wallet-gas-cost">
          A claim now costs about {formatEther(BigInt(status.claimGas.costWei))} ETH in gas ({status.claimGas.gas} gas).
        </p>
      )}
      {status.worthClaiming === false && (
        <p className="warning" role="alert" data-testid="wallet-not-worth">
          {status.worthClaimingNote}
        </p>
      )}
      {status.chainError !== null && <p className="warning">{status.chainError}</p>}
      <RecipientForm current={recipient} />
    </section>
  );
}

function RecipientForm({ current }: { current: string }) {
  const setRecipient = useWalletAction('wallet.setRecipient');
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setRecipient.mutate({ recipient: value.trim() }, { onSuccess: () => setValue('') });
  };
  return (
    <form className="form form-inline" onSubmit={submit}>
      <label>
        Pay out to another address
        <input placeholder={current} value={value} onChange={(e) => setValue(e.target.value)} spellCheck={false} />
      </label>
      <button type="submit" disabled={value.trim().length === 0 || setRecipient.isPending}>
        Use this address
      </button>
      {setRecipient.error && <ErrorPanel title="The payout address was not changed" error={setRecipient.error} />}
    </form>
  );
}
