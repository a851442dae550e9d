import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_OUTPUT_LINE, cleanLine, forEachLine } from '../../../provider/worker/output-lines.js';

async function linesOf(chunks: string[]): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  forEachLine(stream, (line) => lines.push(line));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await new Promise((resolve) => stream.on('end', resolve));
  return lines;
}

describe('worker output lines', () => {
  it('joins chunks into lines, skips empty ones, and passes on a last line with no newline', async () => {
    expect(await linesOf(['one\ntw', 'o\n\n', 'three'])).toEqual(['one', 'two', 'three']);
  });

  it("strips onnxruntime's colours and other control characters", () => {
    expect(cleanLine('\u001b[1;31m2026 [E:onnxruntime] Failed to allocate memory\u001b[m\r')).toBe('2026 [E:onnxruntime] Failed to allocate memory');
    expect(cleanLine('fake\u0008\u0007 entry\ttab')).toBe('fake entry\ttab');
  });

  it('bounds every line, even one that never ends', async () => {
    const lines = await linesOf(['x'.repeat(MAX_OUTPUT_LINE * 3), 'y'.repeat(10)]);
    expect(lines.every((line) => line.length <= MAX_OUTPUT_LINE)).toBe(true);
    expect(lines.join('').length).toBeLessThanOrEqual(MAX_OUTPUT_LINE * 3 + 10);
  });
});
