/**
 * nvidia-smi: the NVIDIA driver's own tool, present wherever the driver is (Linux and Windows).
 *
 * Devices come from `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`, one line per GPU,
 * fields separated by ", ", memory in MiB, power in W, temperature in °C, and `[N/A]` or
 * `[Not Supported]` where the card cannot measure something.
 *
 * The CUDA version is not a `--query-gpu` field: it is the highest CUDA the driver supports, printed in
 * the banner of plain `nvidia-smi` ("CUDA Version: 12.4"). detect.ts runs that as a second, optional
 * step; when it fails, `computeApi` stays null rather than being guessed from the driver version.
 */
import type { DetectedDevice, ParsedDevices } from './device.js';
import { normalizePciBusId } from './pci.js';
import {
  displayName,
  mebibytesToBytes,
  parseReading,
  percent,
  previewText,
  temperatureC,
  versionString,
  watts,
} from './reading.js';

/** The `--query-gpu` fields, in the order the parser expects them. */
export const NVIDIA_SMI_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'driver_version',
  'temperature.gpu',
  'utilization.gpu',
  'power.draw',
  'power.limit',
  'pci.bus_id',
] as const;

/** Arguments for the device query. */
export const NVIDIA_SMI_QUERY_ARGS: readonly string[] = [
  `--query-gpu=${NVIDIA_SMI_QUERY_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
];

const FIELD_COUNT = NVIDIA_SMI_QUERY_FIELDS.length;
/** Fields after `name`; a name holding a comma is rebuilt from what lies between. */
const FIELDS_AFTER_NAME = FIELD_COUNT - 3;

/** Parses `--query-gpu` CSV output; `cudaVersion` comes from `parseNvidiaSmiCudaVersion`, or null. */
export function parseNvidiaSmiCsv(stdout: string, cudaVersion: string | null): ParsedDevices {
  const devices: DetectedDevice[] = [];
  const problems: string[] = [];
  const lines = stdout.split(/\r?\n/);
  lines.forEach((rawLine, lineIndex) => {
    const line = rawLine.trim();
    if (line === '') return;
    const device = parseLine(line, cudaVersion);
    if (device) devices.push(device);
    else problems.push(`nvidia-smi line ${lineIndex + 1} not understood: ${previewText(line)}`);
  });
  return { devices, problems };
}

/** The CUDA version from plain `nvidia-smi` (or `nvidia-smi -q`) output, e.g. `12.4`; null if absent. */
export function parseNvidiaSmiCudaVersion(stdout: string): string | null {
  const match = /CUDA Version\s*:\s*(\d+\.\d+(?:\.\d+)?)/.exec(stdout);
  return match?.[1] ?? null;
}

function parseLine(line: string, cudaVersion: string | null): DetectedDevice | null {
  const fields = line.split(',').map((field) => field.trim());
  if (fields.length < FIELD_COUNT) return null;
  const [indexText = '', uuidText = ''] = fields;
  const tail = fields.slice(fields.length - FIELDS_AFTER_NAME);
  const [memTotal, memUsed, driver, temp, util, powerDraw, powerLimit, busId = ''] = tail;
  const name = displayName(fields.slice(2, fields.length - FIELDS_AFTER_NAME).join(', '));
  if (!/^\d+$/.test(indexText) || name === null) return null;

  const pciBusId = normalizePciBusId(busId);
  const uuid = /^GPU-[0-9a-f-]{8,}$/i.test(uuidText) ? uuidText : null;
  return {
    id: uuid ?? (pciBusId ? `pci:${pciBusId}` : `index:${indexText}`),
    name,
    vendor: 'nvidia',
    pciBusId,
    vramTotalBytes: mebibytesToBytes(parseReading(memTotal)),
    vramUsedBytes: mebibytesToBytes(parseReading(memUsed)),
    driverVersion: versionString(driver),
    computeApi: cudaVersion ? `CUDA ${cudaVersion}` : null,
    temperatureC: temperatureC(parseReading(temp)),
    utilizationPercent: percent(parseReading(util)),
    powerDrawW: watts(parseReading(powerDraw)),
    powerLimitW: watts(parseReading(powerLimit)),
    source: 'nvidia-smi',
  };
}
