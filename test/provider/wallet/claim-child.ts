/**
 * A real process that runs one claim for the crash-injection test (run with `node --import
 * jiti/register`). Configured by HEARTH_CLAIM_CHILD (JSON); with `crashAt`, it SIGKILLs itself right
 * after that state is committed — the moment a power cut or kill -9 would hurt most. Prints the
 * outcome as one JSON line.
 */
import pino from 'pino';
import type { MarketplaceStatus } from '../../../common/api.js';
import { walletHandlers } from '../../../provider/api/wallet-handlers.js';
import { Ledger } from '../../../provider/ledger/ledger.js';
import { Wallet } from '../../../provider/wallet/wallet.js';

type ChildConfig = { dataDir: string; passphrase: string; marketplace: MarketplaceStatus; crashAt?: string };

const config = JSON.parse(process.env.HEARTH_CLAIM_CHILD ?? '{}') as ChildConfig;
const ledger = Ledger.openInDataDir(config.dataDir);
const wallet = await Wallet.open({
  dataDir: config.dataDir,
  ledger: () => ledger,
  marketplace: () => config.marketplace,
  logger: pino({ enabled: false }),
  receiptTimeoutMs: 5000,
  onClaimStep: (record) => {
    if (record.state === config.crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
const api = walletHandlers(wallet);
await api['wallet.unlock']({ passphrase: config.passphrase });
const result = await api['claim.start']({});
ledger.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
