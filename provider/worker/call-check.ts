/**
 * What the supervisor checks before a call reaches any worker: that it is taking calls, the request's
 * shape, the model's quarantine, and (for runs) the input caps.
 */
import type { WorkerError, WorkerLimits, WorkerMethod, WorkerParams } from '../../common/worker-protocol.js';
import { workerMethods } from '../../common/worker-protocol.js';
import { inputCapsProblem } from './input-caps.js';
import type { WorkerCallResult } from './pending-calls.js';
import type { Quarantine } from './quarantine.js';
import type { SupervisorState } from './supervisor-types.js';

export type CallContext = {
  state: SupervisorState;
  circuitOpenUntil: number | null;
  quarantine: Quarantine;
  limits: WorkerLimits;
  now: number;
};

/** The validated params to send, or why the call is refused. */
export function checkCall(method: WorkerMethod, params: unknown, context: CallContext): WorkerCallResult<unknown> {
  const refuse = (code: WorkerError['code'], message: string) => ({ ok: false as const, error: { code, message } });
  if (context.state === 'closing' || context.state === 'closed') return refuse('worker_unavailable', 'The worker is stopped.');
  if (context.state === 'stopped') return refuse('worker_unavailable', 'The worker has not been started.');
  if (context.state === 'circuit-open') {
    const at = new Date(context.circuitOpenUntil ?? context.now).toISOString();
    return refuse('worker_unavailable', `The worker crashed repeatedly and is paused; it will be tried again at ${at}.`);
  }
  const parsed = workerMethods[method].params.safeParse(params);
  if (!parsed.success) return refuse('input_invalid', `Invalid ${method} request: ${parsed.error.issues[0]?.message ?? 'bad params'}.`);
  const quarantined = quarantineRefusal(method, modelOf(method, parsed.data), context.quarantine, context.now);
  if (quarantined) return { ok: false, error: quarantined };
  if (method === 'run') {
    const problem = inputCapsProblem((parsed.data as WorkerParams<'run'>).inputs, context.limits);
    if (problem) return { ok: false, error: problem };
  }
  return { ok: true, value: parsed.data };
}

/** `model_quarantined` when the call would load or run a quarantined model, else null. */
export function quarantineRefusal(method: WorkerMethod, model: string | null, quarantine: Quarantine, now: number): WorkerError | null {
  if (model === null || method === 'evict' || !quarantine.isQuarantined(model, now)) return null;
  return { code: 'model_quarantined', message: `Model ${model.slice(0, 8)}… crashed or timed out the worker twice and is refused for now.` };
}

/** The model a call loads or runs (or evicts), or null. */
export function modelOf(method: WorkerMethod, params: unknown): string | null {
  if (typeof params !== 'object' || params === null) return null;
  if (method === 'run') {
    const model = (params as { model?: { sha256?: unknown } }).model;
    return typeof model?.sha256 === 'string' ? model.sha256 : null;
  }
  const sha256 = (params as { sha256?: unknown }).sha256;
  return typeof sha256 === 'string' ? sha256 : null;
}
