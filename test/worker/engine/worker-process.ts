/**
 * The built worker (out/main/worker.js) as a real child process, forked the way the headless launcher
 * forks it (IPC channel, advanced serialization). Every message it sends is checked against the
 * contract (FromWorker), so a test fails if the worker ever speaks outside it.
 */
import { type ChildProcess, type StdioOptions, fork, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { FromWorker, type WorkerConfig, type WorkerInfo, type WorkerMethod, type WorkerReply } from '../../../common/worker-protocol.js';
import type { z } from 'zod';
import { WORKER_ENTRY } from './worker-fixtures.js';

export type Reply = z.infer<typeof WorkerReply>;

export type WorkerProcess = {
  child: ChildProcess;
  /** Every message received so far, validated. */
  messages: FromWorker[];
  /** The `ready` message's info. */
  ready: Promise<WorkerInfo>;
  call: (method: WorkerMethod, params: unknown) => Promise<Reply>;
  send: (message: unknown) => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
};

/**
 * Forks the built worker; with a config, sends `init` at once. `wrapper` runs it under another command
 * (e.g. prlimit) that execs Node, as the headless launcher does.
 */
export function startWorker(config: WorkerConfig | null, options: { env?: NodeJS.ProcessEnv; wrapper?: string[] } = {}): WorkerProcess {
  if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: run \`npx electron-vite build\` first.`);
  const env = options.env ?? { ...process.env, ORT_DISABLE_TELEMETRY: '1' };
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'ipc'];
  const child =
    options.wrapper === undefined
      ? fork(WORKER_ENTRY, [], { serialization: 'advanced', stdio, env })
      : spawn(options.wrapper[0]!, [...options.wrapper.slice(1), process.execPath, WORKER_ENTRY], { serialization: 'advanced', stdio, env });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const messages: FromWorker[] = [];
  const waiting = new Map<number, (reply: Reply) => void>();
  let readyResolve: (info: WorkerInfo) => void = () => {};
  const ready = new Promise<WorkerInfo>((resolve) => (readyResolve = resolve));
  child.on('message', (raw: unknown) => {
    const message = FromWorker.parse(raw);
    messages.push(message);
    if (message.type === 'ready') readyResolve(message.info);
    if (message.type === 'reply') waiting.get(message.id)?.(message.reply);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let nextId = 1;
  const send = (message: unknown) => child.send(message as object);
  const call = (method: WorkerMethod, params: unknown) =>
    new Promise<Reply>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, resolve);
      void exited.then(({ code, signal }) => reject(new Error(`worker exited (${code ?? signal}) before answering call ${id}\n${stderr}`)));
      send({ type: 'call', id, method, params });
    });
  if (config !== null) send({ type: 'init', config });
  return { child, messages, ready, call, send, exited, stderr: () => stderr };
}

/** The value of a successful reply (fails the test with the error otherwise). */
export function valueOf<T>(reply: Reply): T {
  if (!reply.ok) throw new Error(`worker answered ${reply.error.code}: ${reply.error.message}`);
  return reply.value as T;
}

/** Whether a process id is alive (a zombie, dead but not yet reaped by its new parent, is not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; the state after the last ')' is Z for a zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}
