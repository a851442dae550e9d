/** Valid outputs of the energy methods, for tests that need one per method. */
import type { MethodOutput } from '../../../common/api.js';
import { EnergySettings } from '../../../common/api-energy.js';

type EnergyMethod = 'earnings.net' | 'telemetry.history' | 'energy.settings.get' | 'energy.settings.update';

const ZERO = { jobs: 0, energyWh: 0, estimatedJobs: 0, unmeteredJobs: 0, gross: '0.000000', energyCost: '0.000000', net: '0.000000' };

/** One output per energy method. */
export function energySamples(): { [M in EnergyMethod]: MethodOutput<M> } {
  return {
    'earnings.net': {
      from: 0,
      to: 1,
      timeZone: 'UTC',
      currency: 'EUR',
      electricityPrice: '0.300000',
      tokenPrice: '1.000000',
      tokenDecimals: 18,
      totals: ZERO,
      days: [],
      devices: [],
      jobs: [],
      jobsTruncated: false,
      otherCurrencyJobs: 0,
      projection: { basis: 'last hour × 24', jobs: 0, netPerDay: '0.000000' },
    },
    'telemetry.history': { from: 0, to: 1, minutes: [], truncated: false },
    'energy.settings.get': EnergySettings.parse({}),
    'energy.settings.update': EnergySettings.parse({}),
  };
}

/** Handlers for the energy methods that answer `energySamples()`. */
export function energySampleHandlers(): { [M in EnergyMethod]: () => MethodOutput<M> } {
  const samples = energySamples();
  return {
    'earnings.net': () => samples['earnings.net'],
    'telemetry.history': () => samples['telemetry.history'],
    'energy.settings.get': () => samples['energy.settings.get'],
    'energy.settings.update': () => samples['energy.settings.update'],
  };
}
