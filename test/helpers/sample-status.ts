import type { Status } from '../../common/api.js';

/** A valid Status as the provider would send it, for tests that need one. */
export function sampleStatus(overrides: Partial<Status> = {}): Status {
  return {
    version: '0.1.0',
    mode: 'desktop',
    state: 'running',
    startedAt: 1_700_000_000_000,
    uptimeMs: 5_000,
    dataDir: '/home/someone/.config/Hearth',
    devices: null,
    workers: [],
    marketplace: null,
    ...overrides,
  };
}
