/**
 * Device detection: which tools to ask on each platform, in what order, and how their answers are
 * merged. It never throws; every tool tried is listed in `sources` with what came of it, so
 * `hearth gpu` can say what was looked for as well as what was found.
 *
 * linux:  nvidia-smi, rocm-smi, then sysfs DRM + lspci for any GPU neither reported (matched by PCI
 *         bus id: an Intel iGPU next to an NVIDIA card, or an AMD card without ROCm).
 * darwin: system_profiler.
 * win32:  nvidia-smi, then Win32_VideoController for the rest (NVIDIA adapters already reported by
 *         nvidia-smi are matched by name, since WMI gives no bus id here).
 * other:  nvidia-smi only.
 */
import type { DetectedDevice, DeviceSource, ParsedDevices } from './device.js';
import { fallbackDevices, readDrmCards } from './linux-drm.js';
import type { PciDisplayController } from './lspci.js';
import { LSPCI_ARGS, parseLspci } from './lspci.js';
import { NVIDIA_SMI_QUERY_ARGS, parseNvidiaSmiCsv, parseNvidiaSmiCudaVersion } from './nvidia-smi.js';
import { ROCM_SMI_ARGS, parseRocmSmiJson } from './rocm-smi.js';
import type { CommandResult, CommandRunner } from './run-command.js';
import { SYSTEM_PROFILER_ARGS, SYSTEM_PROFILER_PATH, parseSystemProfilerJson } from './system-profiler.js';
import { POWERSHELL_ARGS, parseWin32VideoControllerJson } from './win32-video-controller.js';

export interface SourceReport {
  /** A `DeviceSource`, or `detection` for a failure of detection itself. */
  name: DeviceSource | 'detection';
  status: 'ok' | 'missing' | 'failed';
  reason?: string;
}

export interface DetectionReport {
  devices: DetectedDevice[];
  sources: SourceReport[];
}

/** Time limits: nvidia-smi can stall on a wedged driver, rocm-smi is a Python start-up, PowerShell slower still. */
const TIMEOUT_MS = {
  nvidiaSmi: 10_000,
  rocmSmi: 15_000,
  lspci: 5_000,
  systemProfiler: 15_000,
  powershell: 20_000,
} as const;

/** Finds this machine's GPUs with whatever tools `platform` offers; `sysRoot` is `/sys` except in tests. */
export async function detectDevices(
  run: CommandRunner,
  platform: NodeJS.Platform,
  sysRoot = '/sys',
): Promise<DetectionReport> {
  try {
    switch (platform) {
      case 'linux':
        return await detectLinux(run, sysRoot);
      case 'darwin':
        return await detectMac(run);
      case 'win32':
        return await detectWindows(run);
      default:
        return await detectNvidiaOnly(run);
    }
  } catch (error) {
    // Every step below already turns failures into reports; this is the last line, not the plan.
    return { devices: [], sources: [{ name: 'detection', status: 'failed', reason: `detection stopped: ${String(error)}` }] };
  }
}

interface SourceOutcome {
  devices: DetectedDevice[];
  report: SourceReport;
}

async function detectLinux(run: CommandRunner, sysRoot: string): Promise<DetectionReport> {
  const [nvidia, amd, drm, lspci] = await Promise.all([
    queryNvidiaSmi(run),
    queryTool(run, 'rocm-smi', 'rocm-smi', ROCM_SMI_ARGS, TIMEOUT_MS.rocmSmi, parseRocmSmiJson),
    readDrmCards(sysRoot).catch(() => ({ status: 'missing' as const })),
    queryLspci(run),
  ]);
  const found = [...nvidia.devices, ...amd.devices];
  const known = new Set(found.flatMap((device) => (device.pciBusId ? [device.pciBusId] : [])));
  const cards = drm.status === 'ok' ? drm.cards : [];
  const rest = fallbackDevices(cards, lspci.controllers, known);
  return {
    devices: [...found, ...rest],
    sources: [nvidia.report, amd.report, { name: 'linux-drm', status: drm.status }, lspci.report],
  };
}

async function detectMac(run: CommandRunner): Promise<DetectionReport> {
  const mac = await queryTool(
    run,
    'system_profiler',
    SYSTEM_PROFILER_PATH,
    SYSTEM_PROFILER_ARGS,
    TIMEOUT_MS.systemProfiler,
    parseSystemProfilerJson,
  );
  return { devices: mac.devices, sources: [mac.report] };
}

async function detectWindows(run: CommandRunner): Promise<DetectionReport> {
  const nvidia = await queryNvidiaSmi(run);
  const cim = await queryTool(
    run,
    'Win32_VideoController',
    'powershell.exe',
    POWERSHELL_ARGS,
    TIMEOUT_MS.powershell,
    parseWin32VideoControllerJson,
  );
  const unmatched = nvidia.devices.map((device) => nameKey(device.name));
  const rest = cim.devices.filter((device) => {
    if (device.vendor !== 'nvidia') return true;
    const at = unmatched.indexOf(nameKey(device.name));
    if (at < 0) return true;
    unmatched.splice(at, 1);
    return false;
  });
  return { devices: [...nvidia.devices, ...rest], sources: [nvidia.report, cim.report] };
}

async function detectNvidiaOnly(run: CommandRunner): Promise<DetectionReport> {
  const nvidia = await queryNvidiaSmi(run);
  return { devices: nvidia.devices, sources: [nvidia.report] };
}

/** The device query, then the banner for the CUDA version (optional: its failure is noted, not fatal). */
async function queryNvidiaSmi(run: CommandRunner): Promise<SourceOutcome> {
  const query = await safeRun(run, 'nvidia-smi', NVIDIA_SMI_QUERY_ARGS, TIMEOUT_MS.nvidiaSmi);
  if (query.status !== 'ok') return { devices: [], report: reportOf('nvidia-smi', query) };
  const firstPass = parseNvidiaSmiCsv(query.stdout, null);
  if (firstPass.devices.length === 0) return outcome('nvidia-smi', firstPass);

  const banner = await safeRun(run, 'nvidia-smi', [], TIMEOUT_MS.nvidiaSmi);
  const cuda = banner.status === 'ok' ? parseNvidiaSmiCudaVersion(banner.stdout) : null;
  const parsed = parseNvidiaSmiCsv(query.stdout, cuda);
  if (cuda === null) {
    const why = banner.status === 'failed' ? banner.reason : banner.status === 'missing' ? 'not found' : 'not printed';
    parsed.problems.push(`CUDA version unknown (nvidia-smi banner: ${why})`);
  }
  return outcome('nvidia-smi', parsed);
}

async function queryLspci(run: CommandRunner): Promise<{ controllers: PciDisplayController[]; report: SourceReport }> {
  const result = await safeRun(run, 'lspci', LSPCI_ARGS, TIMEOUT_MS.lspci);
  return {
    controllers: result.status === 'ok' ? parseLspci(result.stdout) : [],
    report: reportOf('lspci', result),
  };
}

async function queryTool(
  run: CommandRunner,
  name: DeviceSource,
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
  parse: (stdout: string) => ParsedDevices,
): Promise<SourceOutcome> {
  const result = await safeRun(run, cmd, args, timeoutMs);
  if (result.status !== 'ok') return { devices: [], report: reportOf(name, result) };
  return outcome(name, parse(result.stdout));
}

/**
 * A tool that ran but printed nothing we understood has failed, not found "no GPUs"; one that gave
 * devices and also skipped lines is ok, with the skipped lines named.
 */
function outcome(name: DeviceSource, parsed: ParsedDevices): SourceOutcome {
  const [first] = parsed.problems;
  if (first === undefined) return { devices: parsed.devices, report: { name, status: 'ok' } };
  const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more)` : '';
  return {
    devices: parsed.devices,
    report: { name, status: parsed.devices.length === 0 ? 'failed' : 'ok', reason: `${first}${more}` },
  };
}

function reportOf(name: DeviceSource, result: CommandResult): SourceReport {
  return result.status === 'failed' ? { name, status: 'failed', reason: result.reason } : { name, status: result.status };
}

/** A runner that throws or rejects is treated as a failed tool, so detection itself never throws. */
async function safeRun(run: CommandRunner, cmd: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  try {
    return await run(cmd, args, timeoutMs);
  } catch (error) {
    return { status: 'failed', reason: `could not run ${cmd}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
