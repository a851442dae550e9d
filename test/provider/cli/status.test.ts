// `hearth status` against a real `hearth start`: the text and JSON a person gets, the one line when no
// provider runs (never started, stopped, or killed and its record left behind), and a refused token.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../../common/api.js';
import { type HearthProcess, runHearth, spawnHearth } from '../../helpers/hearth-process.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const cleanups: Array<() => Promise<unknown>> = [];
let dataDir: string;
let proc: HearthProcess;

async function tempDir(): Promise<string> {
  const temp = await makeTempDir('hearth-status-');
  cleanups.push(temp.remove);
  return temp.dir;
}

function start(dir: string): HearthProcess {
  // No marketplace: what is tested here is the status, not the local demo's jobs.
  const child = spawnHearth(['start', '--data-dir', dir, '--dashboard-port', '0', '--no-marketplace']);
  cleanups.push(async () => {
    if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
    await child.exited;
  });
  return child;
}

const oneLine = (text: string) => {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/^\s+at /m);
};

beforeAll(async () => {
  dataDir = await tempDir();
  proc = start(dataDir);
  await proc.dashboardUrl();
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('hearth status', () => {
  it('records the port it really listens on, private to the user', async () => {
    const url = new URL(await proc.dashboardUrl());
    const record = JSON.parse(await readFile(join(dataDir, 'dashboard.json'), 'utf8')) as { port: number; pid: number };
    expect(record).toEqual({ port: Number(url.port), pid: proc.child.pid });
    expect((await stat(join(dataDir, 'dashboard.json'))).mode & 0o777).toBe(0o600);
  });

  it('prints the running provider: state, data folder, no marketplace and how to connect one, its workers', async () => {
    const { code, stdout, stderr } = await runHearth(['status', '--data-dir', dataDir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Hearth \d+\.\d+\.\d+\S*: running \(headless\), up \d+/);
    expect(stdout).toContain(`Data folder: ${dataDir}\n`);
    expect(stdout).toContain('Marketplace: none, so no jobs will run (restart without --no-marketplace for the local demo, or with --marketplace URL --coordinator 0x… to join one)');
    expect(stdout).toMatch(/^WORKER +STATE +RUNS ON/m);
    expect(stdout).toMatch(/^cpu +\S+/m);
  });

  it('prints the status as JSON that satisfies the API contract', async () => {
    const { code, stdout } = await runHearth(['status', '--json', '--data-dir', dataDir]);
    expect(code).toBe(0);
    const status = Status.parse(JSON.parse(stdout));
    expect(status).toMatchObject({ state: 'running', mode: 'headless', dataDir, marketplace: null });
  });

  it('says jobs and earnings need a marketplace, and how to connect one, when the provider runs with none', async () => {
    for (const command of ['jobs', 'earnings']) {
      const { code, stdout, stderr } = await runHearth([command, '--data-dir', dataDir]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^hearth: No ledger is open: this provider takes no jobs \(started with --no-marketplace\)\. .*--marketplace URL --coordinator 0xADDRESS\.\n$/);
    }
  });

  it('says in one line that nothing runs on a data folder no provider has used, with how to start one', async () => {
    const empty = await tempDir();
    const { code, stdout, stderr } = await runHearth(['status', '--data-dir', empty]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`hearth: No Hearth provider is running with the data folder ${empty}. Start it with \`hearth start --data-dir ${empty}\` and try again.\n`);
    oneLine(stderr);
  });

  it('says in one line that the token was refused when the token file no longer matches', async () => {
    const other = await tempDir();
    const running = start(other);
    const url = new URL(await running.dashboardUrl());
    await writeFile(join(other, 'dashboard-token'), `${'ab'.repeat(32)}\n`);
    const { code, stderr } = await runHearth(['status', '--data-dir', other]);
    expect(code).toBe(1);
    expect(stderr).toContain(`hearth: The provider on port ${url.port} refused the token in ${join(other, 'dashboard-token')}`);
    oneLine(stderr);
  });

  it('knows a stopped provider is gone (record removed) and a killed one too (record left, process gone)', async () => {
    const dir = await tempDir();
    const stopped = start(dir);
    await stopped.dashboardUrl();
    // Answering proves it got past start-up and waits for its stop signal.
    expect((await runHearth(['status', '--data-dir', dir])).code).toBe(0);
    stopped.child.kill('SIGTERM');
    expect(await stopped.exited).toBe(0);
    await expect(stat(join(dir, 'dashboard.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await runHearth(['status', '--data-dir', dir])).stderr).toMatch(/^hearth: No Hearth provider is running with the data folder/);

    const killed = start(dir);
    await killed.dashboardUrl();
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(JSON.parse(await readFile(join(dir, 'dashboard.json'), 'utf8'))).toMatchObject({ pid: killed.child.pid });
    const after = await runHearth(['status', '--data-dir', dir]);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^hearth: No Hearth provider is running with the data folder/);
    oneLine(after.stderr);
  });

  it.each([
    [['status', 'now'], /Unexpected argument "now" after "status"/],
    [['status', '--limit', '5'], /--limit goes with `hearth jobs`, not "status"/],
    [['jobs', '--limit', '0'], /--limit must be a whole number from 1 to 200/],
    [['jobs', '--by', 'day'], /--by goes with `hearth earnings`, not "jobs"/],
    [['earnings', '--by', 'month'], /--by must be one of hour, day, week, model or device/],
    [['earnings', '--marketplace', 'http://127.0.0.1:1'], /--marketplace goes with `hearth start`, not "earnings"/],
    [['start', '--cursor', 'j5'], /--cursor goes with `hearth jobs`, not "start"/],
  ])('explains bad usage %j in one line with exit code 2', async (args, message) => {
    const { code, stderr } = await runHearth(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    oneLine(stderr);
  });
});
