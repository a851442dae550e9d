/**
 * Keeps query data live: every event the provider pushes replaces the data of the query it mirrors,
 * and when the connection comes back every query is refetched (events missed while away are gone).
 */
import { type QueryKey, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { type ApiEventName, type EventPayload, apiEventNames } from '../../common/api.js';
import { useApiClient, useConnection } from './api-context.js';
import { unwrap } from './api-error.js';

/** The query each event mirrors; a new event in the contract must say which one it updates. */
export const eventQueryKeys: Record<ApiEventName, QueryKey> = {
  status: ['status.get'],
};

/** Subscribes to every event of the contract for as long as the calling component is mounted. */
export function useLiveQueries(): void {
  const { api } = useApiClient();
  const queryClient = useQueryClient();
  const { status } = useConnection();
  const wasOnline = useRef(status === 'online');

  useEffect(() => {
    const subscribe = <E extends ApiEventName>(event: E): (() => void) =>
      api.on[event]((payload: EventPayload<E>) => queryClient.setQueryData<EventPayload<E>>(eventQueryKeys[event], payload));
    const unsubscribes = apiEventNames.map(subscribe);
    return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
  }, [api, queryClient]);

  useEffect(() => {
    const online = status === 'online';
    if (online && !wasOnline.current) void queryClient.invalidateQueries();
    wasOnline.current = online;
  }, [status, queryClient]);
}

/** The provider's status: first from `status.get`, then from each `status` event. */
export function useStatus() {
  const { api } = useApiClient();
  return useQuery({
    queryKey: eventQueryKeys.status,
    queryFn: async () => unwrap(await api.call['status.get']({})),
  });
}
