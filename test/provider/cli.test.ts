import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { type Server, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { type HearthProcess, runHearth, spawnHearth } from '../helpers/hearth-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function tempDir(): Promise<string> {
  const temp = await makeTempDir();
  cleanups.push(temp.remove);
  return temp.dir;
}

function track(proc: HearthProcess): HearthProcess {
  cleanups.push(() => {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    return proc.exited;
  });
  return proc;
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('hearth CLI', () => {
  it('prints its version', async () => {
    const { code, stdout } = await runHearth(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('prints help naming its commands and options', async () => {
    const { code, stdout } = await runHearth(['--help']);
    expect(code).toBe(0);
    for (const word of ['hearth start', 'hearth desktop', '--data-dir', '--dashboard-port']) expect(stdout).toContain(word);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['start', '--dashboard-port', 'eighty'], /--dashboard-port must be a whole number/],
    [['start', '--dashboard-port', '70000'], /--dashboard-port must be a whole number/],
    [['start', '--data-dir'], /--data-dir/],
    [['launch'], /Unknown command "launch"/],
    [['start', 'now'], /Unexpected argument "now"/],
  ])('explains bad usage %j in one line with exit code 2', async (args, message) => {
    const { code, stderr } = await runHearth(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    noStackTrace(stderr);
  });

  it('says clearly when the dashboard port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;
    const { code, stderr } = await runHearth(['start', '--data-dir', await tempDir(), '--dashboard-port', String(port)]);
    expect(code).toBe(1);
    expect(stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    noStackTrace(stderr);
  });

  it('starts headless, prints the dashboard address, and stops cleanly on SIGTERM', async () => {
    const dataDir = await tempDir();
    const proc = track(spawnHearth(['start', '--data-dir', dataDir, '--dashboard-port', '0']));
    const url = await proc.dashboardUrl();
    const token = new URL(url).hash.slice('#token='.length);
    expect(token).toBe((await readFile(join(dataDir, 'dashboard-token'), 'utf8')).trim());
    expect(proc.stdout()).toContain(`Data folder: ${dataDir}`);
    const res = await fetch(new URL('/api/status.get', url), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
    expect(((await res.json()) as { value: { state: string } }).value.state).toBe('running');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    const logs = await readdir(join(dataDir, 'logs'));
    const log = await readFile(join(dataDir, 'logs', logs[0]!), 'utf8');
    expect(log).toContain('provider stopped');
  });

  it('moves a corrupt settings file aside and warns instead of resetting it silently', async () => {
    const dataDir = await tempDir();
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'settings.json'), '{"dashboardPort": ');
    const proc = track(spawnHearth(['start', '--data-dir', dataDir, '--dashboard-port', '0']));
    await proc.dashboardUrl();
    expect(proc.stderr()).toMatch(/warning: The settings file was unreadable \(not valid JSON\); it was moved to .*settings\.json\.corrupt-\d+/);
    const files = await readdir(dataDir);
    const aside = files.find((f) => f.startsWith('settings.json.corrupt-'))!;
    expect(await readFile(join(dataDir, aside), 'utf8')).toBe('{"dashboardPort": ');
  });

  it('npm start falls back to headless in one line where no display exists', async () => {
    const env = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
    const proc = track(spawnHearth(['desktop', '--data-dir', await tempDir(), '--dashboard-port', '0'], env));
    await proc.dashboardUrl();
    if (process.platform === 'linux') {
      expect(proc.stderr().trim()).toBe("hearth: the desktop app can't open because there is no display (DISPLAY and WAYLAND_DISPLAY are unset); running headless instead.");
    }
    noStackTrace(proc.stderr());
  });
});
