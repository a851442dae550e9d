/**
 * How `hearth wallet` and `hearth claim` reach the wallet. When a provider is running on the data
 * folder, through its dashboard API (token from the data folder): it alone holds the ledger's claim
 * rows and the account's nonces, so two processes never sign claims for one key at once. When none
 * runs, the data folder is opened directly with the same handlers, so a headless rig can make a
 * wallet before its first start or claim while stopped. Either way the calls are the API contract's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { ApiMethod, ApiResult, MethodInput, MethodOutput } from '../../common/api.js';
import { createDispatcher } from '../api/dispatch.js';
import { walletHandlers } from '../api/wallet-handlers.js';
import { ensureDataDir } from '../data-dir.js';
import { LEDGER_FILE, Ledger } from '../ledger/ledger.js';
import { Wallet } from '../wallet/wallet.js';
import { ProviderUnreachable, connectToProvider } from './api-connection.js';

type WalletMethod = Extract<ApiMethod, `wallet.${string}` | `claim.${string}`>;

/** A wallet reached one way or the other; `close` releases what a direct session opened. */
export type WalletSession = {
  via: 'provider' | 'data-dir';
  call: <M extends WalletMethod>(method: M, input: MethodInput<M>) => Promise<ApiResult<MethodOutput<M>>>;
  close: () => Promise<void>;
};

/** Opens a session on `dataDir`: the running provider when there is one, else the folder itself. */
export async function openWalletSession(dataDir: string, options: { rpcUrl?: string } = {}): Promise<WalletSession> {
  try {
    const connection = await connectToProvider(dataDir);
    return {
      via: 'provider',
      call: async (method, input) => {
        const call = connection.api.call[method] as (input: unknown) => Promise<ApiResult<MethodOutput<typeof method>>>;
        return call(input);
      },
      close: async () => undefined,
    };
  } catch (err) {
    if (!(err instanceof ProviderUnreachable)) throw err;
  }
  const dir = await ensureDataDir(dataDir);
  const ledger = existsSync(join(dir, LEDGER_FILE)) ? Ledger.openInDataDir(dir) : null;
  const wallet = await Wallet.open({ dataDir: dir, ledger: () => ledger, marketplace: () => null, logger: pino({ enabled: false }), ...(options.rpcUrl ? { rpcUrl: options.rpcUrl } : {}) });
  const dispatch = createDispatcher(walletHandlers(wallet) as never, () => undefined);
  return {
    via: 'data-dir',
    call: async (method, input) => (await dispatch(method, input)) as ApiResult<MethodOutput<typeof method>>,
    close: async () => {
      wallet.lock();
      ledger?.close();
    },
  };
}
