/**
 * `hearth wallet [create|import|address|recipient ADDRESS|status] [--json]`: the built-in wallet
 * for headless rigs, through the running provider's API or the data folder (cli/wallet-session.ts).
 * Secrets come from a prompt, `--passphrase-file`, `--key-file` or HEARTH_WALLET_PASSPHRASE.
 */
import { parseArgs } from 'node:util';
import { formatTokenAmount } from '../../common/api-earnings.js';
import type { WalletStatus } from '../../common/api-wallet.js';
import type { ApiResult } from '../../common/api.js';
import { defaultDataDir } from '../data-dir.js';
import { type PromptIo, passphraseFrom, promptHidden, readSecretFile } from './passphrase-source.js';
import { UsageError } from './usage-error.js';
import { openWalletSession } from './wallet-session.js';
import { parseRpcUrl } from './marketplace-flags.js';

/** A parsed `hearth wallet` or `hearth claim`. */
export type WalletCommand =
  | { kind: 'wallet'; action: 'status' | 'create' | 'import' | 'address'; recipient?: undefined; options: WalletFlags }
  | { kind: 'wallet'; action: 'recipient'; recipient: string; options: WalletFlags }
  | { kind: 'claim'; options: WalletFlags & { yes: boolean } };

/** Flags both commands take. */
export type WalletFlags = { json: boolean; dataDir: string; passphraseFile?: string; keyFile?: string; rpcUrl?: string };

export const WALLET_HELP = `  hearth wallet [status|create|import|address|recipient ADDRESS] [--json]
                             the built-in payout wallet (secrets from a prompt, --passphrase-file FILE,
                             --key-file FILE for import, or HEARTH_WALLET_PASSPHRASE)
  hearth claim [--json] [--yes]
                             check the latest voucher, show what a claim pays and costs, and claim it
`;

/** Parses `hearth wallet …` or `hearth claim …` (argv after the command name). */
export function parseWalletCommand(name: 'wallet' | 'claim', argv: readonly string[]): WalletCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        'data-dir': { type: 'string' },
        'passphrase-file': { type: 'string' },
        'key-file': { type: 'string' },
        'rpc-url': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('. ')[0]}. Run \`hearth --help\` for the options.`);
  }
  const { values, positionals } = parsed;
  const options: WalletFlags = {
    json: values.json === true,
    dataDir: values['data-dir'] ?? defaultDataDir(),
    ...(values['passphrase-file'] === undefined ? {} : { passphraseFile: values['passphrase-file'] }),
    ...(values['key-file'] === undefined ? {} : { keyFile: values['key-file'] }),
    ...(values['rpc-url'] === undefined ? {} : { rpcUrl: parseRpcUrl(values['rpc-url']) }),
  };
  if (name === 'claim') {
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}" after "claim".`);
    return { kind: 'claim', options: { ...options, yes: values.yes === true } };
  }
  if (values.yes) throw new UsageError('--yes goes with `hearth claim`.');
  const [action = 'status', ...rest] = positionals;
  if (action === 'recipient') {
    if (rest.length !== 1) throw new UsageError('Usage: hearth wallet recipient ADDRESS');
    return { kind: 'wallet', action, recipient: rest[0]!, options };
  }
  if (action !== 'status' && action !== 'create' && action !== 'import' && action !== 'address') throw new UsageError(`Unknown wallet action "${action}": use status, create, import, address or recipient ADDRESS.`);
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}" after "wallet ${action}".`);
  return { kind: 'wallet', action, options };
}

/** A failure from the wallet, printed as one line with its code (exit 1). */
export class WalletCommandFailed extends Error {}

/** Unwraps an API result, or throws its message with its code. */
export function valueOf<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  throw new WalletCommandFailed(`${result.error.message} (${result.error.code})`);
}

/** Runs `hearth wallet …`; returns the exit code. */
export async function runWallet(command: Extract<WalletCommand, { kind: 'wallet' }>, io: { out: NodeJS.WritableStream; env: NodeJS.ProcessEnv; prompt?: PromptIo }): Promise<number> {
  const { options } = command;
  const session = await openWalletSession(options.dataDir, options.rpcUrl ? { rpcUrl: options.rpcUrl } : {});
  try {
    const print = (value: unknown, text: string) => io.out.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : text);
    switch (command.action) {
      case 'create': {
        const passphrase = await newPassphrase(options, io);
        const value = valueOf(await session.call('wallet.create', { passphrase }));
        print(value, `Created the wallet ${value.address}. Keep the passphrase safe: without it the key cannot be recovered.\n`);
        return 0;
      }
      case 'import': {
        const privateKey = options.keyFile !== undefined ? await readSecretFile(options.keyFile, 'key') : io.prompt?.input.isTTY ? await promptHidden(io.prompt, 'Private key (0x…): ') : null;
        if (privateKey === null) throw new UsageError('The key to import comes from --key-file FILE or the prompt (run in a terminal).');
        const passphrase = await newPassphrase(options, io);
        const value = valueOf(await session.call('wallet.import', { privateKey, passphrase }));
        print(value, `Imported the wallet ${value.address}.\n`);
        return 0;
      }
      case 'recipient': {
        const value = valueOf(await session.call('wallet.setRecipient', { recipient: command.recipient }));
        print(value, `Payouts now go to ${value.recipient}.\n`);
        return 0;
      }
      case 'address': {
        const status = valueOf(await session.call('wallet.status', {}));
        if (status.address === null) throw new WalletCommandFailed('There is no wallet yet: run `hearth wallet create` or `hearth wallet import`. (no_wallet)');
        print({ address: status.address, recipient: status.recipient }, `${status.address}\n`);
        return 0;
      }
      case 'status': {
        const status = valueOf(await session.call('wallet.status', {}));
        print(status, formatWalletStatus(status));
        return 0;
      }
    }
  } finally {
    await session.close();
  }
}

async function newPassphrase(options: WalletFlags, io: { env: NodeJS.ProcessEnv; prompt?: PromptIo }): Promise<string> {
  const passphrase = await passphraseFrom({ file: options.passphraseFile, env: io.env, prompt: io.prompt, question: 'New wallet passphrase: ' });
  if (options.passphraseFile === undefined && !io.env.HEARTH_WALLET_PASSPHRASE && io.prompt !== undefined) {
    if ((await promptHidden(io.prompt, 'Repeat the passphrase: ')) !== passphrase) throw new UsageError('The two passphrases differ; nothing was created.');
  }
  return passphrase;
}

/** The wallet's status for a terminal. */
export function formatWalletStatus(status: WalletStatus): string {
  if (!status.exists) return 'No wallet yet: run `hearth wallet create` or `hearth wallet import`.\n';
  const decimals = status.payout?.tokenDecimals ?? null;
  const symbol = status.payout?.tokenSymbol ?? '';
  const amount = (a: { amount: string; meaning: string } | null, label: string) => (a === null ? [] : [`${label}: ${formatTokenAmount(a.amount, decimals)} ${symbol} — ${a.meaning}`]);
  const lines = [
    `Wallet ${status.address} (${status.locked ? 'locked' : 'unlocked'}; key protection: passphrase${status.fileBackend !== null && status.fileBackend !== 'none' ? ` + ${status.fileBackend}` : ''})`,
    `Payouts go to ${status.recipient ?? '-'}${status.recipientIsBuiltIn ? ' (this wallet)' : ''}`,
    status.payout === null ? 'Payout chain: not announced yet (connect to a marketplace)' : `Payout chain ${status.payout.chainId}, vault ${status.payout.vault}, token ${symbol}`,
    ...amount(status.pending, 'Pending'),
    ...amount(status.claimable, 'Claimable'),
    ...amount(status.claimed, 'Claimed'),
  ];
  if (status.nativeBalance !== null) lines.push(`Gas balance: ${formatTokenAmount(status.nativeBalance, 18)} (native coin)`);
  if (status.claimGas !== null) lines.push(`A claim now costs up to ${formatTokenAmount(status.claimGas.costWei, 18)} in gas (${status.claimGas.gas} gas). ${status.worthClaimingNote}`);
  if (status.chainError !== null) lines.push(`Chain: ${status.chainError}`);
  return `${lines.join('\n')}\n`;
}
