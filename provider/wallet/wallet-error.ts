/** Stable codes for what the wallet refuses; the UI, the CLI and the API switch on them. */
export type WalletErrorCode =
  | 'wrong_passphrase'
  | 'passphrase_required'
  | 'weak_passphrase'
  | 'wallet_exists'
  | 'no_wallet'
  | 'wallet_locked'
  | 'wallet_file_invalid'
  | 'invalid_key'
  | 'invalid_address'
  | 'policy_refused'
  | 'no_payout_chain'
  | 'rpc_unavailable'
  | 'insufficient_gas'
  | 'claim_refused';

/** A wallet failure; `message` is written for a person, `code` is stable. */
export class WalletError extends Error {
  override readonly name = 'WalletError';

  constructor(
    readonly code: WalletErrorCode,
    message: string,
  ) {
    super(message);
  }
}
