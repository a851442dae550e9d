import type { ApiMethod, MethodOutput } from '../../common/api.js';
import type { ApiHandlers } from '../../provider/api/dispatch.js';
import { sampleStatus } from '../helpers/sample-status.js';

/** A valid output of every method, for tests that need one per method. */
export const SAMPLE_OUTPUTS: { [M in ApiMethod]: MethodOutput<M> } = {
  'status.get': sampleStatus(),
  'jobs.list': { items: [], nextCursor: null },
  'earnings.summary': { totals: [] },
};

/** Handlers for every method that answer SAMPLE_OUTPUTS, with some replaced. */
export function sampleHandlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  return {
    'status.get': () => SAMPLE_OUTPUTS['status.get'],
    'jobs.list': () => SAMPLE_OUTPUTS['jobs.list'],
    'earnings.summary': () => SAMPLE_OUTPUTS['earnings.summary'],
    ...overrides,
  };
}
