// Gaming mode end to end, with real processes: a real coordinator (startMarketplace, in this process,
// no local worker) and a real `hearth start --marketplace …` child whose PATH starts with a temp bin
// folder holding fake-nvidia-smi (a scripted stand-in: this machine has no NVIDIA GPU). Detection sees
// an RTX 4090 (its worker falls through to the CPU), telemetry reads the same card. The provider earns;
// the test makes a game appear on the GPU; the provider sends `drain` (seen on the wire at the
// coordinator), reports paused for gaming through its API, and the marketplace stops routing to it; the
// game quits, and after the grace period a heartbeat with `paused: null` puts it back to earning.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { FromProvider } from '../../common/marketplace-protocol.js';
import { type Marketplace, startMarketplace } from '../../marketplace/marketplace.js';
import { waitForHearth } from '../helpers/hearth-process.js';
import { e2eScope } from '../helpers/e2e-scope.js';
import { installFakeNvidiaSmi, setFakeNvidiaSmi } from '../provider/telemetry/fake-nvidia-smi.js';

const CONSUMER_KEY = 'e2e-gaming-consumer-key-0123';
const GPU = 'GPU-3b8f2d6e-1c4a-5e7b-9d0f-6a2c8e4b1f73';
const { tempDir, spawn, defer } = e2eScope();

/** One silero-vad run submitted over OIP, as a consumer would. */
async function infer(base: string): Promise<{ status: number; provider: string | null }> {
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
  const reply = (await res.json()) as { parameters?: { provider?: string } };
  return { status: res.status, provider: reply.parameters?.provider ?? null };
}

type SchedulerView = { action: string; reasons: { policy: string; deviceId: string | null; message: string }[] };

describe('gaming mode with a scripted nvidia-smi', () => {
  it('goes from earning to paused-for-gaming and back, with drain on the wire', { timeout: 180_000 }, async () => {
    const bin = await tempDir('hearth-e2e-bin-');
    await installFakeNvidiaSmi(bin);
    const providerDir = await tempDir('hearth-e2e-gaming-');
    // A short grace period keeps the test quick; the default is 60 s.
    await writeFile(join(providerDir, 'settings.json'), JSON.stringify({ scheduler: { gamingMode: { enabled: true, graceSeconds: 2 } } }));

    // Heartbeats every minute: a pause seen within seconds can only have come from the drain message.
    const market: Marketplace = await startMarketplace({ consumerKeys: [CONSUMER_KEY], port: 0, logger: pino({ enabled: false }), localWorker: false, heartbeatMs: 60_000 });
    defer(() => market.close());
    const base = market.server.url;
    const wire: FromProvider[] = [];
    let connected: string | null = null;
    market.link.on('connected', (node: string) => {
      connected = node;
      const session = market.link.session(node)!;
      const receive = session.receive.bind(session);
      session.receive = (message, tensors) => (wire.push(message as FromProvider), receive(message, tensors));
    });

    const provider = spawn(
      ['start', '--data-dir', providerDir, '--dashboard-port', '0', '--marketplace', base, '--coordinator', market.coordinator, '--chain-id', String(market.chainId)],
      { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    );
    const dashboardUrl = await provider.dashboardUrl();
    const token = readFileSync(join(providerDir, 'dashboard-token'), 'utf8').trim();
    const api = async <T,>(method: string, input: object = {}): Promise<T> => {
      const res = await fetch(`${new URL(dashboardUrl).origin}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
      const envelope = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
      if (!envelope.ok) throw new Error(`${method} failed: ${JSON.stringify(envelope.error)}`);
      return envelope.value!;
    };

    // Earning: the detected RTX 4090's worker takes a job, and the scheduler says run.
    const status = await api<{ devices: { id: string; name: string }[] | null; workers: { deviceId: string }[] }>('status.get');
    expect(status.devices).toEqual([expect.objectContaining({ id: GPU, name: 'NVIDIA GeForce RTX 4090' })]);
    expect(status.workers.map((w) => w.deviceId)).toEqual([GPU]);
    await waitForHearth(async () => ((await fetch(`${base}/v2/health/ready`)).status === 200 ? true : null), 'provider connection', provider);
    const first = await infer(base);
    expect(first.status).toBe(200);
    const node = connected!;
    expect(first.provider?.toLowerCase()).toBe(node.toLowerCase());
    expect(market.link.session(node)!.paused).toBe(false);
    const earning = await api<SchedulerView & { telemetry: { deviceId: string; temperatureC: { ok: boolean; value?: number } }[] }>('scheduler.get');
    expect(earning.action).toBe('run');
    expect(earning.telemetry).toEqual([expect.objectContaining({ deviceId: GPU, temperatureC: { ok: true, value: 34 } })]);

    // A game starts on the GPU: the next telemetry sample sees it, the provider drains and says why.
    // The process list also names our own worker (its real pid): that is never taken for a game.
    const workerPid = (await api<{ workers: { pid: number | null }[] }>('status.get')).workers[0]!.pid!;
    const game = 'C:\\Program Files (x86)\\Steam\\steamapps\\common\\Cyberpunk 2077\\bin\\x64\\Cyberpunk2077.exe';
    await setFakeNvidiaSmi(bin, { gpu: 'rtx-4090-game.csv', apps: { text: `${GPU}, ${workerPid}, node, 1562\n${GPU}, 51877, ${game}, 8930\n` } });
    const drain = await waitForHearth(() => wire.find((m) => m.type === 'drain') ?? null, 'drain message at the coordinator', provider, 30_000);
    expect(drain).toEqual({ type: 'drain', reason: expect.stringMatching(/^Gaming mode: .*Cyberpunk2077\.exe \(pid 51877\) is using this GPU/) });
    expect(market.link.session(node)!.paused).toBe(true);
    const paused = await api<SchedulerView>('scheduler.get');
    expect(paused.action).toBe('pause');
    expect(paused.reasons).toEqual([expect.objectContaining({ policy: 'gaming', deviceId: GPU, message: expect.stringContaining('Cyberpunk2077.exe') })]);
    // A consumer's job submitted now waits: the coordinator offers nothing to a paused provider.
    const waiting = infer(base);

    // The game quits: after the grace period a heartbeat with `paused: null` ends the drain.
    const drainAt = wire.indexOf(drain);
    await setFakeNvidiaSmi(bin, { gpu: 'rtx-4090-idle.csv', apps: 'apps-none.csv' });
    const resumed = await waitForHearth(() => wire.slice(drainAt).find((m) => m.type === 'heartbeat' && m.paused === null) ?? null, 'resuming heartbeat', provider, 30_000);
    const resumedAt = wire.indexOf(resumed);
    // Nothing about a job crossed the wire while it was paused.
    expect(wire.slice(drainAt, resumedAt).filter((m) => m.type.startsWith('job.'))).toEqual([]);
    expect(market.link.session(node)!.paused).toBe(false);
    expect((await api<SchedulerView>('scheduler.get')).action).toBe('run');
    // The waiting job runs here once it is back, and so does the next.
    for (const run of [await waiting, await infer(base)]) {
      expect(run.status).toBe(200);
      expect(run.provider?.toLowerCase()).toBe(node.toLowerCase());
    }
    expect(wire.slice(resumedAt).filter((m) => m.type === 'job.accept')).toHaveLength(2);

    // It stops cleanly.
    provider.child.kill('SIGTERM');
    expect(await provider.exited).toBe(0);
  });
});
