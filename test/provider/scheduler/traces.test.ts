// Recorded telemetry traces (nvidia-smi output lines, clock, host, the owner's clicks) replayed through
// the real scheduler: at each step the decision, every reason with its message, and what the
// marketplace client was told (drain, resume, or nothing new) are what a person would expect.
import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SchedulerAction } from '../../../common/api-scheduler.js';
import { saveSettings } from '../../../provider/settings.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { LineTelemetry, ScriptedHost, openScheduler } from './scheduler-harness.js';

type Step = {
  t: string;
  gpu?: string;
  apps?: string;
  do?: 'restart' | { pause: string | null } | { resume: string | null };
  expect: { action: SchedulerAction; reasons: { policy: string; message: string }[]; client?: 'drain' | 'resume' | null };
};
type Trace = { description: string; settings: object; deviceIds: string[]; steps: Step[] };

const dir = new URL('./traces/', import.meta.url);
const traces = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Trace] as const);

let dataDir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir: dataDir, remove } = await makeTempDir('hearth-trace-')));
afterEach(() => remove());

describe('scheduler traces', () => {
  it('has the four recorded traces', () => {
    expect(traces.map(([f]) => f).sort()).toEqual(['game-mid-job.json', 'heat-past-cap.json', 'manual-pause-restart.json', 'schedule-boundary.json']);
  });

  it.each(traces)('%s', async (_file, trace) => {
    await saveSettings(dataDir, { scheduler: trace.settings });
    const clock = { now: Date.parse(trace.steps[0]!.t) };
    const telemetry = new LineTelemetry();
    const host = new ScriptedHost();
    let gpu = '';
    let apps = '';
    let open = await openScheduler(dataDir, trace.deviceIds, { telemetry, host, clock });
    try {
      for (const [i, step] of trace.steps.entries()) {
        const where = `${trace.description}\nstep ${i + 1} at ${step.t}`;
        clock.now = Date.parse(step.t);
        gpu = step.gpu ?? gpu;
        apps = step.apps ?? apps;
        telemetry.set(gpu, apps, clock.now);
        const callsBefore = open.client.calls.length;
        if (step.do === 'restart') {
          open.close();
          open = await openScheduler(dataDir, trace.deviceIds, { telemetry, host, clock });
        } else if (step.do !== undefined && 'pause' in step.do) {
          await setManual(open, step.do.pause, true);
        } else if (step.do !== undefined && 'resume' in step.do) {
          await setManual(open, step.do.resume, false);
        } else {
          open.scheduler.evaluateNow();
        }
        const state = open.scheduler.state();
        expect(state.action, where).toBe(step.expect.action);
        expect(state.reasons.map((r) => r.policy), where).toEqual(step.expect.reasons.map((r) => r.policy));
        step.expect.reasons.forEach((r, j) => expect(state.reasons[j]!.message, where).toMatch(new RegExp(r.message)));
        // The client holds back exactly while the decision does.
        expect(open.client.paused === null, where).toBe(step.expect.action === 'run');
        if (step.expect.client !== undefined) {
          const fresh = step.do === 'restart' ? open.client.calls : open.client.calls.slice(callsBefore);
          expect(fresh.at(-1) ?? null, where).toBe(step.expect.client);
        }
      }
    } finally {
      open.close();
    }
  });
});

/** What `scheduler.pause` / `scheduler.resume` do (provider/api/scheduler-handlers.ts), through the real handlers. */
async function setManual(open: Awaited<ReturnType<typeof openScheduler>>, deviceId: string | null, paused: boolean): Promise<void> {
  const { createSchedulerHandlers } = await import('../../../provider/api/scheduler-handlers.js');
  const handlers = createSchedulerHandlers({ scheduler: open.scheduler, settings: open.store });
  const input = deviceId === null ? {} : { deviceId };
  await (paused ? handlers['scheduler.pause'](input) : handlers['scheduler.resume'](input));
}
