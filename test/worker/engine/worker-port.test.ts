/** The worker's port keeps what the supervisor sends while worker.js is still loading its controller. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { FromWorker } from '../../../common/worker-protocol.js';
import { type WorkerPort, bufferedPort } from '../../../worker/engine/worker-port.js';

function channel(): { port: WorkerPort; events: EventEmitter; sent: FromWorker[] } {
  const events = new EventEmitter();
  const sent: FromWorker[] = [];
  const port: WorkerPort = {
    send: (message) => void sent.push(message),
    onMessage: (listener) => void events.on('message', listener),
    onDisconnect: (listener) => void events.on('disconnect', listener),
    flush: () => Promise.resolve(),
  };
  return { port, events, sent };
}

describe('bufferedPort', () => {
  it('delivers messages that came before the listener, in order, then the rest as they come', () => {
    const { port, events } = channel();
    const buffered = bufferedPort(port);
    events.emit('message', { type: 'init' });
    events.emit('message', { type: 'call', id: 1 });
    const seen: unknown[] = [];
    buffered.onMessage((message) => seen.push(message));
    expect(seen).toEqual([{ type: 'init' }, { type: 'call', id: 1 }]);
    events.emit('message', { type: 'shutdown' });
    expect(seen).toEqual([{ type: 'init' }, { type: 'call', id: 1 }, { type: 'shutdown' }]);
  });

  it('tells a late listener that the supervisor already went away', () => {
    const { port, events } = channel();
    const buffered = bufferedPort(port);
    events.emit('disconnect');
    let told = 0;
    buffered.onDisconnect(() => told++);
    expect(told).toBe(1);
  });

  it('sends through the underlying port', () => {
    const { port, sent } = channel();
    bufferedPort(port).send({ type: 'log', level: 'info', msg: 'hello' });
    expect(sent).toEqual([{ type: 'log', level: 'info', msg: 'hello' }]);
  });
});
