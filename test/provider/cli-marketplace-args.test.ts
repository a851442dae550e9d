/** `hearth marketplace …` is routed to the marketplace's parser; `hearth start --marketplace …` needs a pinned coordinator. */
import { describe, expect, it } from 'vitest';
import { UsageError, parseCommand } from '../../provider/cli/args.js';
import { providerDialUrl } from '../../provider/cli/marketplace-flags.js';

const COORDINATOR = '0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1';

describe('hearth marketplace', () => {
  it('goes to the marketplace parser with its own options and the environment', () => {
    const command = parseCommand(['marketplace', '--port', '0', '--no-local-worker', '--data-dir', '/tmp/m', '--chain-id', '5'], { HEARTH_CONSUMER_KEY: 'a-key-that-is-long-enough' });
    expect(command).toMatchObject({ kind: 'marketplace', command: { port: 0, localWorker: false, dataDir: '/tmp/m', chainId: 5, consumerKeys: ['a-key-that-is-long-enough'] } });
    expect(parseCommand(['marketplace', '--help'])).toEqual({ kind: 'marketplace-help' });
  });

  it('refuses provider options and its own bad values as usage errors', () => {
    expect(() => parseCommand(['marketplace', '--dashboard-port', '1'], {})).toThrow(UsageError);
    expect(() => parseCommand(['marketplace', '--chain-id', '0'], {})).toThrow(/--chain-id/);
  });
});

describe('hearth start --marketplace', () => {
  it('pins the coordinator and dials its /provider endpoint', () => {
    expect(parseCommand(['start', '--marketplace', 'http://127.0.0.1:7460', '--coordinator', COORDINATOR, '--chain-id', '1'])).toEqual({
      kind: 'start',
      dataDir: undefined,
      dashboardPort: undefined,
      marketplace: { url: 'ws://127.0.0.1:7460/provider', coordinator: COORDINATOR, chainId: 1 },
    });
    expect(parseCommand(['start', '--marketplace', 'https://market.example', '--coordinator', COORDINATOR.toLowerCase()])).toMatchObject({
      marketplace: { url: 'wss://market.example/provider', chainId: 31337 },
    });
  });

  it('takes the payout chain RPC URL for the wallet, and refuses what is not http(s)', () => {
    expect(parseCommand(['start', '--rpc-url', 'https://rpc.example/v1'])).toMatchObject({ kind: 'start', payoutRpcUrl: 'https://rpc.example/v1' });
    expect(parseCommand(['start'])).not.toHaveProperty('payoutRpcUrl');
    expect(() => parseCommand(['start', '--rpc-url', 'ftp://rpc.example'])).toThrow(/--rpc-url must be an http\(s\) URL/);
    expect(() => parseCommand(['start', '--rpc-url', 'not a url'])).toThrow(/--rpc-url must be an http\(s\) URL/);
  });

  it('runs the local demo marketplace by default, and none with --no-marketplace', () => {
    expect(parseCommand(['start'])).toMatchObject({ kind: 'start', marketplace: 'local-demo' });
    expect(parseCommand(['desktop'])).toMatchObject({ kind: 'desktop', marketplace: 'local-demo' });
    expect(parseCommand(['start', '--no-marketplace'])).not.toHaveProperty('marketplace');
    expect(() => parseCommand(['start', '--no-marketplace', '--marketplace', 'http://127.0.0.1:7460', '--coordinator', COORDINATOR])).toThrow(/contradict/);
  });

  it.each([
    [['--marketplace', 'http://127.0.0.1:7460'], /--coordinator 0xADDRESS/],
    [['--marketplace', 'http://127.0.0.1:7460', '--coordinator', '0x1234'], /--coordinator must be/],
    // A mixed-case address with a wrong checksum is a typo, not an address.
    [['--marketplace', 'http://127.0.0.1:7460', '--coordinator', COORDINATOR.replace('E', 'e')], /--coordinator must be/],
    [['--marketplace', 'http://127.0.0.1:7460', '--coordinator', COORDINATOR, '--chain-id', 'x'], /--chain-id must be/],
    [['--coordinator', COORDINATOR], /--coordinator goes with --marketplace/],
    [['--marketplace', 'http://market.example', '--coordinator', COORDINATOR], /only allowed to this machine/],
    [['--marketplace', 'not a url', '--coordinator', COORDINATOR], /--marketplace must be a URL/],
  ])('refuses start %j naming the flag', (flags, message) => {
    expect(() => parseCommand(['start', ...flags])).toThrow(UsageError);
    expect(() => parseCommand(['start', ...flags])).toThrow(message);
  });

  it('is refused with desktop', () => {
    expect(() => parseCommand(['desktop', '--marketplace', 'http://127.0.0.1:1', '--coordinator', COORDINATOR])).toThrow(/hearth start/);
  });

  it('keeps a ws(s) URL as given', () => {
    expect(providerDialUrl('ws://localhost:9/custom')).toBe('ws://localhost:9/custom');
    expect(providerDialUrl('wss://market.example/provider')).toBe('wss://market.example/provider');
  });
});
