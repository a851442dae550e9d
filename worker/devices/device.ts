/**
 * What device detection reports about one GPU. Richer than the dashboard's `Device` (common/api.ts):
 * the worker keeps live readings for pause rules and admission, the dashboard gets `toApiDevice()`.
 *
 * Every measured field is `null` when the tool could not measure it (`[N/A]`, `[Not Supported]`,
 * missing, garbage). Zero is a real reading, never a stand-in for "unknown".
 */
import type { Device } from '../../common/api.js';

export type DeviceVendor = Device['vendor'];

/** Which tool or file a device was read from. */
export type DeviceSource =
  | 'nvidia-smi'
  | 'rocm-smi'
  | 'system_profiler'
  | 'Win32_VideoController'
  | 'linux-drm'
  | 'lspci';

export interface DetectedDevice {
  /**
   * Stable across reboots where the tool allows: the GPU UUID (`GPU-…`), else `pci:<bus id>`, else the
   * Windows PnP instance (`pnp:PCI\VEN_…`), else the tool's own index (`nvidia-smi:0`, `system_profiler:0`).
   */
  id: string;
  name: string;
  vendor: DeviceVendor;
  /** PCI address as `dddd:bb:dd.f`, lower case; used to merge what several sources saw. */
  pciBusId: string | null;
  /** Dedicated memory only; `null` for unified or shared memory (see system-profiler.ts). */
  vramTotalBytes: number | null;
  vramUsedBytes: number | null;
  driverVersion: string | null;
  /** e.g. `CUDA 12.4`, `ROCm 6.1`, `Metal 3`. */
  computeApi: string | null;
  temperatureC: number | null;
  utilizationPercent: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
  source: DeviceSource;
}

/** What a parser made of one tool's output: the devices, and what it had to skip and why. */
export interface ParsedDevices {
  devices: DetectedDevice[];
  problems: string[];
}

const API_TEXT_MAX = 200;

/** Maps a detected device to the dashboard's `Device` shape from common/api.ts. */
export function toApiDevice(device: DetectedDevice): Device {
  return {
    id: device.id.slice(0, API_TEXT_MAX),
    name: device.name.slice(0, API_TEXT_MAX),
    vendor: device.vendor,
    vramBytes: device.vramTotalBytes,
  };
}
