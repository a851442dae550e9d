/** The API methods of the scheduler (`scheduler.get`, `.pause`, `.resume`) and the settings (`settings.get`, `.update`). */
import type { MethodInput, MethodOutput } from '../../common/api.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { SettingsRejected, type SettingsStore } from '../scheduler/settings-store.js';
import type { Settings } from '../settings.js';
import { ApiFailure } from './dispatch.js';

/** What these handlers need from the provider. */
export type SchedulerHandlerContext = { scheduler: Scheduler; settings: SettingsStore };

/** The scheduler's and the settings' methods. */
export function createSchedulerHandlers(ctx: SchedulerHandlerContext) {
  return {
    'scheduler.get': () => ctx.scheduler.state(),
    'scheduler.pause': (input: MethodInput<'scheduler.pause'>) => setManualPause(ctx, input.deviceId, true),
    'scheduler.resume': (input: MethodInput<'scheduler.resume'>) => setManualPause(ctx, input.deviceId, false),
    'settings.get': (): MethodOutput<'settings.get'> => apiSettings(ctx.settings.current),
    'settings.update': async (input: MethodInput<'settings.update'>): Promise<MethodOutput<'settings.update'>> => {
      try {
        return apiSettings(await ctx.settings.update(input));
      } catch (err) {
        if (err instanceof SettingsRejected) throw new ApiFailure('invalid_input', `Invalid setting ${err.message}.`);
        throw err;
      }
    },
  };
}

/** The settings a person may see over the API (idleCommand, which runs a program, stays in the file). */
function apiSettings(settings: Settings): MethodOutput<'settings.get'> {
  return { scheduler: settings.scheduler };
}

async function setManualPause(ctx: SchedulerHandlerContext, deviceId: string | undefined, paused: boolean): Promise<MethodOutput<'scheduler.get'>> {
  const current = ctx.settings.current.scheduler.manualPause;
  const next =
    deviceId === undefined
      ? // Resuming everything also lifts the pauses of single devices: "resume" means earn again.
        { all: paused, devices: paused ? current.devices : [] }
      : { all: current.all, devices: paused ? [...new Set([...current.devices, deviceId])] : current.devices.filter((d) => d !== deviceId) };
  await ctx.settings.update({ scheduler: { manualPause: next } });
  ctx.scheduler.evaluateNow();
  return ctx.scheduler.state();
}
