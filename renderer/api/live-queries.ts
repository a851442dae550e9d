/**
 * Keeps query data live: every event the provider pushes replaces the data of the query it mirrors,
 * and when the connection comes back every query is refetched (events missed while away are gone).
 */
import { type QueryKey, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { type ApiEventName, type EventPayload, apiEventNames } from '../../common/api.js';
import { useApiClient, useConnection } from './api-context.js';
import { unwrap } from './api-error.js';

/** The queries an event carries the whole answer of. */
export const eventQueryKeys = { status: ['status.get'], scheduler: ['scheduler.get'] } as const satisfies Record<string, QueryKey>;

/**
 * What each event does to the cache; a new event in the contract must say. `mirror`: the event carries
 * the whole answer of that query. `invalidate`: the event says those queries changed (refetched).
 */
export const eventQueries: Record<ApiEventName, { mirror: QueryKey } | { invalidate: QueryKey[] }> = {
  status: { mirror: eventQueryKeys.status },
  scheduler: { mirror: eventQueryKeys.scheduler },
  // One claim step: the history and the wallet's amounts moved.
  claim: { invalidate: [['claim.list'], ['wallet.status']] },
};

/** Subscribes to every event of the contract for as long as the calling component is mounted. */
export function useLiveQueries(): void {
  const { api } = useApiClient();
  const queryClient = useQueryClient();
  const { status } = useConnection();
  const wasOnline = useRef(status === 'online');

  useEffect(() => {
    const subscribe = <E extends ApiEventName>(event: E): (() => void) =>
      api.on[event]((payload: EventPayload<E>) => {
        const effect = eventQueries[event];
        if ('mirror' in effect) queryClient.setQueryData<EventPayload<E>>(effect.mirror, payload);
        else for (const queryKey of effect.invalidate) void queryClient.invalidateQueries({ queryKey });
      });
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

/** The scheduler's decision, reasons and latest telemetry: first from `scheduler.get`, then from each `scheduler` event. */
export function useScheduler() {
  const { api } = useApiClient();
  return useQuery({
    queryKey: eventQueryKeys.scheduler,
    queryFn: async () => unwrap(await api.call['scheduler.get']({})),
  });
}
