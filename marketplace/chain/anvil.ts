/**
 * Starts a local anvil chain from the @foundry-rs/anvil platform package: on an OS-chosen port, with a
 * fixed chain id, fresh state unless a state folder is given, and tied to this process's life (it never
 * outlives us, even when we are SIGKILLed: see WATCHDOG). Used by tests and by the embedded marketplace.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { DEFAULT_CHAIN_ID } from '../../common/wire/typed-data.js';

/** Why anvil could not be started; `code` is stable for the UI and logs. */
export class AnvilError extends Error {
  constructor(
    readonly code: 'anvil_missing' | 'anvil_start_failed' | 'anvil_start_timeout',
    message: string,
  ) {
    super(message);
    this.name = 'AnvilError';
  }
}

/** How to start anvil. */
export type AnvilOptions = {
  /** Chain id (default 31337, anvil's and the protocol's default). */
  chainId?: number;
  /** A folder to keep the chain in (`anvil-state.json`, loaded at start, written at stop); fresh state when absent. */
  stateDir?: string;
  /** With stateDir: also write the state every this many seconds, not only at stop (survives a power cut). */
  stateIntervalSeconds?: number;
  /** Seconds between blocks; absent: a block per transaction (automine). */
  blockTimeSeconds?: number;
  /** How long to wait for anvil to listen (default 15 s). */
  startTimeoutMs?: number;
  /** A specific binary instead of the platform package's (tests of the missing-binary path). */
  binaryPath?: string;
};

/** A running anvil. */
export type Anvil = {
  /** http://127.0.0.1:<port> */
  rpcUrl: string;
  port: number;
  chainId: number;
  /** The anvil process's pid (not the watchdog's). */
  pid: number;
  /** Settles when anvil has exited, whether stopped or not. */
  exited: Promise<void>;
  /** Stops anvil (state written when a stateDir was given) and waits until it has exited. */
  stop(): Promise<void>;
};

const PLATFORMS: Record<string, string> = {
  'linux-x64': 'linux-amd64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-amd64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-amd64',
};

/** The anvil binary shipped by @foundry-rs/anvil for this platform; throws `anvil_missing` when absent. */
export function anvilBinaryPath(): string {
  const platform = PLATFORMS[`${process.platform}-${process.arch}`];
  if (platform === undefined) {
    throw new AnvilError('anvil_missing', `No anvil build exists for ${process.platform}-${process.arch}; run a chain yourself and give its RPC URL.`);
  }
  const pkg = `@foundry-rs/anvil-${platform}`;
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new AnvilError('anvil_missing', `The local chain needs ${pkg}, which is not installed; run \`npm install\` (optional dependencies included).`);
  }
  const packed = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  // In a packaged app the binary must be unpacked from the ASAR archive to be executable.
  const unpacked = packed.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
  const binary = unpacked !== packed && existsSync(unpacked) ? unpacked : packed;
  if (!existsSync(binary)) throw new AnvilError('anvil_missing', `${binary} is missing; reinstall ${pkg}.`);
  return binary;
}

/**
 * A POSIX sh wrapper that makes anvil die with us. Anvil has no parent-death option, and Node cannot set
 * prctl(PR_SET_PDEATHSIG), so the wrapper holds the read end of a pipe whose only writer is this process:
 * when we exit, however we exit (SIGKILL included), the kernel closes it, `read` sees EOF and the
 * wrapper kills anvil. When anvil exits first, the wrapper exits with its status. `stop()` closes the
 * pipe the same way, so the one path is exercised every time. $0 is the binary, "$@" its arguments.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- &',
  'pid=$!',
  'echo "hearth-anvil-pid $pid"',
  '{ while read -r _; do :; done; kill "$pid" 2>/dev/null; } <&3 &',
  'reader=$!',
  'exec 3<&-',
  'wait "$pid"; status=$?',
  'kill "$reader" 2>/dev/null',
  'exit "$status"',
].join('\n');

const live = new Set<number>();
let exitHookInstalled = false;

/** On a normal exit, stop anvils at once rather than when the wrapper notices the closed pipe. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  });
}

/** Starts anvil and resolves once it accepts JSON-RPC. */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const binary = options.binaryPath ?? anvilBinaryPath();
  if (!existsSync(binary)) throw new AnvilError('anvil_missing', `${binary} does not exist; reinstall @foundry-rs/anvil or give another binary.`);
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const args = ['--port', '0', '--host', '127.0.0.1', '--chain-id', String(chainId), '--color', 'never'];
  if (options.stateDir !== undefined) {
    args.push('--state', join(options.stateDir, 'anvil-state.json'));
    if (options.stateIntervalSeconds !== undefined) args.push('--state-interval', String(options.stateIntervalSeconds));
  }
  if (options.blockTimeSeconds !== undefined) args.push('--block-time', String(options.blockTimeSeconds));

  // Windows has no sh: anvil is spawned directly there and may outlive a killed parent (docs/payouts.md).
  const child: ChildProcessByStdio<Writable, Readable, Readable> =
    process.platform === 'win32'
      ? spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true })
      : spawn('/bin/sh', ['-c', WATCHDOG, binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });

  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let output = '';
  let onEarlyClose: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  const { port, pid } = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    let anvilPid = process.platform === 'win32' ? (child.pid ?? 0) : 0;
    const fail = (error: AnvilError) => {
      clearTimeout(timer);
      if (process.platform === 'win32') child.kill();
      else child.stdin.end();
      reject(error);
    };
    const timeoutMs = options.startTimeoutMs ?? 15_000;
    const timer = setTimeout(() => fail(new AnvilError('anvil_start_timeout', `anvil did not start listening within ${timeoutMs} ms. Output:\n${output.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 64_000) output = output.slice(-32_000);
      const pidMatch = /^hearth-anvil-pid (\d+)$/m.exec(output);
      if (pidMatch?.[1] !== undefined) anvilPid = Number(pidMatch[1]);
      const listen = /Listening on [\d.]+:(\d+)/.exec(output);
      if (listen?.[1] !== undefined && anvilPid > 0) {
        clearTimeout(timer);
        resolve({ port: Number(listen[1]), pid: anvilPid });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => fail(new AnvilError('anvil_start_failed', `anvil could not be started: ${error.message}`)));
    onEarlyClose = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(new AnvilError('anvil_start_failed', `anvil exited during start (${signal ?? `code ${code}`}). Output:\n${output.slice(-2000)}`));
    child.once('close', onEarlyClose);
  });

  // Keep draining so a chatty anvil never blocks on a full pipe, and keep nothing.
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();
  if (onEarlyClose !== undefined) child.off('close', onEarlyClose);
  const rpcUrl = `http://127.0.0.1:${port}`;
  live.add(pid);
  installExitHook();
  void exited.then(() => live.delete(pid));
  // Anvil logs every RPC call by default; --quiet would also hide the port we just read.
  await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_setLoggingEnabled', params: [false] }),
  }).catch(() => undefined);

  let stopping: Promise<void> | null = null;
  return {
    rpcUrl,
    port,
    chainId,
    pid,
    exited,
    stop() {
      stopping ??= (async () => {
        if (process.platform === 'win32') child.kill();
        else child.stdin.end();
        const killer = setTimeout(() => {
          // The wrapper did not finish within 10 s (anvil stuck writing state?): force both down.
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
          child.kill('SIGKILL');
        }, 10_000);
        await exited;
        clearTimeout(killer);
        live.delete(pid);
      })();
      return stopping;
    },
  };
}
