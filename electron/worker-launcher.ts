/**
 * The desktop launcher: the worker as an Electron utilityProcess, speaking the same messages as the
 * headless child process. Electron's `utilityProcess` is a parameter (so tests pass a fake), and
 * Electron cannot wrap it in bubblewrap or prlimit, so the report says which layers are in force.
 */
import { EventEmitter } from 'node:events';
import type { UtilityProcess, utilityProcess } from 'electron';
import type { SandboxReport, ToWorker } from '../common/worker-protocol.js';
import type { Logger } from '../provider/logger.js';
import type { LaunchSpec, WorkerChannel, WorkerChannelEvents, WorkerLauncher } from '../provider/worker/launcher.js';
import { forEachLine } from '../provider/worker/output-lines.js';
import { createPrivateDir, removePrivateDir } from '../provider/worker/private-dir.js';
import { workerEnv } from '../provider/worker/worker-env.js';

/** The part of Electron's `utilityProcess` module the launcher uses. */
export type UtilityProcessModule = Pick<typeof utilityProcess, 'fork'>;

// Only these layers apply to a utility process: Electron gives no way to wrap it in bubblewrap or
// prlimit, and whether it honours Node's permission flags is not verified, so none are claimed.
const UTILITY_SANDBOX: SandboxReport = { envAllowlist: true, privateWorkDir: true, nodePermissions: false, bubblewrap: false, addressSpaceLimitBytes: null };

/** A utilityProcess as a WorkerChannel; removes its private folder once it has exited. */
export class UtilityProcessChannel extends EventEmitter<WorkerChannelEvents> implements WorkerChannel {
  readonly sandbox = UTILITY_SANDBOX;
  private exited = false;

  constructor(
    private readonly child: UtilityProcess,
    readonly privateDir: string,
  ) {
    super();
    child.on('message', (message: unknown) => this.emit('message', message));
    child.on('exit', (code: number) => {
      this.exited = true;
      removePrivateDir(privateDir);
      this.emit('exit', { code, signal: null });
    });
    child.on('error', (type, location) => this.emit('error', new Error(`${type} at ${location}`)));
    forEachLine(child.stdout, (line) => this.emit('output', line));
    forEachLine(child.stderr, (line) => this.emit('output', line));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToWorker): boolean {
    if (this.exited) return false;
    this.child.postMessage(message);
    return true;
  }

  kill(): void {
    if (this.exited) return;
    const pid = this.child.pid;
    // utilityProcess.kill() sends SIGTERM; a worker inside native code needs SIGKILL.
    if (pid === undefined) this.child.kill();
    else {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        this.child.kill();
      }
    }
  }
}

/** Starts workers as Electron utility processes. */
export class UtilityProcessLauncher implements WorkerLauncher {
  constructor(
    private readonly utility: UtilityProcessModule,
    private readonly options: { dataDir: string; logger: Logger },
  ) {}

  launch(spec: LaunchSpec): UtilityProcessChannel {
    const privateDir = createPrivateDir(this.options.dataDir, spec.name);
    const child = this.utility.fork(spec.entry, [], {
      serviceName: `Hearth worker ${spec.name}`,
      env: workerEnv(privateDir),
      cwd: privateDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.options.logger.info({ worker: spec.name, workerPid: child.pid, sandbox: UTILITY_SANDBOX }, 'worker utility process started');
    return new UtilityProcessChannel(child, privateDir);
  }
}

/** A launcher of utility-process workers over Electron's `utilityProcess` module. */
export function createUtilityProcessLauncher(utility: UtilityProcessModule, options: { dataDir: string; logger: Logger }): UtilityProcessLauncher {
  return new UtilityProcessLauncher(utility, options);
}
