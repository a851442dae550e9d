import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SseMessage, SseParser } from '../../renderer/api/sse.js';

function parse(chunks: string[]): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = new SseParser((m) => messages.push(m));
  for (const chunk of chunks) parser.push(chunk);
  return messages;
}

describe('SseParser', () => {
  it('reads named events, joins data lines, and skips keep-alive comments', () => {
    const stream = ': keepalive\n\nevent: status\ndata: {"a":1}\n\ndata: one\ndata: two\n\n: keepalive\n\n';
    expect(parse([stream])).toEqual([
      { event: 'status', data: '{"a":1}' },
      { event: 'message', data: 'one\ntwo' },
    ]);
  });

  it('accepts CRLF and CR line ends, and a field without a space after the colon', () => {
    expect(parse(['event:status\r\ndata:x\r\n\r\nevent: b\rdata: y\r\r'])).toEqual([
      { event: 'status', data: 'x' },
      { event: 'b', data: 'y' },
    ]);
  });

  it('does not dispatch an event whose blank line has not arrived', () => {
    expect(parse(['event: status\ndata: {"a":1}\n'])).toEqual([]);
  });

  it('gives the same events however the stream is split into chunks', () => {
    const stream = ': keepalive\r\n\r\nevent: status\r\ndata: {"uptimeMs":1}\r\n\r\nevent: status\ndata: a\ndata: b\n\n';
    const whole = parse([stream]);
    expect(whole).toHaveLength(2);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(stream.slice(from, p));
          from = p;
        }
        chunks.push(stream.slice(from));
        expect(parse(chunks)).toEqual(whole);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an endless line instead of buffering it', () => {
    const parser = new SseParser(() => undefined);
    expect(() => parser.push('data: ' + 'x'.repeat(1024 * 1024 + 1))).toThrow(/exceeded/);
  });
});
