/**
 * The one contract between the renderer and the provider. Every transport (Electron IPC, headless
 * HTTP + Server-Sent Events) and the renderer's client are derived from these two tables; adding a
 * method here is the only step needed to expose it everywhere.
 */
import { z } from 'zod';
import { earningsMethods } from './api-earnings.js';
import { JobEnergy, energyMethods } from './api-energy.js';
import { schedulerEvents, schedulerMethods } from './api-scheduler.js';
import { settingsMethods } from './api-settings.js';
import { walletEvents, walletMethods } from './api-wallet.js';
import { Address, Amount, JobId, PayoutInfo } from './marketplace-protocol.js';
import { ExecutionProviderName, ProviderProbe, SandboxReport, Sha256Hex } from './worker-protocol.js';

/** Lifecycle of the provider core, as the dashboard shows it. */
export const ProviderState = z.enum(['starting', 'running', 'stopping', 'stopped']);
export type ProviderState = z.infer<typeof ProviderState>;

/** A compute device the worker detected (filled in by the worker issue; `null` until probed). */
export const Device = z.object({
  id: z.string().max(200),
  name: z.string().max(200),
  vendor: z.enum(['nvidia', 'amd', 'intel', 'apple', 'other']),
  vramBytes: z.number().int().nonnegative().nullable(),
});
export type Device = z.infer<typeof Device>;

/** One sandboxed worker process (one per device), as the dashboard shows it. */
export const WorkerStatus = z.object({
  deviceId: z.string().max(200),
  state: z.enum(['stopped', 'starting', 'ready', 'restarting', 'circuit-open', 'closing', 'closed']),
  pid: z.number().int().nullable(),
  /** The provider jobs run on: the first available in the device's preference order. */
  executionProvider: ExecutionProviderName.nullable(),
  executionProviders: z.array(ProviderProbe).max(6),
  sandbox: SandboxReport.nullable(),
  warmModels: z.array(Sha256Hex).max(1000),
  restarts: z.number().int().nonnegative(),
  quarantined: z.array(Sha256Hex).max(1000),
});
export type WorkerStatus = z.infer<typeof WorkerStatus>;

/** The provider's link to its marketplace (coordinator), as the dashboard shows it. */
export const MarketplaceStatus = z.object({
  /** The coordinator's provider endpoint, ws(s)://…/provider. */
  url: z.string().max(2048),
  /** The pinned coordinator address. */
  coordinator: Address,
  /** This provider's node address (its key signs receipts; credits go to it). */
  node: Address,
  /** 'local-demo': the embedded marketplace (a demand generator and a test chain on this machine). */
  kind: z.enum(['remote', 'local-demo']),
  state: z.enum(['connecting', 'connected', 'reconnecting', 'draining', 'stopped']),
  /** Results the coordinator acknowledged since the provider started. */
  jobsDone: z.number().int().nonnegative(),
  lastError: z.string().max(2000).nullable(),
  /** The chain, vault and token the coordinator pays in (from its last welcome); null: credits only, or not yet welcomed. */
  payout: PayoutInfo.nullable(),
});
export type MarketplaceStatus = z.infer<typeof MarketplaceStatus>;

/** A job's state in the ledger (provider/ledger/job-states.ts). */
export const JobState = z.enum(['offered', 'accepted', 'running', 'result_sent', 'failed', 'credited', 'rejected']);

/** One job from the ledger. Amounts are decimal strings of the token's base units; times epoch ms. */
export const JobItem = z.object({
  id: JobId,
  state: JobState,
  modelSha256: Sha256Hex,
  token: z.string().max(42),
  price: Amount,
  /** What the coordinator credited, once it did. */
  credited: Amount.nullable(),
  deviceId: z.string().max(200).nullable(),
  executionProvider: ExecutionProviderName.nullable(),
  runMs: z.number().nonnegative().nullable(),
  seq: z.number().int().positive().nullable(),
  failCode: z.string().max(64).nullable(),
  reason: z.string().max(2000).nullable(),
  offeredAt: z.number().int(),
  updatedAt: z.number().int(),
  /** Energy and its cost, once metered (docs/energy.md). */
  energy: JobEnergy.optional(),
});
export type JobItem = z.infer<typeof JobItem>;

/** A page of jobs, newest first; pass `nextCursor` back for the next (older) page. */
export const JobPage = z.object({ items: z.array(JobItem).max(200), nextCursor: z.string().max(40).nullable() });

/** Credited totals, one per token (amounts in different tokens never add up). */
export const EarningsSummary = z.object({
  totals: z.array(z.object({ token: z.string().max(42), credited: z.string().regex(/^(0|[1-9][0-9]*)$/).max(100), jobs: z.number().int().nonnegative() })).max(100),
});

/** What `status.get` returns and the `status` event carries. */
export const Status = z.object({
  version: z.string().max(50),
  mode: z.enum(['desktop', 'headless']),
  state: ProviderState,
  startedAt: z.number().int().nonnegative(),
  uptimeMs: z.number().int().nonnegative(),
  dataDir: z.string().max(4096),
  devices: z.array(Device).max(64).nullable(),
  workers: z.array(WorkerStatus).max(64),
  /** Null when no marketplace is configured. */
  marketplace: MarketplaceStatus.nullable(),
});
export type Status = z.infer<typeof Status>;

const NoInput = z.object({}).strict();

/** Every method: name → zod input and output. */
export const apiMethods = {
  'status.get': { input: NoInput, output: Status },
  /** Jobs from the ledger, newest first, a page at a time. */
  'jobs.list': {
    input: z.object({ cursor: z.string().max(40).nullable().optional(), limit: z.number().int().min(1).max(200).optional() }).strict(),
    output: JobPage,
  },
  /** What the coordinator has credited, by token. */
  'earnings.summary': { input: NoInput, output: EarningsSummary },
  ...earningsMethods,
  ...walletMethods,
  ...schedulerMethods,
  ...settingsMethods,
  ...energyMethods,
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

/** Every event pushed from the provider to the renderer: name → zod payload. */
export const apiEvents = {
  status: Status,
  ...walletEvents,
  ...schedulerEvents,
} as const satisfies Record<string, z.ZodType>;

export type ApiMethod = keyof typeof apiMethods;
export type ApiEventName = keyof typeof apiEvents;
export type MethodInput<M extends ApiMethod> = z.input<(typeof apiMethods)[M]['input']>;
export type MethodOutput<M extends ApiMethod> = z.output<(typeof apiMethods)[M]['output']>;
export type EventPayload<E extends ApiEventName> = z.output<(typeof apiEvents)[E]>;
export type ApiEvent = { [E in ApiEventName]: { name: E; payload: EventPayload<E> } }[ApiEventName];

/** Stable error codes a handler or transport may return; the UI and tests key on these. */
export const ApiErrorCode = z.enum([
  'unknown_method',
  'invalid_input',
  'unauthorized',
  'forbidden',
  'payload_too_large',
  'unavailable',
  'internal',
  'wrong_passphrase',
  'passphrase_required',
  'weak_passphrase',
  'wallet_exists',
  'no_wallet',
  'wallet_locked',
  'wallet_file_invalid',
  'invalid_key',
  'invalid_address',
  'policy_refused',
  'no_payout_chain',
  'rpc_unavailable',
  'insufficient_gas',
  'claim_refused',
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;

export const ApiError = z.object({
  code: ApiErrorCode,
  message: z.string().max(2000),
  path: z.array(z.union([z.string(), z.number()])).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

/** The envelope every method returns over every transport. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Validates an envelope received as `unknown`, checking the value against `output`. */
export function parseApiResult<T>(raw: unknown, output: z.ZodType<T>): ApiResult<T> {
  const envelope = z
    .union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: ApiError })])
    .safeParse(raw);
  if (!envelope.success) {
    return { ok: false, error: { code: 'internal', message: 'The provider sent a malformed reply.' } };
  }
  if (!envelope.data.ok) return envelope.data;
  const value = output.safeParse(envelope.data.value);
  if (!value.success) {
    return { ok: false, error: { code: 'internal', message: 'The provider sent a reply that does not match the API contract.' } };
  }
  return { ok: true, value: value.data };
}

/** The object a transport hands the renderer: one function per method, one subscriber per event. */
export type HearthApi = {
  call: { [M in ApiMethod]: (input: MethodInput<M>) => Promise<ApiResult<MethodOutput<M>>> };
  on: { [E in ApiEventName]: (listener: (payload: EventPayload<E>) => void) => () => void };
};

/** Largest request body or IPC payload, in bytes, that any transport accepts. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export const apiMethodNames = Object.keys(apiMethods) as ApiMethod[];
export const apiEventNames = Object.keys(apiEvents) as ApiEventName[];

/** True when `name` is a method of the contract (own property, not inherited). */
export function isApiMethod(name: string): name is ApiMethod {
  return Object.hasOwn(apiMethods, name);
}
