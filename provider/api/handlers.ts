import type { Status } from '../../common/api.js';
import type { ApiHandlers } from './dispatch.js';

/** What the handlers need from the provider core. */
export type HandlerContext = {
  status: () => Status;
};

/** The provider's implementation of the API contract; later features add their methods here. */
export function createHandlers(ctx: HandlerContext): ApiHandlers {
  return {
    'status.get': () => ctx.status(),
  };
}
