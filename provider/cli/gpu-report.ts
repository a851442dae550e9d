import type { ProviderProbe, SandboxReport } from '../../common/worker-protocol.js';
import type { DetectionReport } from '../../worker/devices/detect.js';

/** What `hearth gpu` reports: the devices found, how they were looked for, and what ORT can use. */
export type GpuReport = DetectionReport & { executionProviders: ProviderProbe[]; sandbox: SandboxReport | null };

const GIB = 1024 ** 3;

function gib(bytes: number | null): string {
  return bytes === null ? 'VRAM unknown' : `${(bytes / GIB).toFixed(1)} GiB`;
}

function sourceLine(source: DetectionReport['sources'][number]): string {
  const status = source.status === 'missing' ? 'not present' : source.status;
  return `${source.name} (${status}${source.reason ? `: ${source.reason}` : ''})`;
}

/** Lists the sandbox layers in force, in words. */
export function describeSandbox(sandbox: SandboxReport | null): string {
  if (sandbox === null) return 'unknown (the worker did not start)';
  const layers = [
    sandbox.envAllowlist && 'environment allowlist',
    sandbox.privateWorkDir && 'private work folder',
    sandbox.nodePermissions && 'Node permission model',
    sandbox.bubblewrap && 'bubblewrap (no network, no home)',
    sandbox.addressSpaceLimitBytes !== null && `address-space limit ${gib(sandbox.addressSpaceLimitBytes)}`,
  ].filter((layer): layer is string => typeof layer === 'string');
  return layers.length > 0 ? layers.join(', ') : 'none';
}

/** The human table `hearth gpu` prints. */
export function formatGpuReport(report: GpuReport): string {
  const lines: string[] = ['GPUs'];
  if (report.devices.length === 0) lines.push('  none found — jobs run on the CPU');
  for (const device of report.devices) {
    const details = [gib(device.vramTotalBytes), device.driverVersion && `driver ${device.driverVersion}`, device.computeApi, device.temperatureC !== null && `${device.temperatureC} °C`]
      .filter((d): d is string => typeof d === 'string' && d.length > 0)
      .join(' · ');
    lines.push(`  ${device.name}  ${details}`, `    id ${device.id} (from ${device.source})`);
  }
  lines.push('', `Looked with: ${report.sources.map(sourceLine).join(', ')}`, '', 'Execution providers (tried for real in the sandboxed worker)');
  const width = Math.max(...report.executionProviders.map((p) => p.name.length), 4);
  for (const probe of report.executionProviders) {
    const state = probe.available ? 'available' : 'unavailable';
    lines.push(`  ${probe.name.padEnd(width)}  ${state.padEnd(11)}  ${probe.reason ?? ''}`.trimEnd());
  }
  lines.push('', `Sandbox: ${describeSandbox(report.sandbox)}`);
  return `${lines.join('\n')}\n`;
}
