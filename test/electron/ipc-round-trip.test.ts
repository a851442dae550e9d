/**
 * The preload's API object wired to the main-side wrapper through a fake IPC pipe that
 * structured-clones every message, as Electron does: the whole renderer → main → provider path.
 */
import { describe, expect, it } from 'vitest';
import type { ApiEvent, Status } from '../../common/api.js';
import { forwardEvents, registerApi, type SenderFrame } from '../../electron/ipc.js';
import { buildPreloadApi } from '../../electron/preload-api.js';
import { createDispatcher } from '../../provider/api/dispatch.js';
import { FakeIpcMain, FakeIpcRenderer, FakeWebContents, fakeFrame } from './fakes.js';
import { sampleHandlers } from '../provider/sample-handlers.js';
import { sampleStatus } from '../helpers/sample-status.js';

const STATUS = sampleStatus();

function wire(frame: SenderFrame | null) {
  const ipcMain = new FakeIpcMain();
  registerApi(ipcMain, createDispatcher(sampleHandlers({ 'status.get': () => STATUS }), () => undefined));
  const ipcRenderer = new FakeIpcRenderer(async (channel, ...args) => structuredClone(await ipcMain.invoke(channel, frame, ...structuredClone(args))));
  const contents = new FakeWebContents();
  contents.send = (channel, ...args) => ipcRenderer.deliver(channel, ...structuredClone(args));
  return { api: buildPreloadApi(ipcRenderer), contents };
}

describe('preload ↔ main over IPC', () => {
  it('answers a call from the app window with a checked Status', async () => {
    const { api } = wire(fakeFrame('app://hearth/index.html'));
    expect(await api.call['status.get']({})).toEqual({ ok: true, value: STATUS });
  });

  it('refuses the same call from a subframe', async () => {
    const { api } = wire(fakeFrame('app://hearth/x.html', fakeFrame('app://hearth/index.html')));
    expect(await api.call['status.get']({})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses input the schema does not allow', async () => {
    const { api } = wire(fakeFrame('app://hearth/index.html'));
    const sneaky = { extra: 'field' } as unknown as Record<string, never>;
    expect(await api.call['status.get'](sneaky)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('carries provider events to a subscriber', () => {
    const { api, contents } = wire(fakeFrame('app://hearth/index.html'));
    const listeners = new Set<(event: ApiEvent) => void>();
    forwardEvents((listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    }, contents);
    const got: Status[] = [];
    api.on.status((status) => got.push(status));
    for (const listener of listeners) listener({ name: 'status', payload: STATUS });
    expect(got).toEqual([STATUS]);
  });
});
