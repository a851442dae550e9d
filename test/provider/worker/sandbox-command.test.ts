import { describe, expect, it } from 'vitest';
import type { LaunchSpec } from '../../../provider/worker/launcher.js';
import { type WorkerCommandInput, nodePermissionArgs, workerCommand } from '../../../provider/worker/sandbox-command.js';

const spec: LaunchSpec = {
  entry: '/opt/hearth/out/main/worker.js',
  name: 'cpu',
  readPaths: ['/opt/hearth/out', '/opt/hearth/node_modules', '/opt/hearth/package.json'],
  modelCacheDir: '/home/ann/.config/Hearth/models',
  addressSpaceLimitBytes: 8 * 1024 ** 3,
};
const privateDir = '/home/ann/.config/Hearth/worker-tmp/cpu-x1';
const input = (overrides: Partial<WorkerCommandInput> = {}): WorkerCommandInput => ({
  nodePath: '/usr/bin/node',
  nodeMajor: 20,
  spec,
  privateDir,
  tools: { bwrap: '/usr/bin/bwrap', prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv' },
  platform: 'linux',
  systemPaths: [
    { path: '/lib', symlinkTo: 'usr/lib' },
    { path: '/lib64', symlinkTo: null },
  ],
  devices: ['/dev/nvidia0', '/dev/dri'],
  nodePermissions: true,
  ...overrides,
});

/** The value after each occurrence of `flag` (pairs of values for binds). */
function bindsOf(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));
}

describe('workerCommand', () => {
  it('on Linux with every tool: prlimit, then bubblewrap, then Node with its permission flags', () => {
    const { command, args, sandbox } = workerCommand(input());
    expect(command).toBe('/usr/bin/prlimit');
    expect(args.slice(0, 3)).toEqual([`--as=${8 * 1024 ** 3}`, '--', '/usr/bin/bwrap']);
    expect(args).toEqual(expect.arrayContaining(['--unshare-all', '--die-with-parent', '--cap-drop', 'ALL']));
    const node = args.indexOf('/usr/bin/node');
    expect(args[node - 1]).toBe('--');
    expect(args.at(-1)).toBe(spec.entry);
    expect(sandbox).toEqual({ envAllowlist: true, privateWorkDir: true, nodePermissions: true, bubblewrap: true, addressSpaceLimitBytes: 8 * 1024 ** 3 });
  });

  it('binds the app and the model cache read-only, the private folder writable, and nothing of home or the data folder', () => {
    const { args } = workerCommand(input());
    expect(bindsOf(args, '--ro-bind')).toEqual(['/usr', '/lib64', ...spec.readPaths, spec.modelCacheDir]);
    expect(bindsOf(args, '--bind')).toEqual([privateDir]);
    expect(bindsOf(args, '--symlink')).toEqual(['usr/lib']);
    expect(bindsOf(args, '--dev-bind-try')).toEqual(['/dev/nvidia0', '/dev/dri']);
    expect(bindsOf(args, '--chdir')).toEqual([privateDir]);
    expect(bindsOf(args, '--tmpfs')).toEqual(['/tmp']);
    const bound = [...bindsOf(args, '--ro-bind'), ...bindsOf(args, '--bind')];
    expect(bound).not.toContain('/home/ann');
    expect(bound).not.toContain('/home/ann/.config/Hearth');
    // The private folder is bound after /tmp's tmpfs, so a data folder under /tmp still works.
    expect(args.indexOf('--bind')).toBeGreaterThan(args.indexOf('--tmpfs'));
  });

  it('binds a Node binary from outside /usr', () => {
    const { args } = workerCommand(input({ nodePath: '/home/ann/.nvm/versions/node/v20.20.2/bin/node' }));
    expect(bindsOf(args, '--ro-bind')).toContain('/home/ann/.nvm/versions/node/v20.20.2/bin/node');
  });

  it('without bubblewrap uses a parent-death signal, and says so in the report', () => {
    const { command, args, sandbox } = workerCommand(input({ tools: { bwrap: null, prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv' } }));
    expect([command, ...args.slice(0, 5)]).toEqual(['/usr/bin/prlimit', `--as=${8 * 1024 ** 3}`, '--', '/usr/bin/setpriv', '--pdeathsig', 'KILL']);
    expect(sandbox.bubblewrap).toBe(false);
  });

  it('with no tools, or off Linux, runs Node directly and reports no limit', () => {
    for (const overrides of [{ tools: { bwrap: null, prlimit: null, setpriv: null } }, { platform: 'darwin' as const }]) {
      const { command, args, sandbox } = workerCommand(input(overrides));
      expect(command).toBe('/usr/bin/node');
      expect(args.at(-1)).toBe(spec.entry);
      expect(sandbox).toMatchObject({ bubblewrap: false, addressSpaceLimitBytes: null, nodePermissions: true });
    }
  });

  it('reports no limit when none is asked for', () => {
    expect(workerCommand(input({ spec: { ...spec, addressSpaceLimitBytes: null } })).command).toBe('/usr/bin/bwrap');
  });

  it('can leave out the permission model, and says so', () => {
    const { args, sandbox } = workerCommand(input({ nodePermissions: false }));
    expect(args.some((arg) => arg.includes('permission'))).toBe(false);
    expect(sandbox.nodePermissions).toBe(false);
  });
});

describe('nodePermissionArgs', () => {
  it('reads the app, the models and the private folder; writes only the private folder; one flag per path', () => {
    const args = nodePermissionArgs(20, ['/app/out', '/app/node_modules'], '/models', '/private');
    expect(args[0]).toBe('--experimental-permission');
    expect(args).toEqual(expect.arrayContaining(['--allow-addons', '--allow-worker']));
    expect(args.filter((a) => a.startsWith('--allow-fs-read='))).toEqual(['--allow-fs-read=/app/out', '--allow-fs-read=/app/node_modules', '--allow-fs-read=/models', '--allow-fs-read=/private']);
    expect(args.filter((a) => a.startsWith('--allow-fs-write='))).toEqual(['--allow-fs-write=/private']);
    expect(args.some((a) => a.startsWith('--allow-child-process'))).toBe(false);
    expect(nodePermissionArgs(22, [], '/m', '/p')[0]).toBe('--permission');
  });
});
