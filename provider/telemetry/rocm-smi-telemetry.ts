/**
 * Telemetry from rocm-smi (AMD on Linux): one `--json` call with use, memory, temperature and power.
 * Every value is a string keyed by the label text mode prints, and labels drift between releases, so
 * lookups ignore case and try each spelling (as detection does, worker/devices/rocm-smi.ts). rocm-smi
 * does not tie processes to cards in a form we can trust, so foreign processes are "not measurable"
 * on AMD: gaming mode then relies on the fullscreen signal. Device ids follow detection.
 */
import { byteCount, isRecord, parseJsonOutput, parseReading, percent, previewText, temperatureC, watts } from '../../worker/devices/reading.js';
import { normalizePciBusId } from '../../worker/devices/pci.js';
import { type DeviceSample, type Measured, measured, notMeasurable } from './sample.js';

/** The query: use, VRAM, temperature, power now and its cap, bus id (for the device id), as JSON. */
export const ROCM_TELEMETRY_ARGS: readonly string[] = ['--showuse', '--showmeminfo', 'vram', '--showtemp', '--showpower', '--showmaxpower', '--showbus', '--json'];

const NO_PROCESSES = 'rocm-smi does not say which processes use each AMD card; gaming mode relies on the fullscreen-app signal here.';

/** Parses rocm-smi's JSON into one sample per `cardN`; `problem` is set when the output is not JSON at all. */
export function parseRocmSmiTelemetry(stdout: string, at: number): { samples: DeviceSample[]; problem: string | null } {
  const root = parseJsonOutput(stdout);
  if (!isRecord(root)) return { samples: [], problem: `rocm-smi output is not JSON: ${previewText(stdout)}` };
  const samples: DeviceSample[] = [];
  for (const [key, card] of Object.entries(root)) {
    const index = /^card(\d+)$/.exec(key)?.[1];
    if (index === undefined || !isRecord(card)) continue;
    const pci = normalizePciBusId(String(field(card, ['PCI Bus']) ?? ''));
    samples.push({
      deviceId: pci ? `pci:${pci}` : `rocm-smi:${index}`,
      at,
      utilizationPct: reading(card, ['GPU use (%)'], percent, 'utilization'),
      vramUsedBytes: reading(card, ['VRAM Total Used Memory (B)'], byteCount, 'memory used'),
      vramTotalBytes: reading(card, ['VRAM Total Memory (B)'], byteCount, 'memory total'),
      temperatureC: reading(card, ['Temperature (Sensor edge) (C)', 'Temperature (Sensor junction) (C)'], temperatureC, 'temperature'),
      powerW: reading(card, ['Average Graphics Package Power (W)', 'Current Socket Graphics Package Power (W)'], watts, 'power draw'),
      powerLimitW: reading(card, ['Max Graphics Package Power (W)'], watts, 'power limit'),
      foreignProcesses: notMeasurable(NO_PROCESSES),
    });
  }
  samples.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  return { samples, problem: null };
}

function reading(card: Record<string, unknown>, labels: string[], check: (value: number | null) => number | null, what: string): Measured<number> {
  const raw = field(card, labels);
  if (raw === undefined) return notMeasurable(`rocm-smi does not report ${what} for this card.`);
  const value = check(parseReading(raw));
  if (value === null) return notMeasurable(`rocm-smi printed "${previewText(String(raw), 40)}" for ${what}, which is not a reading.`);
  return measured(value);
}

/** The first of `labels` the card has a usable value for (case ignored), else the first present, else undefined. */
function field(card: Record<string, unknown>, labels: string[]): unknown {
  const lower = new Map(Object.entries(card).map(([k, v]) => [k.toLowerCase(), v]));
  const present = labels.map((l) => lower.get(l.toLowerCase())).filter((v) => v !== undefined);
  return present.find((v) => parseReading(v) !== null) ?? present[0];
}
