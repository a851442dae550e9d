/** Entry point: builds the API client for this window's transport and renders the app. */
// First, before any module that creates a zod schema (see the file for why).
import './zod-config.js';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClientProvider } from './api/api-context.js';
import { isRetryable } from './api/api-error.js';
import { createClient } from './api/client.js';
import { App } from './app.js';
import './styles.css';

// The client is created before the first render: in headless mode it takes the token out of the
// address bar right away, before anything (the router included) reads the fragment.
const client = createClient();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Events keep the data fresh; refetching on focus would only duplicate them.
      refetchOnWindowFocus: false,
      staleTime: 30_000,
      retry: (failures, error) => failures < 2 && isRetryable(error),
    },
  },
});

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element.');

createRoot(root).render(
  <StrictMode>
    <ApiClientProvider client={client}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </ApiClientProvider>
  </StrictMode>,
);
