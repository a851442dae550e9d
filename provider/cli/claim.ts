/**
 * `hearth claim [--json] [--yes]`: the same checks and simulation as the Wallet page, a confirmation
 * (skipped with --yes, required when there is no terminal), then the claim state machine to the end.
 */
import { formatTokenAmount } from '../../common/api-earnings.js';
import { type PromptIo, confirm, passphraseFrom } from './passphrase-source.js';
import { UsageError } from './usage-error.js';
import { WalletCommandFailed, type WalletCommand, valueOf } from './wallet.js';
import { type WalletSession, openWalletSession } from './wallet-session.js';

/**
 * Starts the claim and waits for its end. Through the provider's API a claim can outlast the HTTP
 * call (a slow chain): the provider keeps going, so the history is polled until the claim is final.
 */
async function finished(session: WalletSession, digest: string) {
  const result = await session.call('claim.start', {});
  if (result.ok || session.via !== 'provider' || result.error.code !== 'unavailable') return valueOf(result);
  for (let i = 0; i < 120; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const claim = valueOf(await session.call('claim.list', { limit: 50 })).items.find((c) => c.digest === digest);
    if (claim !== undefined && (claim.state === 'confirmed' || claim.state === 'failed')) return { claim, refusal: null };
  }
  throw new WalletCommandFailed('The provider is still working on the claim; `hearth wallet status` and the Wallet page show when it ends. (unavailable)');
}

/** Runs `hearth claim`; 0 when confirmed (or nothing to claim), 1 when refused or failed. */
export async function runClaim(command: Extract<WalletCommand, { kind: 'claim' }>, io: { out: NodeJS.WritableStream; env: NodeJS.ProcessEnv; prompt?: PromptIo }): Promise<number> {
  const { options } = command;
  const session = await openWalletSession(options.dataDir, options.rpcUrl ? { rpcUrl: options.rpcUrl } : {});
  const say = (text: string) => {
    if (!options.json) io.out.write(text);
  };
  try {
    const status = valueOf(await session.call('wallet.status', {}));
    if (!status.exists) throw new WalletCommandFailed('There is no wallet yet: run `hearth wallet create` or `hearth wallet import`. (no_wallet)');
    if (status.payout === null || status.rpcUrl === null) throw new WalletCommandFailed(`${status.chainError ?? 'No payout chain is known yet.'} (no_payout_chain)`);
    if (status.locked) {
      const unlocked = await session.call('wallet.unlock', {});
      if (!unlocked.ok) valueOf(await session.call('wallet.unlock', { passphrase: await passphraseFrom({ file: options.passphraseFile, env: io.env, prompt: io.prompt }) }));
    }
    const preview = valueOf(await session.call('claim.preview', {}));
    if (!preview.canClaim) {
      if (options.json) io.out.write(`${JSON.stringify({ preview }, null, 2)}\n`);
      say(`Nothing claimed: ${preview.refusal.message} (${preview.refusal.code})\n`);
      return preview.refusal.code === 'nothing_to_claim' ? 0 : 1;
    }
    const decimals = status.payout?.tokenDecimals ?? null;
    const symbol = status.payout?.tokenSymbol ?? 'tokens';
    say(`Claim ${formatTokenAmount(preview.claimable, decimals)} ${symbol} to ${preview.voucher.recipient}; gas up to ${formatTokenAmount(preview.costWei, 18)} (native coin).\n`);
    if (preview.worthClaiming === false) say('Warning: this claim pays less than 10× its gas cost.\n');
    if (!options.yes) {
      if (!io.prompt?.input.isTTY) throw new UsageError('Confirm the claim at the prompt (run in a terminal), or pass --yes.');
      if (!(await confirm(io.prompt, 'Send the claim? [y/N] '))) {
        say('Not sent.\n');
        return 1;
      }
    }
    const started = await finished(session, preview.digest);
    if (options.json) io.out.write(`${JSON.stringify({ preview, ...started }, null, 2)}\n`);
    if (started.refusal !== null) {
      say(`Not claimed: ${started.refusal.message} (${started.refusal.code})\n`);
      return 1;
    }
    const claim = started.claim!;
    say(claim.state === 'confirmed'
      ? `Claimed ${formatTokenAmount(claim.paid ?? claim.expectedPaid ?? '0', decimals)} ${symbol}: transaction ${claim.txHash}${claim.explorerUrl === null ? '' : ` (${claim.explorerUrl})`}.\n`
      : `The claim is ${claim.state}${claim.reason === null ? '' : `: ${claim.reason}`}${claim.failCode === null ? '' : ` (${claim.failCode})`}. Run \`hearth claim\` again to resume it.\n`);
    return claim.state === 'confirmed' ? 0 : 1;
  } finally {
    await session.close();
  }
}
