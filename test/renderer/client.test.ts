// The client's validation layer over a stand-in transport (named as such: it only replays what a
// provider could send, including what a broken or hostile one could).
import { describe, expect, it } from 'vitest';
import type { Status } from '../../common/api.js';
import { createValidatedApi as createApi } from '../../common/api-client.js';
import { ConnectionStore } from '../../renderer/api/connection.js';
import type { RawTransport } from '../../renderer/api/transport.js';

const status: Status = {
  version: '0.1.0',
  mode: 'headless',
  state: 'running',
  startedAt: 1_700_000_000_000,
  uptimeMs: 5000,
  dataDir: '/tmp/x',
  devices: null,
  workers: [],
  marketplace: null,
};

function standInTransport(reply: unknown) {
  const listeners = new Map<string, (payload: unknown) => void>();
  const calls: [string, unknown][] = [];
  const transport: RawTransport = {
    kind: 'http',
    connection: new ConnectionStore('online'),
    call: async (method, input) => {
      calls.push([method, input]);
      return reply;
    },
    subscribe: (event, listener) => {
      listeners.set(event, listener);
      return () => listeners.delete(event);
    },
  };
  return { transport, calls, emit: (event: string, payload: unknown) => listeners.get(event)?.(payload), listeners };
}

describe('createValidatedApi', () => {
  it('passes a valid reply through and calls the method by its contract name', async () => {
    const { transport, calls } = standInTransport({ ok: true, value: status });
    expect(await createApi(transport).call['status.get']({})).toEqual({ ok: true, value: status });
    expect(calls).toEqual([['status.get', {}]]);
  });

  it('turns a reply that breaks the contract into an error, never into data', async () => {
    for (const reply of [null, 'ok', { ok: true }, { ok: true, value: { ...status, state: 'pwned' } }, { ok: false, error: { code: 'nope', message: 1 } }]) {
      const { transport } = standInTransport(reply);
      const result = await createApi(transport).call['status.get']({});
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('internal');
    }
  });

  it('keeps the provider error envelope with its code and message', async () => {
    const error = { code: 'unauthorized', message: 'Missing or wrong dashboard token.' };
    const { transport } = standInTransport({ ok: false, error });
    expect(await createApi(transport).call['status.get']({})).toEqual({ ok: false, error });
  });

  it('delivers valid events, drops invalid ones, and unsubscribes', () => {
    const { transport, emit, listeners } = standInTransport(null);
    const seen: Status[] = [];
    const off = createApi(transport).on.status((s) => seen.push(s));
    emit('status', { ...status, uptimeMs: 6000 });
    emit('status', { ...status, uptimeMs: -1 });
    emit('status', '<img src=x onerror=alert(1)>');
    emit('status', { ...status, extra: 'dropped' });
    expect(seen.map((s) => s.uptimeMs)).toEqual([6000, 5000]);
    expect(seen[1]).not.toHaveProperty('extra');
    off();
    expect(listeners.size).toBe(0);
  });
});
