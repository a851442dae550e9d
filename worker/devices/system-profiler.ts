/**
 * macOS: `system_profiler SPDisplaysDataType -json`, one entry per GPU under `SPDisplaysDataType`.
 *
 * Apple Silicon entries (`sppci_model` "Apple M2 Pro", `sppci_cores` "19") carry no VRAM key because
 * the GPU shares the Mac's unified memory. We report `vramTotalBytes: null` there rather than the
 * machine's RAM: macOS and every app share that memory, and Metal's real budget for one process
 * (`recommendedMaxWorkingSetSize`, typically two thirds to three quarters of RAM) is not printed here,
 * so the RAM size would overstate what a model can use. Intel iGPUs' `spdisplays_vram_shared` is
 * likewise borrowed system memory and also maps to null. Intel Macs' discrete cards print
 * `spdisplays_vram` ("8 GB", where GB means GiB), which is dedicated memory and is reported.
 *
 * system_profiler measures nothing live: temperature, load and power are always null.
 */
import type { DetectedDevice, DeviceVendor, ParsedDevices } from './device.js';
import { byteCount, displayName, isRecord, parseJsonOutput, parseReading, previewText } from './reading.js';

/** Where macOS keeps it; named in full because an app started from Finder may lack /usr/sbin on PATH. */
export const SYSTEM_PROFILER_PATH = '/usr/sbin/system_profiler';

/** Arguments for `system_profiler`. */
export const SYSTEM_PROFILER_ARGS: readonly string[] = ['SPDisplaysDataType', '-json'];

/** Parses `system_profiler SPDisplaysDataType -json` output. */
export function parseSystemProfilerJson(stdout: string): ParsedDevices {
  const root = parseJsonOutput(stdout);
  if (!isRecord(root) || !Array.isArray(root.SPDisplaysDataType)) {
    return { devices: [], problems: [`system_profiler output is not SPDisplaysDataType JSON: ${previewText(stdout)}`] };
  }
  const devices: DetectedDevice[] = [];
  const problems: string[] = [];
  root.SPDisplaysDataType.forEach((entry: unknown, index) => {
    const device = isRecord(entry) ? parseEntry(entry, index) : null;
    if (device) devices.push(device);
    else problems.push(`system_profiler entry ${index} has no GPU model`);
  });
  return { devices, problems };
}

function parseEntry(entry: Record<string, unknown>, index: number): DetectedDevice | null {
  const model = displayName(entry.sppci_model) ?? displayName(entry._name);
  if (model === null) return null;
  const vendor = vendorOf(entry.spdisplays_vendor, model);
  const cores = parseReading(entry.sppci_cores);
  const name = vendor === 'apple' && cores !== null && Number.isInteger(cores) ? `${model} (${cores}-core GPU)` : model;
  return {
    id: `system_profiler:${index}`,
    name,
    vendor,
    pciBusId: null,
    vramTotalBytes: vendor === 'apple' ? null : dedicatedVram(entry.spdisplays_vram),
    vramUsedBytes: null,
    driverVersion: null,
    computeApi: metalSupport(entry),
    temperatureC: null,
    utilizationPercent: null,
    powerDrawW: null,
    powerLimitW: null,
    source: 'system_profiler',
  };
}

/** `sppci_vendor_Apple`, `sppci_vendor_amd`, or older spellings such as "ATI (0x1002)". */
function vendorOf(raw: unknown, model: string): DeviceVendor {
  const text = `${typeof raw === 'string' ? raw : ''} ${model}`.toLowerCase();
  if (/apple|106b/.test(text)) return 'apple';
  if (/nvidia|10de/.test(text)) return 'nvidia';
  if (/\bamd\b|_amd|\bati\b|radeon|1002/.test(text)) return 'amd';
  if (/intel|8086/.test(text)) return 'intel';
  return 'other';
}

/** "8 GB" or "1536 MB" (binary units, as macOS means them) to bytes. */
function dedicatedVram(raw: unknown): number | null {
  if (typeof raw !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(GB|MB)\s*$/i.exec(raw);
  if (!match) return null;
  const unit = match[2]?.toUpperCase() === 'GB' ? 1024 ** 3 : 1024 ** 2;
  return byteCount(Number(match[1]) * unit);
}

/** "spdisplays_metal3" → "Metal 3"; an older family-only key → "Metal"; nothing → null. */
function metalSupport(entry: Record<string, unknown>): string | null {
  const support = entry.spdisplays_mtlgpufamilysupport;
  const version = typeof support === 'string' ? /metal(\d+)$/i.exec(support)?.[1] : undefined;
  if (version) return `Metal ${version}`;
  const family = entry.spdisplays_metalfamily ?? entry.spdisplays_metal;
  if (typeof family === 'string' && /metal|mtlgpufamily|supported/i.test(family)) return 'Metal';
  return null;
}
