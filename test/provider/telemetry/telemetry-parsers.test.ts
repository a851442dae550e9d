// The telemetry parsers on recorded tool output: an RTX 4090 idle, busy, hot, with a game, with
// fields the card cannot measure, and garbage; rocm-smi JSON from two Radeon cards. Nothing unreadable
// may turn into a number: it is "not measurable" with a reason.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nvidiaSamples, parseNvidiaComputeApps, parseNvidiaGpuQuery } from '../../../provider/telemetry/nvidia-smi-telemetry.js';
import { parseRocmSmiTelemetry } from '../../../provider/telemetry/rocm-smi-telemetry.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const UUID = 'GPU-3b8f2d6e-1c4a-5e7b-9d0f-6a2c8e4b1f73';
const MiB = 1024 ** 2;
const HEARTH_WORKER_PID = 48213;

function sample(gpu: string, apps: string) {
  const [one] = nvidiaSamples(parseNvidiaGpuQuery(fixture(gpu)).gpus, parseNvidiaComputeApps(fixture(apps)), (pid) => pid === HEARTH_WORKER_PID, 1000);
  return one!;
}

describe('nvidia-smi telemetry', () => {
  it('reads an idle RTX 4090: every field measured, keyed by the GPU UUID as detection keys it', () => {
    expect(sample('rtx-4090-idle.csv', 'apps-none.csv')).toEqual({
      deviceId: UUID,
      at: 1000,
      utilizationPct: { ok: true, value: 0 },
      vramUsedBytes: { ok: true, value: 412 * MiB },
      vramTotalBytes: { ok: true, value: 24564 * MiB },
      temperatureC: { ok: true, value: 34 },
      powerW: { ok: true, value: 19.84 },
      powerLimitW: { ok: true, value: 450 },
      foreignProcesses: { ok: true, value: [] },
    });
  });

  it('reads a card under load and a hot one', () => {
    expect(sample('rtx-4090-load.csv', 'apps-ours.csv')).toMatchObject({ utilizationPct: { value: 98 }, temperatureC: { value: 71 }, powerW: { value: 402.31 } });
    expect(sample('rtx-4090-hot.csv', 'apps-ours.csv').temperatureC).toEqual({ ok: true, value: 86 });
  });

  it("leaves out Hearth's own worker and names the game", () => {
    expect(sample('rtx-4090-load.csv', 'apps-ours.csv').foreignProcesses).toEqual({ ok: true, value: [] });
    expect(sample('rtx-4090-game.csv', 'apps-game.csv').foreignProcesses).toEqual({
      ok: true,
      value: [{ pid: 51877, name: 'C:\\Program Files (x86)\\Steam\\steamapps\\common\\Cyberpunk 2077\\bin\\x64\\Cyberpunk2077.exe', usedVramBytes: 8930 * MiB }],
    });
  });

  it('keeps a process name with commas whole, and an [N/A] memory column as null', () => {
    const apps = parseNvidiaComputeApps(fixture('apps-na-memory.csv'));
    expect(apps).toEqual({ apps: [{ gpuUuid: UUID, process: { pid: 51877, name: '/usr/bin/some, name, with, commas', usedVramBytes: null } }] });
  });

  it('turns [N/A] and [Not Supported] into "not measurable" with the reason, never 0', () => {
    const s = sample('rtx-4090-na.csv', 'apps-none.csv');
    expect(s.utilizationPct).toEqual({ ok: false, reason: expect.stringMatching(/cannot measure utilization.*\[N\/A\]/) });
    expect(s.temperatureC).toEqual({ ok: false, reason: expect.stringMatching(/cannot measure temperature/) });
    expect(s.powerW).toEqual({ ok: false, reason: expect.stringMatching(/power draw.*\[Not Supported\]/) });
    expect(s.vramUsedBytes).toEqual({ ok: true, value: 812 * MiB });
  });

  it('refuses garbage: impossible readings are not measurable, unreadable lines are reported', () => {
    const parsed = parseNvidiaGpuQuery(fixture('garbage.csv'));
    expect(parsed.gpus).toHaveLength(1);
    expect(parsed.gpus[0]!.temperatureC).toEqual({ ok: false, reason: expect.stringContaining('"255000"') });
    expect(parsed.gpus[0]!.powerW).toEqual({ ok: false, reason: expect.stringContaining('"-7"') });
    expect(parsed.problems).toHaveLength(2);
    expect(parsed.problems[1]).toMatch(/NVIDIA-SMI has failed/);
    // Problems are printable: binary junk is shown as '?'.
    expect([...parsed.problems.join('')].filter((c) => c < ' ' || c === '\xfe' || c === '\xff')).toEqual([]);
    expect(parsed.problems[0]).toMatch(/^nvidia-smi line 2 not understood: \?\?\? garbage line$/);
  });

  it('distrusts a process list with a line it cannot read: gaming mode then says it cannot see', () => {
    const s = sample('rtx-4090-load.csv', 'apps-garbage.csv');
    expect(s.foreignProcesses).toEqual({ ok: false, reason: expect.stringMatching(/process line 1 not understood/) });
  });

  it('reads nothing from empty output', () => {
    expect(parseNvidiaGpuQuery('')).toEqual({ gpus: [], problems: [] });
    expect(parseNvidiaComputeApps('\n')).toEqual({ apps: [] });
  });
});

describe('rocm-smi telemetry', () => {
  it('reads a Radeon RX 7900 XTX under load, keyed by PCI bus as detection keys it; processes not measurable', () => {
    const { samples, problem } = parseRocmSmiTelemetry(fixture('rocm-rx-7900-xtx-load.json'), 5);
    expect(problem).toBeNull();
    expect(samples).toEqual([
      {
        deviceId: 'pci:0000:03:00.0',
        at: 5,
        utilizationPct: { ok: true, value: 96 },
        vramUsedBytes: { ok: true, value: 7516192768 },
        vramTotalBytes: { ok: true, value: 25753026560 },
        temperatureC: { ok: true, value: 74 },
        powerW: { ok: true, value: 331 },
        powerLimitW: { ok: true, value: 355 },
        foreignProcesses: { ok: false, reason: expect.stringMatching(/does not say which processes/) },
      },
    ]);
  });

  it('falls back to the junction sensor, says N/A power is not a reading, and skips the warning line', () => {
    const [s] = parseRocmSmiTelemetry(fixture('rocm-rx-6800-xt-na.json'), 5).samples;
    expect(s!.temperatureC).toEqual({ ok: true, value: 47 });
    expect(s!.powerW).toEqual({ ok: false, reason: expect.stringContaining('"N/A"') });
    expect(s!.powerLimitW).toEqual({ ok: false, reason: 'rocm-smi does not report power limit for this card.' });
  });

  it('reports output that is not JSON', () => {
    expect(parseRocmSmiTelemetry('ERROR: GPU[0]\t: Unable to read', 5)).toEqual({ samples: [], problem: expect.stringMatching(/not JSON/) });
  });
});
