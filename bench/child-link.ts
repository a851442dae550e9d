/**
 * The bench's own helper processes (bench/children.ts): started from out/main/bench.js with `--child
 * <name>`, they talk to the bench over an IPC channel — one `ready` message when they serve, then one
 * reply per request, matched by id.
 */
import { type ChildProcess, fork } from 'node:child_process';

/** A message from a child: its `ready` announcement, or the reply to request `id`. */
export type ChildMessage = { type: 'ready'; value: unknown } | { type: 'reply'; id: number; ok: true; value: unknown } | { type: 'reply'; id: number; ok: false; error: string };

/** A started child and how to talk to it. */
export type BenchChild = {
  process: ChildProcess;
  /** What the child announced once it served. */
  ready: unknown;
  /** Sends a request and resolves with the child's answer. */
  ask: (request: object) => Promise<unknown>;
  /** Ends the child (it disconnects; SIGKILL after `graceMs`). */
  stop: (graceMs?: number) => Promise<void>;
};

/** Starts `node benchEntry --child name ...args` and waits for its `ready` message. */
export async function startChild(benchEntry: string, name: string, args: readonly string[] = [], execArgv: readonly string[] = []): Promise<BenchChild> {
  const child = fork(benchEntry, ['--child', name, ...args], {
    execArgv: [...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<unknown>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`bench child ${name} exited (${code ?? signal}) before it was ready`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') return resolve(message.value);
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(new Error(`bench child ${name}: ${message.error}`));
    });
  });
  child.once('exit', () => {
    for (const pending of waiting.values()) pending.reject(new Error(`bench child ${name} exited`));
    waiting.clear();
  });
  return {
    process: child,
    ready,
    ask: (request) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        child.send({ ...request, id });
      }),
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** In a child: announces `value` as ready and answers each request with `serve` until the bench disconnects. */
export function serveBench(value: unknown, serve: (request: { id: number } & Record<string, unknown>) => Promise<unknown>, onDisconnect: () => Promise<void>): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (request: { id: number } & Record<string, unknown>) => {
    serve(request).then(
      (answer) => send({ type: 'reply', id: request.id, ok: true, value: answer }),
      (error: unknown) => send({ type: 'reply', id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.once('disconnect', () => {
    onDisconnect().finally(() => process.exit(0));
  });
  send({ type: 'ready', value });
}
