import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { defaultMarketplaceDataDir, parseMarketplaceArgs } from '../../marketplace/cli.js';
import { startMarketplace } from '../../marketplace/marketplace.js';
import { DEFAULT_MARKETPLACE_PORT } from '../../marketplace/server.js';
import { UsageError } from '../../provider/cli/args.js';
import { WORKER_BUILT } from '../provider/worker/real-worker.js';
import { fp32, infer, int64 } from './oip/oip-client.js';

const KEY = 'embedded-test-key-0123456789';

describe.skipIf(!WORKER_BUILT)('the embedded marketplace (registry, dispatcher, server, local worker)', () => {
  it('serves the npm models on its in-process sandboxed worker, then closes', async () => {
    const marketplace = await startMarketplace({ consumerKeys: [KEY], port: 0, logger: pino({ enabled: false }) });
    try {
      expect(marketplace.coordinator).toMatch(/^0x[0-9a-fA-F]{40}$/);
      expect(marketplace.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const inputs = [fp32('input', [1, 512], new Float32Array(512)), fp32('state', [2, 1, 128], new Float32Array(256)), int64('sr', [], [16000n])];
      const reply = await infer(marketplace.server.url, 'silero-vad', inputs, { binaryInputs: true, binaryOutputs: true, key: KEY });
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ parameters: { provider: marketplace.localWorker!.id } });
    } finally {
      await marketplace.close();
    }
    expect(marketplace.dispatcher.queueDepth()).toBe(0);
  });
});

describe('hearth marketplace options', () => {
  it('defaults to 127.0.0.1, the default port, a local worker, and a generated key', () => {
    const command = parseMarketplaceArgs([], {});
    expect(command).toMatchObject({ host: '127.0.0.1', port: DEFAULT_MARKETPLACE_PORT, localWorker: true, generatedKey: true });
    expect(command.consumerKeys[0]).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('takes keys from --consumer-key (repeated) and HEARTH_CONSUMER_KEY, and the other options', () => {
    const command = parseMarketplaceArgs(
      ['--port', '0', '--host', '0.0.0.0', '--public-url', 'https://market.example/', '--consumer-key', 'a-key-that-is-long-enough', '--no-local-worker'],
      { HEARTH_CONSUMER_KEY: 'b-key-that-is-long-enough' },
    );
    expect(command).toEqual({
      port: 0,
      host: '0.0.0.0',
      publicUrl: 'https://market.example/',
      consumerKeys: ['a-key-that-is-long-enough', 'b-key-that-is-long-enough'],
      generatedKey: false,
      localWorker: false,
      dataDir: defaultMarketplaceDataDir({}),
      coordinatorKeyFile: undefined,
      chainId: 31337,
    });
  });

  it.each([
    [['--port', '70000'], /--port must be/],
    [['--consumer-key', 'short'], /at least 16/],
    [['--public-url', 'ftp://x'], /--public-url must be/],
    [['--frobnicate'], /hearth marketplace --help/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseMarketplaceArgs(argv, {})).toThrow(UsageError);
    expect(() => parseMarketplaceArgs(argv, {})).toThrow(message);
  });
});
