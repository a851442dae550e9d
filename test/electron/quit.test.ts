import { describe, expect, it } from 'vitest';
import { createBeforeQuitHandler } from '../../electron/quit.js';
import { FakeEvent } from './fakes.js';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(shutdown: () => Promise<void>, deadlineMs = 1_000) {
  const log: string[] = [];
  const errors: unknown[] = [];
  const handler = createBeforeQuitHandler(
    async () => {
      log.push('shutdown');
      await shutdown();
      log.push('shutdown done');
    },
    () => log.push('quit'),
    (err) => errors.push(err),
    deadlineMs,
  );
  const beforeQuit = () => {
    const event = new FakeEvent();
    handler(event);
    return event.defaultPrevented;
  };
  return { log, errors, beforeQuit };
}

describe('createBeforeQuitHandler', () => {
  it('holds the quit until shutdown has finished, then quits once', async () => {
    let finish = () => undefined as void;
    const { log, beforeQuit } = setup(() => new Promise<void>((resolve) => (finish = resolve)));
    expect(beforeQuit()).toBe(true);
    await tick();
    expect(beforeQuit()).toBe(true);
    expect(log).toEqual(['shutdown']);
    finish();
    await tick();
    expect(log).toEqual(['shutdown', 'shutdown done', 'quit']);
    expect(beforeQuit()).toBe(false);
    expect(log.filter((l) => l === 'shutdown')).toHaveLength(1);
  });

  it('still quits when shutdown fails, and reports why', async () => {
    const { log, errors, beforeQuit } = setup(() => Promise.reject(new Error('disk gone')));
    beforeQuit();
    await tick();
    expect(log).toEqual(['shutdown', 'quit']);
    expect(String(errors[0])).toContain('disk gone');
  });

  it('quits anyway once the deadline passes', async () => {
    const { log, errors, beforeQuit } = setup(() => new Promise<void>(() => undefined), 20);
    beforeQuit();
    await tick(60);
    expect(log).toEqual(['shutdown', 'quit']);
    expect(String(errors[0])).toMatch(/longer than 20 ms/);
  });
});
