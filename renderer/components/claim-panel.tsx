/**
 * Claiming, step by step: review (the provider checks the voucher and estimates gas), simulate (wagmi
 * reads the vault's answer), confirm (the person sees what arrives and what it costs), send (the wallet
 * signs through the connector, where the signing policy applies) and wait for the receipt.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type Address, BaseError, ContractFunctionRevertedError, type Hex, formatEther } from 'viem';
import { useSimulateContract, useWaitForTransactionReceipt, useWriteContract } from 'wagmi';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';
import type { PayoutInfo } from '../../common/marketplace-protocol.js';
import { ErrorPanel } from './error-panel.js';
import { PayoutAmount } from './wallet-overview.js';
import { useClaimPreview, walletKeys } from '../wallet/wallet-queries.js';

/** A failed simulation or send, as words: the vault's revert reason when it gave one. */
export function revertReason(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) return `The vault refused: ${reverted.data.errorName}.`;
    return error.shortMessage;
  }
  return error instanceof Error ? error.message : 'The claim failed.';
}

const STEPS = ['Review', 'Simulate', 'Confirm', 'Send', 'Confirmed'] as const;

/** The claim flow for the latest voucher. */
export function ClaimPanel({ payout, account }: { payout: PayoutInfo; account: Address }) {
  const queryClient = useQueryClient();
  const preview = useClaimPreview();
  const ready = preview.data?.canClaim === true ? preview.data : null;
  const simulation = useSimulateContract({
    address: payout.vault as Address,
    abi: payoutVaultAbi,
    functionName: 'claim',
    account,
    args:
      ready === null
        ? undefined
        : [
            {
              provider: ready.voucher.provider as Address,
              recipient: ready.voucher.recipient as Address,
              token: ready.voucher.token as Address,
              cumulativeAmount: BigInt(ready.voucher.cumulativeAmount),
              expiry: BigInt(ready.voucher.expiry),
            },
            ready.signature as Hex,
          ],
    query: { enabled: ready !== null },
  });
  const send = useWriteContract();
  const [hash, setHash] = useState<Hex | null>(null);
  const receipt = useWaitForTransactionReceipt({ hash: hash ?? undefined, query: { enabled: hash !== null } });
  const confirmed = receipt.data?.status === 'success';

  const step = confirmed ? 4 : hash !== null || send.isPending ? 3 : simulation.data !== undefined ? 2 : ready !== null ? 1 : 0;
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: walletKeys.status }), queryClient.invalidateQueries({ queryKey: walletKeys.claims })]);
  if (confirmed && receipt.isFetched) void refresh();

  return (
    <section className="card" aria-labelledby="claim-heading" data-testid="claim-panel">
      <h2 id="claim-heading">Claim</h2>
      <ol className="steps" aria-label="Claim progress">
        {STEPS.map((label, i) => (
          <li key={label} className={i < step ? 'step-done' : i === step ? 'step-current' : ''} aria-current={i === step ? 'step' : undefined}>
            {label}
          </li>
        ))}
      </ol>
      {step === 0 && (
        <button type="button" className="button-primary" disabled={preview.isPending} onClick={() => preview.mutate()}>
          {preview.isPending ? 'Checking the voucher…' : 'Review claim'}
        </button>
      )}
      {preview.data?.canClaim === false && (
        <p className="warning" role="alert" data-testid="claim-refused">
          {preview.data.refusal.message} <span className="muted small">({preview.data.refusal.code})</span>
        </p>
      )}
      {preview.error && <ErrorPanel title="The voucher could not be checked" error={preview.error} />}
      {ready !== null && simulation.isPending && <p className="muted">Asking the vault what the claim would pay…</p>}
      {simulation.error && (
        <p className="warning" role="alert" data-testid="claim-revert">
          {revertReason(simulation.error)} Nothing was sent.
        </p>
      )}
      {ready !== null && simulation.data !== undefined && hash === null && (
        <div className="confirm" data-testid="claim-confirm">
          <p>
            This claim pays <PayoutAmount amount={simulation.data.result} payout={payout} /> to <span className="mono">{ready.voucher.recipient}</span>, for about{' '}
            {formatEther(BigInt(ready.costWei))} ETH of gas.
          </p>
          {ready.worthClaiming === false && <p className="warning">It is worth less than 10× its gas: you may prefer to wait until more has accrued.</p>}
          <button
            type="button"
            className="button-primary"
            disabled={send.isPending}
            onClick={() => send.mutate(simulation.data.request, { onSuccess: (h) => setHash(h), onSettled: () => void refresh() })}
          >
            Confirm and send
          </button>{' '}
          <button type="button" onClick={() => preview.reset()}>
            Cancel
          </button>
        </div>
      )}
      {send.error && (
        <p className="warning" role="alert">
          {revertReason(send.error)}
        </p>
      )}
      {hash !== null && !confirmed && (
        <p className="muted" data-testid="claim-waiting">
          Sent ({hash.slice(0, 10)}…); waiting for the chain to include it…
        </p>
      )}
      {receipt.data?.status === 'reverted' && <p className="warning">The transaction was included but reverted; nothing was paid.</p>}
      {confirmed && (
        <p className="success" data-testid="claim-confirmed">
          Claim confirmed in block {receipt.data!.blockNumber.toString()}.
        </p>
      )}
    </section>
  );
}
