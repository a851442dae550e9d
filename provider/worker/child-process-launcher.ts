/**
 * The headless launcher: the worker as a Node child process with an IPC channel (advanced
 * serialization, so tensors stay binary), inside every sandbox layer this machine offers.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxReport, ToWorker } from '../../common/worker-protocol.js';
import type { Logger } from '../logger.js';
import type { LaunchSpec, WorkerChannel, WorkerChannelEvents, WorkerExit, WorkerLauncher } from './launcher.js';
import { forEachLine } from './output-lines.js';
import { clearPrivateDirs, createPrivateDir, removePrivateDir } from './private-dir.js';
import { type SandboxTools, type SystemPath, workerCommand } from './sandbox-command.js';
import { workerEnv } from './worker-env.js';

/** Where helper programs are looked for; never the user's PATH. */
const TOOL_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];
const SYSTEM_PATHS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** How long stdout/stderr may trail the exit before `exit` is reported anyway. */
const OUTPUT_GRACE_MS = 300;

export type ChildProcessLauncherOptions = {
  dataDir: string;
  logger: Logger;
  /** False to skip bubblewrap even where it works. */
  bubblewrap?: boolean;
  /** False to run without Node's permission model (to tell whether it is what breaks a worker). */
  nodePermissions?: boolean;
  /** The Node binary to run the worker with (this one by default). */
  nodePath?: string;
  platform?: NodeJS.Platform;
};

/** A worker child process as a WorkerChannel; removes its private folder once it has exited. */
export class ChildProcessChannel extends EventEmitter<WorkerChannelEvents> implements WorkerChannel {
  private exited = false;
  private exitTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly child: ChildProcess,
    readonly sandbox: SandboxReport,
    /** The worker's cwd, HOME and temp folder. */
    readonly privateDir: string,
    /** The full command line, for the log. */
    readonly argv: readonly string[],
    /** True when the child leads its own process group (POSIX), so kills reach the whole sandbox. */
    private readonly group: boolean,
  ) {
    super();
    child.on('message', (message: unknown) => this.emit('message', message));
    child.on('error', (error) => {
      this.emit('error', error);
      if (child.pid === undefined) this.finish({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => {
      // Give the pipes a moment so the last lines (an abort message, say) arrive before `exit`.
      this.exitTimer = setTimeout(() => this.finish({ code, signal }), OUTPUT_GRACE_MS);
    });
    child.on('close', (code, signal) => this.finish({ code, signal }));
    forEachLine(child.stdout, (line) => this.emit('output', line));
    forEachLine(child.stderr, (line) => this.emit('output', line));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToWorker): boolean {
    if (this.exited || !this.child.connected) return false;
    this.child.send(message, (error) => {
      if (error) this.emit('error', error);
    });
    return true;
  }

  kill(): void {
    if (this.group) this.killGroup();
    else if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /**
   * SIGKILL to the child's process group: the wrapper, bubblewrap's init and the worker. A process
   * that bubblewrap had not yet tied to its parent (killed mid-setup) would otherwise be left behind.
   * Safe after the leader has exited: a group's id cannot be reused while any member lives.
   */
  private killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private finish(exit: WorkerExit): void {
    if (this.exited) return;
    this.exited = true;
    clearTimeout(this.exitTimer);
    if (this.group) this.killGroup();
    removePrivateDir(this.privateDir);
    this.emit('exit', exit);
  }
}

/** Starts workers as sandboxed Node child processes. */
export class ChildProcessLauncher implements WorkerLauncher {
  constructor(
    private readonly options: ChildProcessLauncherOptions,
    /** The helper programs usable here (bubblewrap only after it ran once). */
    readonly tools: SandboxTools,
    private readonly systemPaths: SystemPath[],
  ) {}

  launch(spec: LaunchSpec): ChildProcessChannel {
    const platform = this.options.platform ?? process.platform;
    // bubblewrap refuses to bind a folder that does not exist; an empty cache is still a cache.
    mkdirSync(spec.modelCacheDir, { recursive: true, mode: 0o700 });
    const privateDir = realpath(createPrivateDir(this.options.dataDir, spec.name));
    const nodePath = realpath(this.options.nodePath ?? process.execPath);
    const resolved: LaunchSpec = { ...spec, entry: realpath(spec.entry), readPaths: spec.readPaths.map(realpath), modelCacheDir: realpath(spec.modelCacheDir) };
    const command = workerCommand({
      nodePath,
      nodeMajor: Number(process.versions.node.split('.')[0]),
      spec: resolved,
      privateDir,
      tools: this.tools,
      platform,
      systemPaths: this.systemPaths,
      devices: platform === 'linux' ? gpuDevices() : [],
      nodePermissions: this.options.nodePermissions !== false,
    });
    const group = platform !== 'win32';
    const child = spawn(command.command, command.args, {
      cwd: privateDir,
      env: workerEnv(privateDir, process.env, platform),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      // POSIX: a new session and process group (setsid): no controlling terminal to inject input into,
      // and one group to kill. The worker still dies with the provider (die-with-parent, pdeathsig).
      detached: group,
      windowsHide: true,
    });
    const channel = new ChildProcessChannel(child, command.sandbox, privateDir, [command.command, ...command.args], group);
    this.options.logger.info({ worker: spec.name, workerPid: child.pid, sandbox: command.sandbox, argv: channel.argv }, 'worker process started');
    return channel;
  }
}

/** Finds the sandbox helpers, checks that bubblewrap can run Node here, and clears stale private folders. */
export async function createChildProcessLauncher(options: ChildProcessLauncherOptions): Promise<ChildProcessLauncher> {
  const platform = options.platform ?? process.platform;
  clearPrivateDirs(options.dataDir);
  if (platform !== 'linux') return new ChildProcessLauncher(options, { bwrap: null, prlimit: null, setpriv: null }, []);
  const nodePath = realpath(options.nodePath ?? process.execPath);
  let bwrap = options.bubblewrap === false ? null : findTool('bwrap');
  if (bwrap !== null) {
    const problem = await bubblewrapProblem(bwrap, nodePath);
    if (problem !== null) {
      options.logger.warn({ problem }, 'bubblewrap cannot run here, so workers start without it (is user namespace creation disabled?)');
      bwrap = null;
    }
  } else if (options.bubblewrap !== false) {
    options.logger.warn('bubblewrap is not installed, so workers run without it (install the bubblewrap package for a stronger sandbox)');
  }
  return new ChildProcessLauncher(options, { bwrap, prlimit: findTool('prlimit'), setpriv: findTool('setpriv') }, systemPaths());
}

function findTool(name: string): string | null {
  for (const dir of TOOL_DIRS) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** Why bubblewrap cannot start Node in fresh namespaces here, or null when it can. */
export function bubblewrapProblem(bwrap: string, nodePath: string): Promise<string | null> {
  const args = ['--unshare-all', '--die-with-parent', '--cap-drop', 'ALL', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', nodePath, '-e', '0'];
  return new Promise((resolve) => {
    execFile(bwrap, args, { timeout: 10_000, env: {} }, (error, _stdout, stderr) => {
      resolve(error ? `${error.message.split('\n')[0]} ${stderr.trim().slice(0, 500)}`.trim() : null);
    });
  });
}

function systemPaths(): SystemPath[] {
  const found: SystemPath[] = [];
  for (const path of SYSTEM_PATHS) {
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) found.push({ path, symlinkTo: readlinkSync(path) });
      else if (stat.isDirectory()) found.push({ path, symlinkTo: null });
    } catch {
      // Not on this machine.
    }
  }
  return found;
}

function gpuDevices(): string[] {
  try {
    return readdirSync('/dev')
      .filter((name) => name.startsWith('nvidia') || name === 'dri' || name === 'kfd')
      .map((name) => join('/dev', name));
  } catch {
    return [];
  }
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
