/**
 * A Server-Sent Events parser for streams read with fetch (EventSource cannot send the bearer token).
 * Follows the WHATWG event-stream rules the provider relies on: `event:` and `data:` fields, several
 * `data:` lines joined with "\n", `:` comment lines (keep-alives) ignored, a blank line dispatches, and
 * lines may end in "\n", "\r\n" or "\r" — split anywhere across chunks.
 */

/** One dispatched event: its name ("message" when the stream gave none) and its raw data text. */
export type SseMessage = { event: string; data: string };

/** Largest single line accepted; a longer one means a broken or hostile stream. */
export const MAX_SSE_LINE_CHARS = 1024 * 1024;

/** Incremental parser: feed decoded text with `push`; each complete event goes to `onMessage`. */
export class SseParser {
  private buffer = '';
  private pendingCr = false;
  private eventName = '';
  private dataLines: string[] = [];

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  /** Consumes the next piece of the stream; throws when a line exceeds MAX_SSE_LINE_CHARS. */
  push(chunk: string): void {
    let text = chunk;
    // A "\r" that ended the previous chunk already ended its line; a "\n" right after it is the same break.
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;

    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      this.line(this.buffer.slice(start, i));
      if (ch === '\r') {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > MAX_SSE_LINE_CHARS) {
      throw new Error(`An event-stream line exceeded ${MAX_SSE_LINE_CHARS} characters.`);
    }
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.eventName = value;
    else if (field === 'data') this.dataLines.push(value);
    // `id` and `retry` are not used by the provider; unknown fields are ignored, as the spec says.
  }

  private dispatch(): void {
    const name = this.eventName || 'message';
    const lines = this.dataLines;
    this.eventName = '';
    this.dataLines = [];
    if (lines.length === 0) return;
    this.onMessage({ event: name, data: lines.join('\n') });
  }
}
