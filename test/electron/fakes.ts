/**
 * Fakes of the Electron objects the shell's policy functions take — only because the Electron binary
 * cannot run here. Each is an EventEmitter with the few methods the code under test calls.
 */
import { EventEmitter } from 'node:events';
import type { ApiResult } from '../../common/api.js';
import type { InvokeEvent, IpcMainLike, SenderFrame } from '../../electron/ipc.js';

/** An Electron-style event whose preventDefault is recorded. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** A fake WebContents: navigation events, a window-open handler, and sent messages. */
export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  readonly sent: unknown[][] = [];
  destroyed = false;

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }

  /** Emits a navigation-type event for `url`; true when a listener prevented it. */
  navigate(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', url: string): boolean {
    const e = new FakeEvent(url);
    this.emit(event, e);
    return e.defaultPrevented;
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }
}

/** A fake WebFrameMain: a URL and a parent (null for the top frame). */
export function fakeFrame(url: string, parent: SenderFrame | null = null, detached = false): SenderFrame {
  return { url, parent, detached };
}

type Handler = (event: InvokeEvent, ...args: unknown[]) => Promise<ApiResult<unknown>>;

/** A fake ipcMain that keeps the registered handlers so a test can invoke them. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** Calls the handler on `channel` as if `frame` had sent `args`; rejects like Electron when none. */
  async invoke(channel: string, frame: SenderFrame | null, ...args: unknown[]): Promise<ApiResult<unknown>> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: frame }, ...args);
  }
}

type RendererListener = (event: unknown, ...args: unknown[]) => void;

/** A fake ipcRenderer: `invoke` goes to `onInvoke`; `deliver` plays a message from main. */
export class FakeIpcRenderer extends EventEmitter {
  readonly invocations: unknown[][] = [];
  readonly fakeIpcEvent: { sender: FakeIpcRenderer; ports: never[] } = { sender: this, ports: [] };

  constructor(private readonly onInvoke: (channel: string, ...args: unknown[]) => Promise<unknown>) {
    super();
  }

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invocations.push([channel, ...args]);
    return this.onInvoke(channel, ...args);
  }

  override on(channel: string, listener: RendererListener): this {
    return super.on(channel, listener);
  }

  override removeListener(channel: string, listener: RendererListener): this {
    return super.removeListener(channel, listener);
  }

  /** Delivers a message from main on `channel`, with the IPC event object first as Electron does. */
  deliver(channel: string, ...args: unknown[]): void {
    this.emit(channel, this.fakeIpcEvent, ...args);
  }
}
