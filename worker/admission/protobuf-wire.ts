/**
 * A protobuf wire-format field reader that works in place over the model's bytes. Admission reads ONNX
 * with it instead of a generated decoder because a decoder materializes every repeated number: a 200 MB
 * model of packed int32 zeros grows a JavaScript array past V8's limit and aborts the process (measured
 * with onnx-proto 8 on Node 20), and unknown fields would vanish silently instead of being refused.
 */

/** The bytes are not well-formed protobuf; admission reports it as model_invalid. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Steps through the fields of one message; payloads are offsets into the shared buffer, never copies. */
export class FieldReader {
  /** Field number of the current field. */
  field = 0;
  wireType = 0;
  /** The current varint's value (exact below 2^53, approximate above; never negative). */
  value = 0;
  /** Payload bounds of the current length-delimited field. */
  start = 0;
  end = 0;
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    from = 0,
    private readonly limit = buf.byteLength,
  ) {
    this.pos = from;
  }

  /** Advances to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.limit) return false;
    const at = this.pos;
    const key = this.varint();
    // protobuf keys are 32-bit; field 0 does not exist.
    if (key > 0xffffffff || key < 8) throw new WireFormatError(`bad field key at byte ${at}`);
    this.field = Math.floor(key / 8);
    this.wireType = key % 8;
    switch (this.wireType) {
      case WIRE_VARINT:
        this.value = this.varint();
        break;
      case WIRE_FIXED64:
        this.skip(8, at);
        break;
      case WIRE_LEN: {
        const length = this.varint();
        if (length > this.limit - this.pos) throw new WireFormatError(`field ${this.field} at byte ${at} runs past the end of its message`);
        this.start = this.pos;
        this.end = this.pos + length;
        this.pos = this.end;
        break;
      }
      case WIRE_FIXED32:
        this.skip(4, at);
        break;
      default:
        // Groups (3, 4) are long deprecated and nothing in ONNX uses them; 6 and 7 do not exist.
        throw new WireFormatError(`unsupported wire type ${this.wireType} at byte ${at}`);
    }
    return true;
  }

  /** A reader over the current field's payload, which must be length-delimited. */
  message(context: string): FieldReader {
    this.expect(WIRE_LEN, context);
    return new FieldReader(this.buf, this.start, this.end);
  }

  /** The current field's payload as UTF-8 text. */
  string(context: string): string {
    this.expect(WIRE_LEN, context);
    try {
      return utf8.decode(this.buf.subarray(this.start, this.end));
    } catch {
      throw new WireFormatError(`${context} is not valid UTF-8`);
    }
  }

  /** The current field's varint. */
  varintValue(context: string): number {
    this.expect(WIRE_VARINT, context);
    return this.value;
  }

  private expect(wireType: number, context: string): void {
    if (this.wireType !== wireType) throw new WireFormatError(`${context} has wire type ${this.wireType}, expected ${wireType}`);
  }

  private skip(count: number, at: number): void {
    if (count > this.limit - this.pos) throw new WireFormatError(`field ${this.field} at byte ${at} runs past the end of its message`);
    this.pos += count;
  }

  private varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.limit) throw new WireFormatError(`varint at byte ${this.pos} runs past the end of its message`);
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (i === 9 && byte > 1) break;
        return result;
      }
      scale *= 128;
    }
    throw new WireFormatError(`varint at byte ${this.pos} is longer than 64 bits`);
  }
}
