// The sampler running the real command runner against fake-nvidia-smi (a real executable; there is no
// NVIDIA GPU here): samples per device, subscribers told, our worker excluded, a missing tool asked
// again only after the re-check interval, a slow one cut off at its timeout and reported as such.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelemetrySampler } from '../../../provider/telemetry/sampler.js';
import type { DeviceSample } from '../../../provider/telemetry/sample.js';
import { type CommandRunner, runCommand } from '../../../worker/devices/run-command.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { installFakeNvidiaSmi, setFakeNvidiaSmi } from './fake-nvidia-smi.js';

const UUID = 'GPU-3b8f2d6e-1c4a-5e7b-9d0f-6a2c8e4b1f73';
let bin: string;
let remove: () => Promise<void>;
let calls: string[];

beforeEach(async () => {
  ({ dir: bin, remove } = await makeTempDir('hearth-fake-smi-'));
  await installFakeNvidiaSmi(bin);
  calls = [];
});
afterEach(() => remove());

/** Runs tools from the temp bin folder (rocm-smi is never there: missing). */
const runner = (): CommandRunner => (cmd, args, timeoutMs) => {
  calls.push(cmd);
  return runCommand(join(bin, cmd), args, timeoutMs);
};

function sampler(options: { deviceIds?: string[]; timeoutMs?: number; now?: () => number } = {}) {
  return new TelemetrySampler({
    run: runner(),
    platform: 'linux',
    deviceIds: () => options.deviceIds ?? [UUID, 'cpu'],
    isOurs: (pid) => pid === 48213,
    timeoutMs: options.timeoutMs ?? 5000,
    now: options.now ?? (() => 1000),
  });
}

describe('telemetry sampler', () => {
  it('samples the GPU, tells subscribers, and says plainly that the CPU worker has no GPU readings', async () => {
    const s = sampler();
    const seen: DeviceSample[] = [];
    s.onSample((sample) => seen.push(sample));
    await s.sampleOnce();
    expect(seen.map((x) => x.deviceId).sort()).toEqual([UUID, 'cpu'].sort());
    expect(s.latest(UUID)).toMatchObject({ temperatureC: { ok: true, value: 34 }, foreignProcesses: { ok: true, value: [] } });
    expect(s.latest('cpu')!.temperatureC).toEqual({ ok: false, reason: expect.stringMatching(/runs on the CPU/) });
  });

  it('sees a game start on the GPU but not our own worker', async () => {
    const s = sampler();
    await setFakeNvidiaSmi(bin, { gpu: 'rtx-4090-game.csv', apps: 'apps-game.csv' });
    await s.sampleOnce();
    const foreign = s.latest(UUID)!.foreignProcesses;
    expect(foreign.ok && foreign.value.map((p) => p.pid)).toEqual([51877]);
  });

  it('cuts off a slow nvidia-smi at its timeout: every reading not measurable, naming the timeout', async () => {
    await setFakeNvidiaSmi(bin, { gpu: 'rtx-4090-load.csv', apps: 'apps-none.csv', delaySeconds: 5 });
    const s = sampler({ timeoutMs: 300 });
    await s.sampleOnce();
    const sample = s.latest(UUID)!;
    for (const field of ['utilizationPct', 'temperatureC', 'powerW', 'foreignProcesses'] as const) {
      expect(sample[field]).toEqual({ ok: false, reason: expect.stringMatching(/nvidia-smi timed out after 300 ms/) });
    }
  });

  it('reports a missing tool and does not run it again until the re-check is due', async () => {
    let now = 0;
    const s = sampler({ now: () => now });
    await remove();
    await s.sampleOnce();
    expect(s.latest(UUID)!.temperatureC).toEqual({ ok: false, reason: expect.stringMatching(/nvidia-smi is not installed/) });
    const before = calls.length;
    now = 60_000;
    await s.sampleOnce();
    expect(calls.length).toBe(before);
    expect(s.latest(UUID)!.powerW).toEqual({ ok: false, reason: expect.stringMatching(/nvidia-smi is not installed/) });
    now = 6 * 60_000;
    await s.sampleOnce();
    expect(calls.filter((c) => c === 'nvidia-smi').length).toBeGreaterThan(calls.slice(0, before).filter((c) => c === 'nvidia-smi').length);
  });

  it('never runs two passes at once', async () => {
    const s = sampler();
    const [a, b] = [s.sampleOnce(), s.sampleOnce()];
    expect(a).toBe(b);
    await a;
    expect(calls.filter((c) => c === 'nvidia-smi')).toHaveLength(2);
  });
});
