import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `hearth` command as installed (bin/hearth.js running the built out/main/cli.js). */
export const HEARTH_BIN = fileURLToPath(new URL('../../bin/hearth.js', import.meta.url));

export type HearthProcess = {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the dashboard address once `hearth start` prints it. */
  dashboardUrl: () => Promise<string>;
  exited: Promise<number | null>;
};

/** Starts `hearth` with `args` as a real child process. */
export function spawnHearth(args: string[], env: NodeJS.ProcessEnv = process.env): HearthProcess {
  const child = spawn(process.execPath, [HEARTH_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const dashboardUrl = () =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
        if (match) return resolve(match[1]!);
      };
      child.stdout!.on('data', check);
      check();
      void exited.then((code) => reject(new Error(`hearth exited with ${code} before printing a dashboard address:\n${out}\n${err}`)));
    });
  return { child, stdout: () => out, stderr: () => err, dashboardUrl, exited };
}

/** Runs `hearth` to completion and returns its exit code and output. */
export async function runHearth(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawnHearth(args, env);
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Polls until `read` returns a value (not null), or fails with what `proc` printed when it exits or time runs out. */
export async function waitForHearth<T>(read: () => T | null | Promise<T | null>, what: string, proc: HearthProcess, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    if (proc.child.exitCode !== null || Date.now() > until) throw new Error(`No ${what}.\nstdout:\n${proc.stdout()}\nstderr:\n${proc.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Calls the running provider's dashboard API the way the browser does; throws with the error envelope when the call fails. */
export async function callApi<T>(dashboardUrl: string, token: string, method: string, input: object = {}): Promise<T> {
  const res = await fetch(`${new URL(dashboardUrl).origin}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  const envelope = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!envelope.ok) throw new Error(`${method} failed: ${JSON.stringify(envelope.error)}`);
  return envelope.value!;
}
