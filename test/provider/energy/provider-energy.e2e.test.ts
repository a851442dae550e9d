// The real provider meters the jobs it runs: `hearth marketplace` and `hearth start --marketplace …` as
// two processes, one OIP job, and `earnings.net` shows that job with its energy (the CPU worker here, whose
// power no tool measures: the typical draw, marked as an estimate) at the electricity price set over the API.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EarningsNet, EnergySettings } from '../../../common/api-energy.js';
import { e2eScope } from '../../helpers/e2e-scope.js';
import { callApi, waitForHearth } from '../../helpers/hearth-process.js';

const CONSUMER_KEY = 'energy-e2e-consumer-key-0123456789';
const { tempDir, spawn } = e2eScope();

describe('the provider meters its jobs', () => {
  it('records each job’s energy with the price in force, and earnings.net shows it', { timeout: 180_000 }, async () => {
    const [marketDir, providerDir] = [await tempDir(), await tempDir()];
    const market = spawn(['marketplace', '--port', '0', '--data-dir', marketDir, '--consumer-key', CONSUMER_KEY, '--no-local-worker']);
    const printed = await waitForHearth(() => (market.stdout().includes('Press Ctrl+C') ? market.stdout() : null), 'marketplace start-up', market);
    const base = /OIP API: (http:\/\/127\.0\.0\.1:\d+)\/v2/.exec(printed)![1]!;
    const [, coordinator, chainId] = /Coordinator: (0x[0-9a-fA-F]{40}) \(chain id (\d+)/.exec(printed)!;
    const provider = spawn(['start', '--data-dir', providerDir, '--dashboard-port', '0', '--marketplace', base, '--coordinator', coordinator!, '--chain-id', chainId!]);
    const dashboardUrl = await provider.dashboardUrl();
    const token = readFileSync(join(providerDir, 'dashboard-token'), 'utf8').trim();
    await waitForHearth(async () => ((await fetch(`${base}/v2/health/ready`)).status === 200 ? true : null), 'provider connection', provider);

    const settings = await callApi<EnergySettings>(dashboardUrl, token, 'energy.settings.update', { electricityPrice: '0.42', currency: 'USD' });
    expect(settings).toMatchObject({ electricityPrice: '0.42', currency: 'USD' });

    const input = Array.from({ length: 512 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    const res = await fetch(`${base}/v2/models/silero-vad/infer`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${CONSUMER_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        inputs: [
          { name: 'input', datatype: 'FP32', shape: [1, 512], data: input },
          { name: 'state', datatype: 'FP32', shape: [2, 1, 128], data: new Array<number>(256).fill(0) },
          { name: 'sr', datatype: 'INT64', shape: [], data: [16000] },
        ],
      }),
    });
    expect(res.status, await res.clone().text()).toBe(200);

    // The energy is written once the sampler's next reading (every 5 s) closes the run.
    const net = await waitForHearth(async () => {
      const value = await callApi<EarningsNet>(dashboardUrl, token, 'earnings.net', { timeZone: 'UTC' });
      return value.jobs.length === 1 && value.jobs[0]!.energyWh !== null ? value : null;
    }, 'a metered job in earnings.net', provider);
    const [job] = net.jobs;
    expect(net.currency).toBe('USD');
    expect(job).toMatchObject({ deviceId: 'cpu', estimated: true, electricityPrice: '0.420000' });
    expect(job!.powerSource).toContain('typical CPU draw (65 W TDP)');
    expect(job!.energyWh).toBeGreaterThan(0);
    // A CPU job of well under a minute at 65 W is under 1.1 Wh.
    expect(job!.energyWh).toBeLessThan(1.1);
    expect(net.totals.jobs).toBe(1);
    expect(net.totals.estimatedJobs).toBe(1);
    expect(net.days).toHaveLength(1);

    // The Jobs page's list carries the same figures.
    const page = await callApi<{ items: Array<{ id: string; energy?: { estimated: boolean; currency: string; energyCost: string } }> }>(dashboardUrl, token, 'jobs.list', {});
    expect(page.items[0]).toMatchObject({ id: job!.jobId, energy: { estimated: true, currency: 'USD', energyCost: job!.energyCost } });

    provider.child.kill('SIGTERM');
    expect(await provider.exited).toBe(0);
  });
});
