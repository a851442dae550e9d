/**
 * Telemetry from nvidia-smi: one `--query-gpu` call for the readings and one `--query-compute-apps` call
 * for the processes on each GPU. Both print CSV without header or units; a field the card cannot
 * measure prints `[N/A]` or `[Not Supported]`, which becomes "not measurable" with that reason, never 0.
 * Device ids follow detection (worker/devices/nvidia-smi.ts): the GPU UUID, else `index:N`.
 */
import { mebibytesToBytes, parseReading, percent, previewText, temperatureC, watts } from '../../worker/devices/reading.js';
import { type DeviceSample, type ForeignProcess, type Measured, measured, notMeasurable } from './sample.js';

/** The readings query. */
export const NVIDIA_TELEMETRY_GPU_ARGS: readonly string[] = [
  '--query-gpu=index,uuid,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw,power.limit',
  '--format=csv,noheader,nounits',
];

/** The processes query: every compute process on every GPU. */
export const NVIDIA_TELEMETRY_APPS_ARGS: readonly string[] = ['--query-compute-apps=gpu_uuid,pid,process_name,used_memory', '--format=csv,noheader,nounits'];

const GPU_FIELDS = 8;

/** One GPU's readings from `--query-gpu`, before the process list is joined in. */
export type NvidiaGpuReading = Omit<DeviceSample, 'foreignProcesses' | 'at'> & { uuid: string | null };

/** What the readings query gave: the GPUs, and the lines it could not read. */
export type NvidiaGpuParse = { gpus: NvidiaGpuReading[]; problems: string[] };

/** Parses `--query-gpu` output (NVIDIA_TELEMETRY_GPU_ARGS). */
export function parseNvidiaGpuQuery(stdout: string): NvidiaGpuParse {
  const gpus: NvidiaGpuReading[] = [];
  const problems: string[] = [];
  stdout.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(',').map((f) => f.trim());
    const [index = '', uuidText = '', util, memUsed, memTotal, temp, draw, limit] = fields;
    if (fields.length !== GPU_FIELDS || !/^\d+$/.test(index)) {
      problems.push(`nvidia-smi line ${i + 1} not understood: ${previewText(line)}`);
      return;
    }
    const uuid = /^GPU-[0-9a-f-]{8,}$/i.test(uuidText) ? uuidText : null;
    gpus.push({
      deviceId: uuid ?? `index:${index}`,
      uuid,
      utilizationPct: reading(util, percent, 'utilization'),
      vramUsedBytes: reading(memUsed, (v) => mebibytesToBytes(v), 'memory used'),
      vramTotalBytes: reading(memTotal, (v) => mebibytesToBytes(v), 'memory total'),
      temperatureC: reading(temp, temperatureC, 'temperature'),
      powerW: reading(draw, watts, 'power draw'),
      powerLimitW: reading(limit, watts, 'power limit'),
    });
  });
  return { gpus, problems };
}

/** A process on a GPU, by the GPU's UUID. */
export type NvidiaComputeApp = { gpuUuid: string; process: ForeignProcess };

/** Parses `--query-compute-apps` output; a line not understood makes the whole list a problem (it cannot be trusted). */
export function parseNvidiaComputeApps(stdout: string): { apps: NvidiaComputeApp[] } | { problem: string } {
  const apps: NvidiaComputeApp[] = [];
  for (const [i, raw] of stdout.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || /^no running (compute )?processes found$/i.test(line)) continue;
    const fields = line.split(',').map((f) => f.trim());
    // A process name may hold commas: it is everything between the pid and the last field.
    const [gpuUuid = '', pidText = ''] = fields;
    const used = fields.at(-1) ?? '';
    const name = fields.slice(2, -1).join(', ');
    if (fields.length < 4 || !/^GPU-[0-9a-f-]{8,}$/i.test(gpuUuid) || !/^\d+$/.test(pidText)) {
      return { problem: `nvidia-smi process line ${i + 1} not understood: ${previewText(line)}` };
    }
    apps.push({ gpuUuid, process: { pid: Number(pidText), name: previewText(name, 200) || `pid ${pidText}`, usedVramBytes: mebibytesToBytes(parseReading(used)) } });
  }
  return { apps };
}

/** Joins readings and processes into samples, leaving out the processes `isOurs` claims (our workers). */
export function nvidiaSamples(
  gpus: readonly NvidiaGpuReading[],
  apps: { apps: NvidiaComputeApp[] } | { problem: string },
  isOurs: (pid: number) => boolean,
  at: number,
): DeviceSample[] {
  return gpus.map(({ uuid, ...gpu }) => {
    let foreignProcesses: Measured<ForeignProcess[]>;
    if ('problem' in apps) foreignProcesses = notMeasurable(apps.problem);
    else if (uuid === null) foreignProcesses = notMeasurable('nvidia-smi gave no UUID for this GPU, so its processes cannot be matched to it.');
    else foreignProcesses = measured(apps.apps.filter((a) => a.gpuUuid.toLowerCase() === uuid.toLowerCase() && !isOurs(a.process.pid)).map((a) => a.process));
    return { ...gpu, at, foreignProcesses };
  });
}

function reading(text: string | undefined, check: (value: number | null) => number | null, what: string): Measured<number> {
  const raw = (text ?? '').trim();
  if (/^\[?(N\/A|Not Supported)\]?$/i.test(raw)) return notMeasurable(`nvidia-smi cannot measure ${what} on this card (${raw}).`);
  const value = check(parseReading(raw));
  if (value === null) return notMeasurable(`nvidia-smi printed "${previewText(raw, 40)}" for ${what}, which is not a reading.`);
  return measured(value);
}
