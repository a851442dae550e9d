/** Splits a child's stdout/stderr into bounded lines for the log. */

/** Longest line passed on; the rest is cut. */
export const MAX_OUTPUT_LINE = 2000;

// onnxruntime colours its messages; escape sequences and other control characters stay out of the log.
// eslint-disable-next-line no-control-regex
const CONTROL = /\u001b\[[0-9;?]*[A-Za-z]|[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** A line as it goes to the log: no terminal escapes or control characters, at most MAX_OUTPUT_LINE long. */
export function cleanLine(line: string): string {
  return line.replace(CONTROL, '').slice(0, MAX_OUTPUT_LINE);
}

/** Calls `onLine` for each non-empty line `stream` carries, cleaned by cleanLine. */
export function forEachLine(stream: NodeJS.ReadableStream | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  stream.setEncoding('utf8');
  let partial = '';
  stream.on('data', (chunk: string | Buffer) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    // A line with no end must not grow without bound.
    if (partial.length > MAX_OUTPUT_LINE) {
      lines.push(partial);
      partial = '';
    }
    for (const line of lines.map(cleanLine)) if (line.length > 0) onLine(line);
  });
  stream.on('end', () => {
    const line = cleanLine(partial);
    if (line.length > 0) onLine(line);
    partial = '';
  });
}
