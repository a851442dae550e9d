/**
 * The settings the Settings page edits: the scheduler's (`settings.get`) and the electricity price's
 * (`energy.settings.get`). Saving replaces the cached copy with the provider's answer, so the form shows
 * what was saved, not what was sent.
 */
import { useQuery } from '@tanstack/react-query';
import { useApiClient } from './api-context.js';
import { unwrap } from './api-error.js';

/** Query keys, shared with the code that writes the saved settings back into the cache. */
export const settingsQueryKeys = { settings: ['settings.get'], energy: ['energy.settings.get'] } as const;

/** The settings in force (the scheduler's section). */
export function useSettings() {
  const { api } = useApiClient();
  return useQuery({ queryKey: settingsQueryKeys.settings, queryFn: async () => unwrap(await api.call['settings.get']({})) });
}

/** The electricity price, currency and payout token's value in force. */
export function useEnergySettings() {
  const { api } = useApiClient();
  return useQuery({ queryKey: settingsQueryKeys.energy, queryFn: async () => unwrap(await api.call['energy.settings.get']({})) });
}
