/**
 * Encoding and decoding of marketplace frames ("HRT1" · u32 LE header length · JSON header · tensor
 * bytes). Decoding checks sizes before parsing and validates the header with the receiver's schema, so a
 * malformed frame is an error value with a stable code, never an exception.
 */
import type { z } from 'zod';
import { type Tensor, tensorDataProblem } from './tensor.js';
import { FRAME_MAGIC, MAX_FRAME_BYTES, MAX_HEADER_BYTES, type TensorHead } from './marketplace-protocol.js';

export type FrameError = { code: 'frame_too_large' | 'frame_malformed' | 'frame_invalid'; message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The head of each tensor, in order, for a message header. */
export function tensorHeads(tensors: readonly Tensor[]): TensorHead[] {
  return tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape], byteLength: t.data.byteLength }));
}

/** Encodes one message and the bytes of the tensors its header lists, in the same order. */
export function encodeFrame(header: object, tensors: readonly Tensor[] = []): Uint8Array<ArrayBuffer> {
  const json = encoder.encode(JSON.stringify(header));
  const total = 8 + json.byteLength + tensors.reduce((sum, t) => sum + t.data.byteLength, 0);
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setUint32(0, FRAME_MAGIC, true);
  view.setUint32(4, json.byteLength, true);
  frame.set(json, 8);
  let offset = 8 + json.byteLength;
  for (const tensor of tensors) {
    frame.set(tensor.data, offset);
    offset += tensor.data.byteLength;
  }
  return frame;
}

type WithTensorHeads = { inputs?: TensorHead[]; outputs?: TensorHead[] | string[] };

/**
 * Decodes a frame against `schema`; the tensors listed in the header's `inputs` or `outputs` heads are
 * returned as views into the frame (no copy), each checked against its datatype and shape.
 */
export function decodeFrame<S extends z.ZodType>(
  frame: Uint8Array<ArrayBuffer>,
  schema: S,
  maxFrameBytes = MAX_FRAME_BYTES,
): { ok: true; message: z.output<S>; tensors: Tensor[] } | { ok: false; error: FrameError } {
  if (frame.byteLength > maxFrameBytes) return fail('frame_too_large', `Frames are limited to ${maxFrameBytes} bytes; this one has ${frame.byteLength}.`);
  if (frame.byteLength < 8) return fail('frame_malformed', 'The frame is shorter than its 8-byte prefix.');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== FRAME_MAGIC) return fail('frame_malformed', 'The frame does not start with HRT1.');
  const headerLength = view.getUint32(4, true);
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > frame.byteLength) {
    return fail('frame_malformed', `The header length ${headerLength} does not fit the frame or the ${MAX_HEADER_BYTES}-byte limit.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(frame.subarray(8, 8 + headerLength)));
  } catch {
    return fail('frame_malformed', 'The frame header is not UTF-8 JSON.');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('frame_invalid', `The message does not match the protocol at ${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'invalid'}.`);
  }
  const message = parsed.data as z.output<S> & WithTensorHeads;
  const heads = [...(message.inputs ?? []), ...(message.outputs ?? [])].filter((h): h is TensorHead => typeof h === 'object');
  const tensors: Tensor[] = [];
  let offset = 8 + headerLength;
  for (const head of heads) {
    if (offset + head.byteLength > frame.byteLength) return fail('frame_malformed', `Tensor ${head.name} runs past the end of the frame.`);
    const tensor: Tensor = { name: head.name, datatype: head.datatype, shape: head.shape, data: frame.subarray(offset, offset + head.byteLength) };
    const problem = tensorDataProblem(tensor);
    if (problem !== null) return fail('frame_invalid', problem);
    tensors.push(tensor);
    offset += head.byteLength;
  }
  if (offset !== frame.byteLength) return fail('frame_malformed', `The frame has ${frame.byteLength - offset} bytes its header does not account for.`);
  return { ok: true, message: parsed.data, tensors };
}

function fail(code: FrameError['code'], message: string): { ok: false; error: FrameError } {
  return { ok: false, error: { code, message } };
}
