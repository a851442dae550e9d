import type { ApiMethod, MethodOutput } from '../../common/api.js';
import type { ApiHandlers } from '../../provider/api/dispatch.js';
import { sampleStatus } from '../helpers/sample-status.js';
import { energySampleHandlers, energySamples } from './energy/energy-samples.js';
import { schedulerSamples } from './scheduler/scheduler-samples.js';
import { walletSampleHandlers, walletSampleInputs, walletSamples } from './wallet/wallet-samples.js';

/** A valid output of every method, for tests that need one per method. */
export const SAMPLE_OUTPUTS: { [M in ApiMethod]: MethodOutput<M> } = {
  'status.get': sampleStatus(),
  'jobs.list': { items: [], nextCursor: null },
  'earnings.summary': { totals: [] },
  'earnings.breakdown': { by: 'day', from: 0, to: 1, rows: [], truncated: false },
  ...schedulerSamples(),
  ...energySamples(),
  ...walletSamples(),
};

/** A valid input of each method whose input is not `{}`-compatible. */
export const SAMPLE_INPUTS: Partial<Record<ApiMethod, unknown>> = {
  ...walletSampleInputs(),
};

/** Handlers for every method that answer SAMPLE_OUTPUTS, with some replaced. */
export function sampleHandlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  return {
    'status.get': () => SAMPLE_OUTPUTS['status.get'],
    'jobs.list': () => SAMPLE_OUTPUTS['jobs.list'],
    'earnings.summary': () => SAMPLE_OUTPUTS['earnings.summary'],
    'earnings.breakdown': () => SAMPLE_OUTPUTS['earnings.breakdown'],
    'scheduler.get': () => SAMPLE_OUTPUTS['scheduler.get'],
    'scheduler.pause': () => SAMPLE_OUTPUTS['scheduler.pause'],
    'scheduler.resume': () => SAMPLE_OUTPUTS['scheduler.resume'],
    'settings.get': () => SAMPLE_OUTPUTS['settings.get'],
    'settings.update': () => SAMPLE_OUTPUTS['settings.update'],
    ...energySampleHandlers(),
    ...walletSampleHandlers(),
    ...overrides,
  };
}
