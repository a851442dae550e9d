/**
 * rocm-smi: AMD's management tool for GPUs driven by amdgpu (Linux).
 *
 * With `--json` it prints one object keyed `card0`, `card1`, … plus `system`, every value a string,
 * keys being the labels the text mode prints. Labels drift between releases ("Card series" in 5.x,
 * "Card Series" in 6.x; "Average Graphics Package Power (W)" or "Current Socket Graphics Package
 * Power (W)" depending on the card's firmware), so lookups ignore case and try each spelling. It may
 * print a warning line before the JSON.
 *
 * `computeApi` stays null: rocm-smi does not print the ROCm version, and Debian packages rocm-smi
 * on its own, so its presence does not prove a ROCm runtime is installed. The execution-provider
 * probe is where we learn what actually runs.
 */
import type { DetectedDevice, ParsedDevices } from './device.js';
import { normalizePciBusId } from './pci.js';
import {
  byteCount,
  displayName,
  isRecord,
  parseJsonOutput,
  parseReading,
  percent,
  previewText,
  temperatureC,
  versionString,
  watts,
} from './reading.js';

/** Arguments for the device query. */
export const ROCM_SMI_ARGS: readonly string[] = [
  '--showproductname',
  '--showmeminfo',
  'vram',
  '--showtemp',
  '--showuse',
  '--showpower',
  '--showmaxpower',
  '--showbus',
  '--showdriverversion',
  '--json',
];

/** Parses `rocm-smi … --json` output into one device per `cardN` entry. */
export function parseRocmSmiJson(stdout: string): ParsedDevices {
  if (stdout.trim() === '') return { devices: [], problems: [] };
  const root = parseJsonOutput(stdout);
  if (!isRecord(root)) {
    return { devices: [], problems: [`rocm-smi output is not JSON: ${previewText(stdout)}`] };
  }
  const system = isRecord(root.system) ? root.system : {};
  const driverVersion = versionString(field(system, 'Driver version'));

  const devices: DetectedDevice[] = [];
  const problems: string[] = [];
  const cards = Object.entries(root)
    .map(([key, value]) => ({ index: /^card(\d+)$/.exec(key)?.[1], key, value }))
    .filter((card): card is { index: string; key: string; value: unknown } => card.index !== undefined)
    .sort((a, b) => Number(a.index) - Number(b.index));
  for (const card of cards) {
    if (!isRecord(card.value)) {
      problems.push(`rocm-smi ${card.key} is not an object`);
      continue;
    }
    devices.push(parseCard(card.index, card.value, driverVersion));
  }
  return { devices, problems };
}

function parseCard(index: string, card: Record<string, unknown>, driverVersion: string | null): DetectedDevice {
  const pciBusId = normalizePciBusId(String(field(card, 'PCI Bus') ?? ''));
  return {
    id: pciBusId ? `pci:${pciBusId}` : `rocm-smi:${index}`,
    name: productName(card) ?? `AMD GPU (card${index})`,
    vendor: 'amd',
    pciBusId,
    vramTotalBytes: byteCount(parseReading(field(card, 'VRAM Total Memory (B)'))),
    vramUsedBytes: byteCount(parseReading(field(card, 'VRAM Total Used Memory (B)'))),
    driverVersion,
    computeApi: null,
    temperatureC: temperatureC(
      parseReading(field(card, 'Temperature (Sensor edge) (C)')) ??
        parseReading(field(card, 'Temperature (Sensor junction) (C)')),
    ),
    utilizationPercent: percent(parseReading(field(card, 'GPU use (%)'))),
    powerDrawW: watts(
      parseReading(field(card, 'Average Graphics Package Power (W)')) ??
        parseReading(field(card, 'Current Socket Graphics Package Power (W)')),
    ),
    powerLimitW: watts(parseReading(field(card, 'Max Graphics Package Power (W)'))),
    source: 'rocm-smi',
  };
}

/**
 * "AMD Radeon RX 7900 XTX" from 6.x's marketing name ("Radeon RX 7900 XTX"), or from 5.x's pci.ids
 * entry ("Navi 31 [Radeon RX 7900 XT/7900 XTX]": the bracket holds the product).
 */
function productName(card: Record<string, unknown>): string | null {
  const raw = displayName(field(card, 'Card Series') ?? field(card, 'Device Name'));
  if (raw === null || /^(n\/a|unknown)$/i.test(raw)) return null;
  const bracketed = /\[([^\]]+)\]\s*$/.exec(raw)?.[1]?.trim();
  const product = bracketed || raw;
  return /^amd\b/i.test(product) ? product : `AMD ${product}`;
}

/** A card's value under `label`, matched without regard to case. */
function field(record: Record<string, unknown>, label: string): unknown {
  if (label in record) return record[label];
  const wanted = label.toLowerCase();
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? undefined : record[key];
}
