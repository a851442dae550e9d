/**
 * `hearth gpu` as a person runs it (the built CLI in a child process): it starts a real sandboxed worker
 * in a throwaway folder, tries every execution provider onnxruntime-node offers here, and prints the
 * same report as a table or as JSON.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProviderProbe, SandboxReport } from '../../common/worker-protocol.js';
import { type GpuReport, formatGpuReport } from '../../provider/cli/gpu-report.js';
import { offeredProviders } from '../../worker/probe/offered-providers.js';
import { runHearth } from '../helpers/hearth-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { WORKER_BUILT } from './worker/real-worker.js';
import { bubblewrapWorksHere } from './worker/sandbox-check.js';

const GpuJson = z.object({
  devices: z.array(z.object({ id: z.string(), name: z.string(), source: z.string() }).passthrough()),
  sources: z.array(z.object({ name: z.string(), status: z.enum(['ok', 'missing', 'failed']), reason: z.string().optional() })),
  executionProviders: z.array(ProviderProbe),
  sandbox: SandboxReport.nullable(),
});
type GpuJson = z.infer<typeof GpuJson>;

/** One `  name  available|unavailable  reason` row of the table's execution-provider section. */
type Row = { name: string; available: boolean; reason: string };

let temp: { dir: string; remove: () => Promise<void> };
let env: NodeJS.ProcessEnv;
let table: { code: number | null; stdout: string; stderr: string };
let json: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  temp = await makeTempDir('hearth-cli-gpu-');
  // The command's throwaway folder goes under TMPDIR: here, so the test can see it is cleaned up.
  env = { ...process.env, TMPDIR: temp.dir };
  if (!WORKER_BUILT) return;
  [table, json] = await Promise.all([runHearth(['gpu'], env), runHearth(['gpu', '--json'], env)]);
}, 60_000);

afterAll(async () => {
  await temp?.remove();
});

function providerRows(text: string): Row[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Execution providers'));
  expect(start, text).toBeGreaterThan(-1);
  const rows: Row[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^ {2}(\S+) +(available|unavailable)(?: {2}(.*))?$/.exec(line);
    if (!match) break;
    rows.push({ name: match[1]!, available: match[2] === 'available', reason: match[3] ?? '' });
  }
  return rows;
}

describe.skipIf(!WORKER_BUILT)('hearth gpu', () => {
  it('exits 0 and says the cpu provider is available', () => {
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr).toBe('');
    const rows = providerRows(table.stdout);
    expect(rows).toContainEqual({ name: 'cpu', available: true, reason: '' });
    expect(table.stdout).toMatch(/^GPUs$/m);
    expect(table.stdout).toMatch(/^Looked with: /m);
    expect(table.stdout).toMatch(/^Sandbox: .*environment allowlist/m);
  });

  it('lists every provider onnxruntime-node offers here, in order, each unavailable one with a reason', () => {
    const rows = providerRows(table.stdout);
    expect(rows.map((r) => r.name)).toEqual([...offeredProviders(process.platform)]);
    for (const row of rows.filter((r) => !r.available)) expect(row.reason.length, row.name).toBeGreaterThan(5);
  });

  it('prints the same report as JSON with --json', () => {
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
    const report: GpuJson = GpuJson.parse(JSON.parse(json.stdout));
    expect(providerRows(table.stdout)).toEqual(report.executionProviders.map((p) => ({ name: p.name, available: p.available, reason: p.reason ?? '' })));
    for (const probe of report.executionProviders) expect(probe.reason).toEqual(probe.available ? null : expect.any(String));
    expect(report.sandbox).toMatchObject({ envAllowlist: true, privateWorkDir: true, nodePermissions: true, bubblewrap: bubblewrapWorksHere() });
    if (report.devices.length === 0) expect(table.stdout).toContain('none found — jobs run on the CPU');
    for (const device of report.devices) expect(table.stdout).toContain(`id ${device.id} (from ${device.source})`);
    for (const source of report.sources) expect(table.stdout).toContain(source.name);
    // The whole table is the JSON report formatted: nothing is printed that the JSON does not carry.
    expect(table.stdout).toBe(formatGpuReport(JSON.parse(json.stdout) as GpuReport));
  });

  it('removes its throwaway folder', () => {
    expect(readdirSync(temp.dir).filter((name) => name.startsWith('hearth-gpu-'))).toEqual([]);
  });

  it.each([
    [['gpu', 'extra'], /Unexpected argument "extra" after "gpu"/],
    [['start', '--json'], /--json goes with `hearth gpu`/],
  ])('refuses %j in one line with exit code 2', async (args, message) => {
    const { code, stdout, stderr } = await runHearth(args, env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
