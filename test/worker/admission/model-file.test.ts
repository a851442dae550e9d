import { spawnSync } from 'node:child_process';
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdmissionError } from '../../../worker/admission/admission-error.js';
import { sha256Hex } from '../../../worker/admission/model-admission.js';
import { readModelFile } from '../../../worker/admission/model-file.js';
import { buildMlp } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const posix = process.platform !== 'win32';
const model = buildMlp({ inputDim: 4, hidden: 4, outputDim: 2, batch: 1, seed: 5 });
const sha = sha256Hex(model);

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await makeTempDir()));
afterEach(() => remove());

async function refusal(promise: Promise<unknown>): Promise<AdmissionError> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(AdmissionError);
  return error as AdmissionError;
}

describe('readModelFile', () => {
  it('reads a plain cached file into memory', async () => {
    await writeFile(join(dir, `${sha}.onnx`), model);
    const bytes = await readModelFile(dir, sha, 1024 * 1024);
    expect(Buffer.from(bytes).equals(Buffer.from(model))).toBe(true);
  });

  it('reads an empty file as empty bytes (admission then calls it invalid)', async () => {
    const emptySha = sha256Hex(new Uint8Array(0));
    await writeFile(join(dir, `${emptySha}.onnx`), new Uint8Array(0));
    expect((await readModelFile(dir, emptySha, 100)).byteLength).toBe(0);
  });

  it('says model_missing for a file that is not there', async () => {
    const error = await refusal(readModelFile(dir, sha, 1024));
    expect(error.code).toBe('model_missing');
    expect(error.message).toBe(`Model ${sha.slice(0, 8)}… is not in the model cache.`);
    expect((await refusal(readModelFile(join(dir, 'no-such-dir'), sha, 1024))).code).toBe('model_missing');
  });

  it('refuses a name that is not a sha256 before touching the disk', async () => {
    await writeFile(join(dir, 'x.onnx'), model);
    for (const name of ['../x', 'x', sha.toUpperCase(), `${sha}/../x`]) {
      expect((await refusal(readModelFile(dir, name, 1024))).code).toBe('model_missing');
    }
  });

  it('refuses a file over the size limit without reading it', async () => {
    await writeFile(join(dir, `${sha}.onnx`), model);
    const error = await refusal(readModelFile(dir, sha, 100));
    expect(error.code).toBe('model_too_large');
    expect(error.message).toBe(`Model ${sha.slice(0, 8)}… is ${model.byteLength} bytes; the limit is 100 bytes.`);
  });

  it.runIf(posix)('refuses a symlink to a real model, and a dangling one', async () => {
    await writeFile(join(dir, 'elsewhere.onnx'), model);
    await symlink(join(dir, 'elsewhere.onnx'), join(dir, `${sha}.onnx`));
    const error = await refusal(readModelFile(dir, sha, 1024 * 1024));
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(/symbolic link/);
    const other = sha256Hex(Uint8Array.of(1));
    await symlink(join(dir, 'missing.onnx'), join(dir, `${other}.onnx`));
    expect((await refusal(readModelFile(dir, other, 1024))).code).toBe('model_rejected');
  });

  it.runIf(posix)('refuses a hard-linked file, whichever of its names is asked for', async () => {
    await writeFile(join(dir, 'outside.onnx'), model);
    await link(join(dir, 'outside.onnx'), join(dir, `${sha}.onnx`));
    const error = await refusal(readModelFile(dir, sha, 1024 * 1024));
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(/has 2 hard links; a cached model must have exactly one/);
  });

  it('refuses a directory in the place of a model', async () => {
    await mkdir(join(dir, `${sha}.onnx`));
    const error = await refusal(readModelFile(dir, sha, 1024 * 1024));
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(/not a plain file/);
  });

  it.runIf(posix && spawnSync('mkfifo', ['--version']).status === 0)('refuses a FIFO without blocking on it', async () => {
    expect(spawnSync('mkfifo', [join(dir, `${sha}.onnx`)]).status).toBe(0);
    expect((await refusal(readModelFile(dir, sha, 1024))).code).toBe('model_rejected');
  });

  it.runIf(posix)('accepts a cache folder that itself sits behind a symlink (as /tmp does on macOS)', async () => {
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', `${sha}.onnx`), model);
    await symlink(join(dir, 'real'), join(dir, 'cache'));
    expect((await readModelFile(join(dir, 'cache'), sha, 1024 * 1024)).byteLength).toBe(model.byteLength);
  });
});
