/**
 * Turning the text a tool printed into a measured value, or `null` when it measured nothing.
 * Tools say "unknown" in many ways (`[N/A]`, `[Not Supported]`, `N/A`, `unknown`, empty, junk); all of
 * them become `null`, and so does a value outside what the hardware can physically report.
 */

const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;

/** A plain decimal from tool output (string or JSON number), or null for anything else. */
export function parseReading(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!DECIMAL.test(text)) return null;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : null;
}

/** The reading if it lies within [min, max], else null (a sensor's error code is not a temperature). */
export function withinRange(value: number | null, min: number, max: number): number | null {
  return value !== null && value >= min && value <= max ? value : null;
}

/** Degrees Celsius a GPU sensor can plausibly report; error codes such as 255 or 65535 fall outside. */
export function temperatureC(value: number | null): number | null {
  return withinRange(value, -40, 150);
}

/** A utilization percentage, 0–100. */
export function percent(value: number | null): number | null {
  return withinRange(value, 0, 100);
}

/** Watts, from 0 to a generous ceiling for one accelerator. */
export function watts(value: number | null): number | null {
  return withinRange(value, 0, 5000);
}

/** A whole, non-negative byte count that fits a JavaScript number exactly. */
export function byteCount(value: number | null): number | null {
  if (value === null || value < 0) return null;
  const bytes = Math.round(value);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Bytes from a count of mebibytes (nvidia-smi's `nounits` memory columns). */
export function mebibytesToBytes(value: number | null): number | null {
  return value === null ? null : byteCount(value * 1024 * 1024);
}

/** A version string such as `550.54.15` or `31.0.15.5222`, or null if the text is not one. */
export function versionString(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return /^\d+(?:\.\d+)*(?:[-+.~][0-9A-Za-z.+~-]+)?$/.test(text) && text.length <= 64 ? text : null;
}

/** Text fit to show as a device name: trimmed, printable, not empty, at most 200 characters; else null. */
export function displayName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim().replace(/\s+/g, ' ');
  // U+FFFD is what undecodable bytes become: a name holding one is binary junk, not a GPU.
  if (text === '' || withoutControlCharacters(text) !== text) return null;
  return text.slice(0, 200);
}

/** The text with control characters and U+FFFD (undecodable bytes) replaced by `?`. */
export function withoutControlCharacters(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += code < 0x20 || code === 0x7f || code === 0xfffd ? '?' : char;
  }
  return out;
}

/** A short, printable excerpt of tool output for a problem message. */
export function previewText(text: string, max = 60): string {
  const printable = text.trim().replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/** The JSON value in tool output, tolerating warning lines printed before it; null if there is none. */
export function parseJsonOutput(stdout: string): unknown {
  const lines = stdout.replace(/^\uFEFF/, '').split(/\r?\n/);
  const start = lines.findIndex((line) => /^\s*[[{]/.test(line));
  if (start < 0) return null;
  try {
    return JSON.parse(lines.slice(start).join('\n')) as unknown;
  } catch {
    return null;
  }
}

/** A plain JSON object (not an array or null), for walking parsed output safely. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
