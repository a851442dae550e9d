import type { z } from 'zod';
import { type ApiError, type ApiMethod, type ApiResult, type MethodOutput, apiMethods, isApiMethod } from '../../common/api.js';

/** The provider's implementation of every method in the contract. */
export type ApiHandlers = {
  [M in ApiMethod]: (input: z.output<(typeof apiMethods)[M]['input']>) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

/** A failure a handler means to report to the caller, with a stable code and a sentence for a person. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Transport-neutral entry point: validates the input, runs the handler, and never throws. */
export type Dispatch = (method: string, input: unknown) => Promise<ApiResult<unknown>>;

/** Builds the dispatcher every transport calls; `onError` sees unexpected handler errors. */
export function createDispatcher(handlers: ApiHandlers, onError: (method: string, err: unknown) => void): Dispatch {
  return async (method, input) => {
    if (!isApiMethod(method)) {
      return { ok: false, error: { code: 'unknown_method', message: `There is no API method named "${method.slice(0, 100)}".` } };
    }
    const parsed = apiMethods[method].input.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = (issue?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p));
      const where = path.length > 0 ? ` at ${path.join('.')}` : '';
      return {
        ok: false,
        error: { code: 'invalid_input', message: `Invalid input for ${method}${where}: ${issue?.message ?? 'rejected'}.`, path },
      };
    }
    try {
      const handler = handlers[method] as (input: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      if (err instanceof ApiFailure) return { ok: false, error: { code: err.code, message: err.message } };
      onError(method, err);
      return { ok: false, error: { code: 'internal', message: `${method} failed inside the provider; the log in the data folder has the details.` } };
    }
  };
}
