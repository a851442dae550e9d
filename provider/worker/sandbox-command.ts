/**
 * The worker's command line, layer by layer: Node's permission model, then on Linux bubblewrap (no
 * network, no home, no data folder, read-only app and model cache) or, without it, a parent-death
 * signal; and an address-space limit via prlimit. Pure: what exists on the machine is a parameter.
 */
import type { SandboxReport } from '../../common/worker-protocol.js';
import type { LaunchSpec } from './launcher.js';

/** Absolute paths of the helper programs found on this machine; null when absent or unusable. */
export type SandboxTools = { bwrap: string | null; prlimit: string | null; setpriv: string | null };

/** A top-level system path as it exists on this machine: a folder, or a symlink (usrmerge's /lib → usr/lib). */
export type SystemPath = { path: string; symlinkTo: string | null };

export type WorkerCommandInput = {
  /** The Node binary, symlinks resolved. */
  nodePath: string;
  /** The major version of that Node, which decides the permission flag's name. */
  nodeMajor: number;
  spec: LaunchSpec;
  privateDir: string;
  tools: SandboxTools;
  platform: NodeJS.Platform;
  /** Top-level system folders other than /usr (bin, lib, lib64…) that exist here. */
  systemPaths: SystemPath[];
  /** GPU device nodes to pass into the sandbox (/dev/nvidia*, /dev/dri). */
  devices: string[];
  /** False to leave out Node's permission model. */
  nodePermissions: boolean;
};

export type WorkerCommand = { command: string; args: string[]; sandbox: SandboxReport };

/** Files in /etc the dynamic loader reads; bound when present. */
const LOADER_FILES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d'];

/** Node's permission-model flags: read the app and the models, write only the private folder. */
export function nodePermissionArgs(nodeMajor: number, readPaths: readonly string[], modelCacheDir: string, privateDir: string): string[] {
  const reads = [...readPaths, modelCacheDir, privateDir];
  return [
    nodeMajor >= 22 ? '--permission' : '--experimental-permission',
    // Node warns on every start (twice: once per thread) that these flags are experimental and that
    // addons can sidestep the model; both are known and accounted for here, so keep the log clean.
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    // onnxruntime-node is a native addon, and the worker runs it in a worker_thread.
    '--allow-addons',
    '--allow-worker',
    ...reads.map((path) => `--allow-fs-read=${path}`),
    `--allow-fs-write=${privateDir}`,
  ];
}

/** bubblewrap's arguments up to and including the `--` before the command. */
export function bubblewrapArgs(input: WorkerCommandInput): string[] {
  const { spec, privateDir } = input;
  // No --new-session: the launcher starts the wrapper in a session of its own (setsid, no terminal),
  // which also makes the whole sandbox one process group that a kill can reach at once.
  const args = ['--unshare-all', '--die-with-parent', '--cap-drop', 'ALL'];
  args.push('--ro-bind', '/usr', '/usr');
  for (const system of input.systemPaths) {
    if (system.symlinkTo !== null) args.push('--symlink', system.symlinkTo, system.path);
    else args.push('--ro-bind', system.path, system.path);
  }
  for (const file of LOADER_FILES) args.push('--ro-bind-try', file, file);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const device of input.devices) args.push('--dev-bind-try', device, device);
  if (!input.nodePath.startsWith('/usr/')) args.push('--ro-bind', input.nodePath, input.nodePath);
  for (const path of [...spec.readPaths, spec.modelCacheDir]) args.push('--ro-bind', path, path);
  args.push('--bind', privateDir, privateDir, '--chdir', privateDir, '--');
  return args;
}

/** The full command line for one worker and the sandbox layers it applies. */
export function workerCommand(input: WorkerCommandInput): WorkerCommand {
  const { spec, privateDir, tools } = input;
  const linux = input.platform === 'linux';
  const permissions = input.nodePermissions ? nodePermissionArgs(input.nodeMajor, spec.readPaths, spec.modelCacheDir, privateDir) : [];
  const node = [input.nodePath, ...permissions, spec.entry];
  const bubblewrap = linux && tools.bwrap !== null;
  let argv = node;
  if (bubblewrap) argv = [tools.bwrap as string, ...bubblewrapArgs(input), ...node];
  // bwrap's --die-with-parent covers the wrapped case; otherwise the kernel's parent-death signal does,
  // so a worker stuck in native code still dies with the provider.
  else if (linux && tools.setpriv !== null) argv = [tools.setpriv, '--pdeathsig', 'KILL', '--', ...node];
  const limit = linux && tools.prlimit !== null ? spec.addressSpaceLimitBytes : null;
  if (limit !== null) argv = [tools.prlimit as string, `--as=${limit}`, '--', ...argv];
  const [command, ...args] = argv as [string, ...string[]];
  return {
    command,
    args,
    sandbox: { envAllowlist: true, privateWorkDir: true, nodePermissions: input.nodePermissions, bubblewrap, addressSpaceLimitBytes: limit },
  };
}
