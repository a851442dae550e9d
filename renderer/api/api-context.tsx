/**
 * Hands the one ApiClient to the component tree, and exposes the provider's reachability as React
 * state.
 */
import { type ReactNode, createContext, useContext, useSyncExternalStore } from 'react';
import type { ApiClient } from './client.js';
import type { ConnectionState } from './connection.js';

const ApiClientContext = createContext<ApiClient | null>(null);

/** Makes `client` available to useApiClient below it. */
export function ApiClientProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiClientContext value={client}>{children}</ApiClientContext>;
}

/** The ApiClient given to the nearest ApiClientProvider. */
export function useApiClient(): ApiClient {
  const client = useContext(ApiClientContext);
  if (client === null) throw new Error('useApiClient needs an <ApiClientProvider> above it.');
  return client;
}

/** The current ConnectionState, re-rendering on every change. */
export function useConnection(): ConnectionState {
  const { connection } = useApiClient();
  return useSyncExternalStore(connection.subscribe, connection.get);
}
