/**
 * Windows: the WMI class Win32_VideoController, read through PowerShell as JSON.
 *
 * `ConvertTo-Json` prints a single object when there is one adapter and an array when there are
 * several (and nothing at all when there are none). Windows PowerShell 5.1 escapes `&` as `\u0026`,
 * which JSON.parse undoes.
 *
 * `AdapterRAM` is a uint32, so it cannot hold 4 GiB or more: drivers report 4293918720 (0xFFF00000) or
 * 4294967295 for any larger card, and some WMI providers hand back a negative number. Those mean
 * "at least about 4 GiB, exact size unknown" and become null; nvidia-smi supplies the real size for
 * NVIDIA cards. An Intel iGPU's value is the memory its driver reserves, reported as given.
 *
 * Software adapters (Microsoft Basic Display Adapter `ROOT\BasicDisplay`, Remote Display `SWD\…`)
 * are not GPUs and are left out: only `PCI\` devices are reported.
 */
import type { DetectedDevice, DeviceVendor, ParsedDevices } from './device.js';
import { vendorFromPciId } from './pci.js';
import { byteCount, displayName, isRecord, parseJsonOutput, previewText, versionString } from './reading.js';

/** The PowerShell pipeline that prints the adapters as JSON. */
export const WIN32_VIDEO_CONTROLLER_SCRIPT =
  'Get-CimInstance Win32_VideoController | Select-Object Name,AdapterRAM,DriverVersion,PNPDeviceID,AdapterCompatibility | ConvertTo-Json';

/** Arguments for `powershell.exe`. */
export const POWERSHELL_ARGS: readonly string[] = [
  '-NoProfile',
  '-NonInteractive',
  '-Command',
  WIN32_VIDEO_CONTROLLER_SCRIPT,
];

/** The smallest AdapterRAM value that means "capped at the uint32 limit" rather than a size. */
const ADAPTER_RAM_CAPPED = 0xfff00000;

/** Parses the JSON that `WIN32_VIDEO_CONTROLLER_SCRIPT` prints. */
export function parseWin32VideoControllerJson(stdout: string): ParsedDevices {
  if (stdout.trim() === '') return { devices: [], problems: [] };
  const root = parseJsonOutput(stdout);
  const entries = Array.isArray(root) ? root : isRecord(root) ? [root] : null;
  if (entries === null) {
    return { devices: [], problems: [`Win32_VideoController output is not JSON: ${previewText(stdout)}`] };
  }
  const devices: DetectedDevice[] = [];
  const problems: string[] = [];
  entries.forEach((entry: unknown, index) => {
    if (!isRecord(entry)) {
      problems.push(`Win32_VideoController entry ${index} is not an object`);
      return;
    }
    const pnp = typeof entry.PNPDeviceID === 'string' ? entry.PNPDeviceID.trim() : '';
    if (pnp !== '' && !/^PCI\\/i.test(pnp)) return;
    const device = parseEntry(entry, pnp, index);
    if (device) devices.push(device);
    else problems.push(`Win32_VideoController entry ${index} has no name`);
  });
  return { devices, problems };
}

function parseEntry(entry: Record<string, unknown>, pnp: string, index: number): DetectedDevice | null {
  const name = displayName(entry.Name);
  if (name === null) return null;
  const vendor = vendorOf(pnp, entry.AdapterCompatibility);
  const driver = versionString(entry.DriverVersion);
  return {
    id: pnp !== '' ? `pnp:${pnp}` : `Win32_VideoController:${index}`,
    name,
    vendor,
    pciBusId: null,
    vramTotalBytes: adapterRam(entry.AdapterRAM),
    vramUsedBytes: null,
    driverVersion: vendor === 'nvidia' && driver ? nvidiaDriverVersion(driver) : driver,
    computeApi: null,
    temperatureC: null,
    utilizationPercent: null,
    powerDrawW: null,
    powerLimitW: null,
    source: 'Win32_VideoController',
  };
}

function vendorOf(pnp: string, compatibility: unknown): DeviceVendor {
  const pciVendor = /VEN_([0-9A-F]{4})/i.exec(pnp)?.[1];
  if (pciVendor) return vendorFromPciId(pciVendor);
  const text = typeof compatibility === 'string' ? compatibility.toLowerCase() : '';
  if (text.includes('nvidia')) return 'nvidia';
  if (/advanced micro devices|\bamd\b|\bati\b/.test(text)) return 'amd';
  if (text.includes('intel')) return 'intel';
  return 'other';
}

function adapterRam(raw: unknown): number | null {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw <= 0 || raw >= ADAPTER_RAM_CAPPED) return null;
  return byteCount(raw);
}

/**
 * NVIDIA's own version from the Windows one: the last five digits of `31.0.15.5222` are `55222`, which
 * NVIDIA writes `552.22` (what nvidia-smi prints). Anything that does not fit is returned unchanged.
 */
function nvidiaDriverVersion(windowsVersion: string): string {
  const parts = windowsVersion.split('.');
  if (parts.length !== 4) return windowsVersion;
  const digits = `${parts[2]}${parts[3]?.padStart(4, '0')}`.slice(-5);
  return /^\d{5}$/.test(digits) ? `${Number(digits.slice(0, 3))}.${digits.slice(3)}` : windowsVersion;
}
