import { describe, expect, it } from 'vitest';
import { apiEventNames, apiMethodNames } from '../../common/api.js';
import { EVENT_CHANNEL } from '../../electron/ipc-channels.js';
import { buildPreloadApi } from '../../electron/preload-api.js';
import { FakeIpcRenderer } from './fakes.js';
import { sampleStatus } from '../helpers/sample-status.js';

const STATUS = sampleStatus();

function setup(reply: (channel: string, ...args: unknown[]) => Promise<unknown> = async () => ({ ok: true, value: STATUS })) {
  const ipc = new FakeIpcRenderer(reply);
  return { ipc, api: buildPreloadApi(ipc) };
}

/** Every value reachable from `root` through own properties. */
function reachable(root: unknown): unknown[] {
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) visit(Reflect.get(value, key));
  };
  visit(root);
  return [...seen];
}

describe('buildPreloadApi: shape', () => {
  it('holds exactly call and on', () => {
    const { api } = setup();
    expect(Reflect.ownKeys(api).sort()).toEqual(['call', 'on']);
  });

  it('has one function per method and one subscriber per event, no more', () => {
    const { api } = setup();
    expect(Reflect.ownKeys(api.call).sort()).toEqual([...apiMethodNames].sort());
    expect(Reflect.ownKeys(api.on).sort()).toEqual([...apiEventNames].sort());
    for (const fn of [...Object.values(api.call), ...Object.values(api.on)]) expect(typeof fn).toBe('function');
  });

  it('cannot be changed by the page', () => {
    const { api } = setup();
    expect(Object.isFrozen(api) && Object.isFrozen(api.call) && Object.isFrozen(api.on)).toBe(true);
  });

  it('reaches neither ipcRenderer nor anything but its own functions', () => {
    const { ipc, api } = setup();
    const values = reachable(api);
    expect(values).not.toContain(ipc);
    expect(values.some((v) => typeof v === 'object' && v !== null && 'invoke' in v)).toBe(false);
    const functions = values.filter((v) => typeof v === 'function');
    expect(functions).toHaveLength(apiMethodNames.length + apiEventNames.length);
  });
});

describe('buildPreloadApi: calls', () => {
  it('invokes the method on its own channel with the input', async () => {
    const { ipc, api } = setup();
    const result = await api.call['status.get']({});
    expect(ipc.invocations).toEqual([['hearth:api:status.get', {}]]);
    expect(result).toEqual({ ok: true, value: STATUS });
  });

  it('passes error envelopes through', async () => {
    const error = { code: 'forbidden', message: 'no' };
    const { api } = setup(async () => ({ ok: false, error }));
    expect(await api.call['status.get']({})).toEqual({ ok: false, error });
  });

  it('turns a reply that breaks the contract into an internal error', async () => {
    const { api } = setup(async () => ({ ok: true, value: { ...STATUS, state: 'exploded' } }));
    expect(await api.call['status.get']({})).toMatchObject({ ok: false, error: { code: 'internal' } });
    const { api: garbled } = setup(async () => 'hello');
    expect(await garbled.call['status.get']({})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('never rejects: an unanswered call is unavailable', async () => {
    const { api } = setup(() => Promise.reject(new Error("No handler registered for 'hearth:api:status.get'")));
    expect(await api.call['status.get']({})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});

describe('buildPreloadApi: events', () => {
  it('delivers the payload of its own event only, without the IPC event object', () => {
    const { ipc, api } = setup();
    const got: unknown[][] = [];
    api.on.status((...args: unknown[]) => got.push(args));
    ipc.deliver(EVENT_CHANNEL, 'status', STATUS);
    ipc.deliver(EVENT_CHANNEL, 'something-else', STATUS);
    ipc.deliver(EVENT_CHANNEL, 'toString', STATUS);
    ipc.deliver('hearth:other', 'status', STATUS);
    expect(got).toEqual([[STATUS]]);
  });

  it('drops a payload that breaks the contract', () => {
    const { ipc, api } = setup();
    const got: unknown[] = [];
    api.on.status((payload) => got.push(payload));
    ipc.deliver(EVENT_CHANNEL, 'status', { ...STATUS, uptimeMs: -1 });
    expect(got).toEqual([]);
  });

  it('stops delivering on unsubscribe and lets go of ipcRenderer when nobody listens', () => {
    const { ipc, api } = setup();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const stopFirst = api.on.status((p) => first.push(p));
    const stopSecond = api.on.status((p) => second.push(p));
    expect(ipc.listenerCount(EVENT_CHANNEL)).toBe(1);
    stopFirst();
    stopFirst();
    ipc.deliver(EVENT_CHANNEL, 'status', STATUS);
    expect(first).toEqual([]);
    expect(second).toEqual([STATUS]);
    stopSecond();
    expect(ipc.listenerCount(EVENT_CHANNEL)).toBe(0);
  });

  it('keeps delivering to others when one listener throws', async () => {
    const { ipc, api } = setup();
    const got: unknown[] = [];
    const thrown: unknown[] = [];
    const onError = (err: unknown) => thrown.push(err);
    process.on('uncaughtException', onError);
    try {
      api.on.status(() => {
        throw new Error('listener broke');
      });
      api.on.status((p) => got.push(p));
      ipc.deliver(EVENT_CHANNEL, 'status', STATUS);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(got).toEqual([STATUS]);
    expect(String(thrown[0])).toContain('listener broke');
  });

  it('refuses a listener that is not a function', () => {
    const { api } = setup();
    expect(() => api.on.status('alert(1)' as unknown as () => void)).toThrow(TypeError);
  });
});
