import { describe, expect, it } from 'vitest';
import { type ApiEvent, MAX_REQUEST_BYTES, apiMethodNames } from '../../common/api.js';
import { EVENT_CHANNEL, apiChannel } from '../../electron/ipc-channels.js';
import { forwardEvents, isTrustedSender, registerApi } from '../../electron/ipc.js';
import { createDispatcher } from '../../provider/api/dispatch.js';
import { FakeIpcMain, FakeWebContents, fakeFrame } from './fakes.js';
import { sampleHandlers } from '../provider/sample-handlers.js';
import { sampleStatus } from '../helpers/sample-status.js';

const STATUS = sampleStatus();

const APP = fakeFrame('app://hearth/index.html');
const STATUS_CHANNEL = apiChannel('status.get');

function setup() {
  const ipcMain = new FakeIpcMain();
  const calls: unknown[] = [];
  const dispatch = createDispatcher(
    sampleHandlers({
      'status.get': (input) => {
        calls.push(input);
        return STATUS;
      },
    }),
    () => undefined,
  );
  const unregister = registerApi(ipcMain, dispatch);
  return { ipcMain, calls, unregister };
}

describe('registerApi', () => {
  it('registers one channel per method of the contract, and nothing else', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(apiMethodNames.map((m) => `hearth:api:${m}`).sort());
  });

  it('answers a call from the app window', async () => {
    const { ipcMain, calls } = setup();
    expect(await ipcMain.invoke(STATUS_CHANNEL, APP, {})).toEqual({ ok: true, value: STATUS });
    expect(calls).toEqual([{}]);
  });

  it.each([
    ['a missing sender frame', null],
    ['a foreign https page', fakeFrame('https://evil.io/')],
    ['a file page', fakeFrame('file:///home/someone/index.html')],
    ['a look-alike app host', fakeFrame('app://hearth.evil/index.html')],
    ['a subframe of the app', fakeFrame('app://hearth/frame.html', APP)],
    ['a detached frame', fakeFrame('app://hearth/index.html', null, true)],
  ])('refuses %s without reaching the provider', async (_label, frame) => {
    const { ipcMain, calls } = setup();
    const result = await ipcMain.invoke(STATUS_CHANNEL, frame, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls).toEqual([]);
  });

  it('refuses when reading the sender frame throws', async () => {
    const { ipcMain } = setup();
    const handler = ipcMain.handlers.get(STATUS_CHANNEL)!;
    const event = {
      get senderFrame(): never {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    expect(await handler(event, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses a payload over the size limit before validating it', async () => {
    const { ipcMain, calls } = setup();
    const result = await ipcMain.invoke(STATUS_CHANNEL, APP, { pad: 'x'.repeat(MAX_REQUEST_BYTES) });
    expect(result).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    expect(calls).toEqual([]);
  });

  it('lets a payload of exactly the limit through to validation', async () => {
    const { ipcMain } = setup();
    const overhead = JSON.stringify({ pad: '' }).length;
    const payload = { pad: 'x'.repeat(MAX_REQUEST_BYTES - overhead) };
    expect(JSON.stringify(payload).length).toBe(MAX_REQUEST_BYTES);
    expect(await ipcMain.invoke(STATUS_CHANNEL, APP, payload)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('refuses a small message that shares one subtree into a huge one', async () => {
    const { ipcMain } = setup();
    const chunk = ['x'.repeat(1000)];
    const bomb = { a: Array.from({ length: 10_000 }, () => chunk) };
    expect(await ipcMain.invoke(STATUS_CHANNEL, APP, bomb)).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  });

  it.each([
    ['a bigint', { n: 1n }],
    ['a Map', new Map([['a', 1]])],
    ['a Date', new Date(0)],
    ['a typed array', new Uint8Array(4)],
    ['NaN', { n: Number.NaN }],
  ])('refuses %s as invalid input', async (_label, payload) => {
    const { ipcMain, calls } = setup();
    expect(await ipcMain.invoke(STATUS_CHANNEL, APP, payload)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(calls).toEqual([]);
  });

  it('refuses a cyclic payload as invalid input', async () => {
    const { ipcMain } = setup();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await ipcMain.invoke(STATUS_CHANNEL, APP, cyclic)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it.each([
    ['an unknown field', { admin: true }, []],
    ['a string', 'status', []],
    ['nothing', undefined, []],
  ])('passes %s to the schema, which refuses it with a path', async (_label, payload, path) => {
    const { ipcMain, calls } = setup();
    const result = await ipcMain.invoke(STATUS_CHANNEL, APP, payload);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', path } });
    if (!result.ok) expect(result.error.message).toContain('status.get');
    expect(calls).toEqual([]);
  });

  it('turns a dispatcher that breaks its promise into an internal error', async () => {
    const ipcMain = new FakeIpcMain();
    registerApi(ipcMain, () => Promise.reject(new Error('boom')));
    expect(await ipcMain.invoke(STATUS_CHANNEL, APP, {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('uses the trust check it is given', async () => {
    const ipcMain = new FakeIpcMain();
    registerApi(ipcMain, async () => ({ ok: true, value: 1 }), () => false);
    expect(await ipcMain.invoke(STATUS_CHANNEL, APP, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('removes its handlers when undone', () => {
    const { ipcMain, unregister } = setup();
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('isTrustedSender', () => {
  it('trusts only a live top frame on app://hearth', () => {
    expect(isTrustedSender(APP)).toBe(true);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender(fakeFrame('app://hearth/x', APP))).toBe(false);
    expect(isTrustedSender(fakeFrame('app://hearth/x', null, true))).toBe(false);
    expect(isTrustedSender(fakeFrame('devtools://devtools/bundled/inspector.html'))).toBe(false);
  });
});

describe('forwardEvents', () => {
  const event: ApiEvent = { name: 'status', payload: STATUS };

  function source() {
    const listeners = new Set<(event: ApiEvent) => void>();
    return {
      listeners,
      subscribe: (listener: (event: ApiEvent) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      emit: (e: ApiEvent) => {
        for (const listener of [...listeners]) listener(e);
      },
    };
  }

  it('sends every event as (name, payload) on the event channel until undone', () => {
    const events = source();
    const contents = new FakeWebContents();
    const stop = forwardEvents(events.subscribe, contents);
    events.emit(event);
    expect(contents.sent).toEqual([[EVENT_CHANNEL, 'status', STATUS]]);
    stop();
    events.emit(event);
    expect(contents.sent).toHaveLength(1);
    expect(events.listeners.size).toBe(0);
  });

  it('stops by itself once the window is gone', async () => {
    const events = source();
    const contents = new FakeWebContents();
    forwardEvents(events.subscribe, contents);
    contents.destroyed = true;
    events.emit(event);
    await Promise.resolve();
    expect(contents.sent).toEqual([]);
    expect(events.listeners.size).toBe(0);
  });
});
