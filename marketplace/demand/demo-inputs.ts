/**
 * Inputs for the local demo's jobs, made in code so nothing is downloaded: a strip of "text" (dark
 * strokes on a light background) for the OCR models and a voiced chunk of audio for Silero VAD. They
 * are synthetic but shaped exactly as the real models take them, so the worker does real work.
 */
import type { Tensor } from '../../common/tensor.js';

/** The models the demand generator knows how to feed, by registry name. */
export type DemoModel = 'silero-vad' | 'ppocr-rec' | 'ppocr-cls' | 'ppocr-det';

function fp32(name: string, shape: number[], values: Float32Array): Tensor {
  return { name, datatype: 'FP32', shape, data: new Uint8Array(values.buffer as ArrayBuffer, values.byteOffset, values.byteLength) };
}

/** A 3-channel image of `height`×`width`, normalised to [-1, 1] as PP-OCR expects, with stroke-like bars. */
function textStrip(height: number, width: number, seed: number): Float32Array {
  const plane = height * width;
  const values = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Vertical strokes of varying width inside a text line band, shifted per job.
      const inBand = y > height * 0.2 && y < height * 0.8;
      const stroke = Math.sin((x + seed * 7) * 0.45) + Math.sin((x + seed * 3) * 0.13) > 0.9;
      const ink = inBand && stroke ? -0.8 : 0.9;
      for (let c = 0; c < 3; c++) values[c * plane + y * width + x] = ink;
    }
  }
  return values;
}

/** 512 samples at 16 kHz of a voiced sound (a few harmonics under an envelope). */
function voicedChunk(seed: number): Float32Array {
  const samples = new Float32Array(512);
  const pitch = 110 + (seed % 7) * 15;
  for (let i = 0; i < samples.length; i++) {
    const t = i / 16_000;
    const envelope = Math.sin((Math.PI * i) / samples.length);
    samples[i] = 0.3 * envelope * (Math.sin(2 * Math.PI * pitch * t) + 0.5 * Math.sin(4 * Math.PI * pitch * t) + 0.25 * Math.sin(6 * Math.PI * pitch * t));
  }
  return samples;
}

/** One job's inputs for `model`; `seed` varies the content from job to job. */
export function demoInputs(model: DemoModel, seed: number): Tensor[] {
  switch (model) {
    case 'silero-vad': {
      const sr = new BigInt64Array([16_000n]);
      return [
        fp32('input', [1, 512], voicedChunk(seed)),
        fp32('state', [2, 1, 128], new Float32Array(2 * 128)),
        { name: 'sr', datatype: 'INT64', shape: [], data: new Uint8Array(sr.buffer) },
      ];
    }
    case 'ppocr-rec':
      return [fp32('x', [1, 3, 48, 320], textStrip(48, 320, seed))];
    case 'ppocr-cls':
      return [fp32('x', [1, 3, 48, 192], textStrip(48, 192, seed))];
    case 'ppocr-det':
      return [fp32('x', [1, 3, 160, 160], textStrip(160, 160, seed))];
  }
}
