/** The wallet's API reads and actions as TanStack Query hooks; every action refreshes what it changes. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiResult, MethodInput, MethodOutput } from '../../common/api.js';
import { useApiClient } from '../api/api-context.js';
import { unwrap } from '../api/api-error.js';

export const walletKeys = { status: ['wallet.status'], claims: ['claim.list'] } as const;

/** `wallet.status`, refreshed every 10 s (balances move on chain without an event). */
export function useWalletStatus() {
  const { api } = useApiClient();
  return useQuery({ queryKey: walletKeys.status, queryFn: async () => unwrap(await api.call['wallet.status']({})), refetchInterval: 10_000 });
}

/** The claim history, newest first. */
export function useClaims() {
  const { api } = useApiClient();
  return useQuery({ queryKey: walletKeys.claims, queryFn: async () => unwrap(await api.call['claim.list']({ limit: 50 })) });
}

/** create / import / unlock / lock / setRecipient, each refreshing the wallet status afterwards. */
export function useWalletAction<M extends 'wallet.create' | 'wallet.import' | 'wallet.unlock' | 'wallet.lock' | 'wallet.setRecipient'>(method: M) {
  const { api } = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: MethodInput<M>) => {
      const call = api.call[method] as unknown as (i: MethodInput<M>) => Promise<ApiResult<MethodOutput<M>>>;
      return unwrap(await call(input));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: walletKeys.status }),
  });
}

/** `claim.preview`: every voucher check, the simulation and the gas estimate; sends nothing. */
export function useClaimPreview() {
  const { api } = useApiClient();
  return useMutation({ mutationFn: async () => unwrap(await api.call['claim.preview']({})) });
}

/** `wallet.exportKey`: the private key, against the passphrase. */
export function useExportKey() {
  const { api } = useApiClient();
  return useMutation({ mutationFn: async (passphrase: string) => unwrap(await api.call['wallet.exportKey']({ passphrase })) });
}
