/** An amount of a token as a person reads it, exact, with the base units and the token in its tooltip. */
import { formatTokenAmount, payoutToken } from '../../common/api-earnings.js';
import type { Status } from '../../common/api.js';

/** `amount` (decimal base units) of `token`: whole tokens when the status names the token's decimals, else base units. */
export function TokenAmount({ amount, token, marketplace, unit = false }: { amount: string; token: string; marketplace: Status['marketplace'] | undefined; unit?: boolean }) {
  const known = payoutToken(marketplace, token);
  return (
    <span className="amount" title={`${amount} base units of ${token}`} data-amount={amount}>
      {formatTokenAmount(amount, known?.decimals ?? null)}
      {unit && <span className="amount-unit"> {known === null ? 'base units' : known.symbol}</span>}
    </span>
  );
}
