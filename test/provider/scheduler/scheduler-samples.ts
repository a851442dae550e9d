/** Valid outputs of the scheduler's and the settings' methods, for tests that need one per method. */
import type { MethodOutput } from '../../../common/api.js';
import type { SchedulerState } from '../../../common/api-scheduler.js';
import { defaultSchedulerSettings } from '../../../common/api-settings.js';

/** A scheduler state of a node that runs, with no device yet. */
export function sampleSchedulerState(): SchedulerState {
  return { action: 'run', reasons: [], notices: [], devices: [], evaluatedAt: 1, since: 1, manualPause: { all: false, devices: [] }, telemetry: [] };
}

/** One output per scheduler and settings method. */
export function schedulerSamples(): {
  'scheduler.get': MethodOutput<'scheduler.get'>;
  'scheduler.pause': MethodOutput<'scheduler.pause'>;
  'scheduler.resume': MethodOutput<'scheduler.resume'>;
  'settings.get': MethodOutput<'settings.get'>;
  'settings.update': MethodOutput<'settings.update'>;
} {
  return {
    'scheduler.get': sampleSchedulerState(),
    'scheduler.pause': sampleSchedulerState(),
    'scheduler.resume': sampleSchedulerState(),
    'settings.get': { scheduler: defaultSchedulerSettings() },
    'settings.update': { scheduler: defaultSchedulerSettings() },
  };
}
