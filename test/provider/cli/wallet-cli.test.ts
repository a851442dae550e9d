/**
 * `hearth wallet` and `hearth claim` on a data folder with no provider running (they open it
 * directly), against a real anvil: secrets only from a file or the environment, stable codes in the
 * one-line errors, and a claim that pays the recipient exactly the voucher.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../provider/cli/run.js';
import { rememberPayout } from '../../../provider/wallet/payout-source.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { type ChainFixture, PASSPHRASE, type ProviderSide, WALLET_KEY, providerSide, startChain } from '../wallet/claim-fixture.js';

async function hearth(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => new Writable({ write: (chunk: Buffer, _enc, done) => (append(chunk.toString()), done()) });
  const code = await runCli(args, { out: sink((s) => (out += s)), err: sink((s) => (err += s)), env: { ...env } });
  return { code, out, err };
}

describe('hearth wallet', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => ({ dir, remove } = await makeTempDir('hearth-cli-wallet-')));
  afterAll(async () => remove());

  it('creates a wallet from HEARTH_WALLET_PASSPHRASE, refuses a second, and reports it', async () => {
    const env = { HEARTH_WALLET_PASSPHRASE: PASSPHRASE };
    const created = await hearth(['wallet', 'create', '--data-dir', dir, '--json'], env);
    expect(created.code, created.err).toBe(0);
    const { address } = JSON.parse(created.out) as { address: string };
    expect((await stat(join(dir, 'wallet.json'))).mode & 0o777).toBe(0o600);
    const again = await hearth(['wallet', 'create', '--data-dir', dir], env);
    expect(again).toMatchObject({ code: 1, err: expect.stringContaining('(wallet_exists)') });
    const shown = await hearth(['wallet', 'address', '--data-dir', dir]);
    expect(shown.out.trim()).toBe(address);
    const status = await hearth(['wallet', '--data-dir', dir]);
    expect(status.out).toContain(`Wallet ${address} (locked`);
    expect(status.out).toContain('Payout chain: not announced yet');
  });

  it('never takes a secret as a flag value, and explains where secrets come from', async () => {
    expect(await hearth(['wallet', 'create', '--passphrase', PASSPHRASE, '--data-dir', dir])).toMatchObject({ code: 2, err: expect.stringContaining('--passphrase') });
    const empty = await makeTempDir('hearth-cli-wallet-');
    expect(await hearth(['wallet', 'create', '--data-dir', empty.dir])).toMatchObject({ code: 2, err: expect.stringContaining('--passphrase-file') });
    await empty.remove();
  });

  it('sets a typed recipient after checking it, and refuses a malformed one', async () => {
    expect(await hearth(['wallet', 'recipient', '0x1234', '--data-dir', dir])).toMatchObject({ code: 1, err: expect.stringContaining('(invalid_address)') });
    const ok = await hearth(['wallet', 'recipient', '0x000000000000000000000000000000000000bEEF', '--data-dir', dir]);
    expect(ok).toMatchObject({ code: 0, out: 'Payouts now go to 0x000000000000000000000000000000000000bEEF.\n' });
  });
});

describe('hearth claim', () => {
  let chain: ChainFixture;
  let side: ProviderSide;
  let files: { dir: string; remove: () => Promise<void> };
  beforeAll(async () => {
    chain = await startChain();
    side = await providerSide(chain);
    files = await makeTempDir('hearth-cli-secrets-');
    await writeFile(join(files.dir, 'key'), `${WALLET_KEY}\n`, { mode: 0o600 });
    await writeFile(join(files.dir, 'pass'), `${PASSPHRASE}\n`, { mode: 0o600 });
    await writeFile(join(files.dir, 'wrong'), 'not the passphrase\n', { mode: 0o600 });
    // What the provider remembered from the marketplace's welcome, so the stopped rig knows the chain.
    await rememberPayout(side.dir, chain.payout);
  }, 60_000);
  afterAll(async () => {
    await side?.cleanup();
    await files?.remove();
    await chain?.stop();
  });

  it('imports from --key-file, refuses a wrong passphrase, needs --yes without a terminal, then claims exactly the voucher', async () => {
    const imported = await hearth(['wallet', 'import', '--key-file', join(files.dir, 'key'), '--passphrase-file', join(files.dir, 'pass'), '--data-dir', side.dir]);
    expect(imported.code, imported.err).toBe(0);
    side.credit(2500n);
    side.receive(await side.voucher(2500n));
    expect(await hearth(['claim', '--yes', '--passphrase-file', join(files.dir, 'wrong'), '--data-dir', side.dir])).toMatchObject({ code: 1, err: expect.stringContaining('(wrong_passphrase)') });
    expect(await hearth(['claim', '--passphrase-file', join(files.dir, 'pass'), '--data-dir', side.dir])).toMatchObject({ code: 2, err: expect.stringContaining('--yes') });
    expect(await chain.balanceOf(chain.recipient)).toBe(0n);

    const claimed = await hearth(['claim', '--yes', '--json', '--passphrase-file', join(files.dir, 'pass'), '--data-dir', side.dir]);
    expect(claimed.code, claimed.err).toBe(0);
    expect(JSON.parse(claimed.out)).toMatchObject({ preview: { canClaim: true, claimable: '2500' }, claim: { state: 'confirmed', paid: '2500' }, refusal: null });
    expect(await chain.balanceOf(chain.recipient)).toBe(2500n);

    const again = await hearth(['claim', '--yes', '--data-dir', side.dir], { HEARTH_WALLET_PASSPHRASE: PASSPHRASE });
    expect(again).toMatchObject({ code: 1, out: expect.stringContaining('(voucher_replayed)') });
    const status = await hearth(['wallet', 'status', '--data-dir', side.dir]);
    expect(status.out).toContain('Claimed: 0.0025 HUSD');
  }, 60_000);
});
