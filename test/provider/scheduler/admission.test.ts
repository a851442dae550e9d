// Offers the scheduler refuses while the node runs: a model that would eat into the VRAM reserve, and a
// model too large while the power cap holds the card to small jobs. The refusal is `busy` (the
// coordinator tries another provider) with a message that says why.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SchedulerSettings } from '../../../common/api-settings.js';
import type { JobSpec } from '../../../common/marketplace-protocol.js';
import { Scheduler } from '../../../provider/scheduler/scheduler.js';
import type { DeviceSample } from '../../../provider/telemetry/sample.js';
import { RecordingClient, ScriptedHost } from './scheduler-harness.js';

const GPU = 'GPU-3b8f2d6e-1c4a-5e7b-9d0f-6a2c8e4b1f73';
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function gpu(usedBytes: number, powerW: number): DeviceSample {
  const m = <T>(value: T) => ({ ok: true as const, value });
  return { deviceId: GPU, at: 1, utilizationPct: m(90), vramUsedBytes: m(usedBytes), vramTotalBytes: m(24 * GiB), temperatureC: m(60), powerW: m(powerW), powerLimitW: m(450), foreignProcesses: m([]) };
}

function job(bytes: number): JobSpec {
  return { id: 'job-1', deadline: 2, model: { sha256: 'a'.repeat(64), bytes, url: 'http://127.0.0.1/m' }, inputSha256: 'b'.repeat(64), price: { token: `0x${'0'.repeat(40)}`, amount: '10' }, verification: 'none' } as JobSpec;
}

function scheduler(raw: object, sample: DeviceSample) {
  const settings = SchedulerSettings.parse(raw);
  const client = new RecordingClient();
  const s = new Scheduler({ settings: () => settings, deviceIds: () => [GPU], logger: pino({ enabled: false }), publish: () => undefined, tickMs: 3_600_000 });
  s.start({ telemetry: { all: () => [sample], onSample: () => () => undefined }, host: new ScriptedHost(), target: client });
  return { s, client };
}

describe('offer admission', () => {
  it('refuses a model that would leave less than the 1 GiB reserve free, and takes one that fits', () => {
    const { s, client } = scheduler({}, gpu(20 * GiB, 300));
    expect(s.state().action).toBe('run');
    expect(client.admission!(job(3.5 * GiB))).toEqual({ reason: 'busy', message: expect.stringMatching(/would leave 0\.5 GiB of VRAM free on GPU-3b8f.*under the 1\.0 GiB kept for you/) });
    expect(client.admission!(job(2 * GiB))).toBeNull();
    s.stop();
    expect(client.admission).toBeNull();
  });

  it('drains a card already under its reserve (the owner needs that memory)', () => {
    const { s } = scheduler({ vramReserveBytes: 2 * GiB }, gpu(23 * GiB, 300));
    expect(s.state()).toMatchObject({ action: 'drain', reasons: [{ policy: 'vram-reserve', message: expect.stringMatching(/Only 1\.0 GiB of VRAM free; 2\.0 GiB is kept for you/) }] });
  });

  it('over the power cap in smaller-jobs mode keeps running but refuses large models', () => {
    const { s, client } = scheduler({ powerCapW: 250, powerCapMode: 'smaller-jobs', smallJobMaxBytes: 64 * MiB }, gpu(4 * GiB, 310));
    const state = s.state();
    expect(state.action).toBe('run');
    expect(state.notices).toEqual([expect.objectContaining({ policy: 'power', message: expect.stringMatching(/310 W against a 250 W cap: taking only jobs with models up to 64 MiB/) })]);
    expect(client.admission!(job(200 * MiB))).toEqual({ reason: 'busy', message: expect.stringMatching(/power cap allows models up to 67108864 bytes/) });
    expect(client.admission!(job(10 * MiB))).toBeNull();
  });

  it('over the power cap in pause mode pauses', () => {
    const { s, client } = scheduler({ powerCapW: 250 }, gpu(4 * GiB, 310));
    expect(s.state()).toMatchObject({ action: 'pause', reasons: [{ policy: 'power', message: 'Drawing 310 W against a 250 W cap; resuming below 225 W.' }] });
    expect(client.paused).toBe('Drawing 310 W against a 250 W cap; resuming below 225 W.');
  });
});
