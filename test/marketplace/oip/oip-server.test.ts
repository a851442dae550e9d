/**
 * The coordinator end to end: a real server on port 0, the real model registry (the npm models), the
 * dispatcher and the in-process provider on a real sandboxed worker, which downloads each model from
 * GET /models/<sha256>. Outputs are compared with onnxruntime-node run directly here on the same inputs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import pino from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../../common/tensor.js';
import { Dispatcher } from '../../../marketplace/dispatch/dispatcher.js';
import { type LocalWorkerSession, localWorkerSession } from '../../../marketplace/dispatch/local-worker-session.js';
import { eip712JobSigner } from '../../../marketplace/provider-link/job-signing.js';
import { defaultModelSpecs } from '../../../marketplace/registry/default-models.js';
import { ModelRegistry } from '../../../marketplace/registry/model-registry.js';
import { type MarketplaceServer, startMarketplaceServer } from '../../../marketplace/server.js';
import { seededRandom } from '../../helpers/onnx-models.js';
import { APP_ROOT, WORKER_BUILT } from '../../provider/worker/real-worker.js';
import { fp32, infer, int64, valuesOf } from './oip-client.js';

const KEY = 'test-consumer-key-0123456789';
const MAX_BODY = 8 * 1024 * 1024;
const logger = pino({ enabled: false });

let registry: ModelRegistry;
let dispatcher: Dispatcher;
let server: MarketplaceServer;
let session: LocalWorkerSession;
let base: string;

function random(count: number, seed: number, scale = 1): Float32Array {
  const next = seededRandom(seed);
  return Float32Array.from({ length: count }, () => next() * scale);
}

/** The same inputs run through onnxruntime-node in this process. */
async function direct(model: string, inputs: Tensor[]): Promise<Record<string, number[]>> {
  const session = await ort.InferenceSession.create(registry.byName(model)!.path, { intraOpNumThreads: 2 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) {
      feeds[t.name] = t.datatype === 'INT64' ? new ort.Tensor('int64', BigInt64Array.from(valuesOf(t), (v) => BigInt(v)), t.shape) : new ort.Tensor('float32', Float32Array.from(valuesOf(t)), t.shape);
    }
    const results = await session.run(feeds);
    return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, Array.from(t.data as Float32Array)]));
  } finally {
    await session.release();
  }
}

function expectClose(got: Tensor, want: number[], tolerance: number): void {
  const values = valuesOf(got);
  expect(values.length).toBe(want.length);
  let worst = 0;
  values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]!))));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

const vadInputs = (): Tensor[] => [fp32('input', [1, 512], random(512, 1, 0.3)), fp32('state', [2, 1, 128], new Float32Array(256)), int64('sr', [], [16000n])];
const recInputs = (): Tensor[] => [fp32('x', [1, 3, 48, 320], random(3 * 48 * 320, 2))];
const get = (path: string, key: string | null = KEY) => fetch(`${base}${path}`, { headers: key === null ? {} : { Authorization: `Bearer ${key}` } });

beforeAll(async () => {
  registry = new ModelRegistry();
  for (const spec of defaultModelSpecs()) await registry.register(spec);
  dispatcher = new Dispatcher({ signer: eip712JobSigner(privateKeyToAccount(generatePrivateKey()), 31337), logger });
  server = await startMarketplaceServer({ registry, dispatcher, consumerKeys: [KEY], logger, port: 0, maxBodyBytes: MAX_BODY });
  base = server.url;
  if (WORKER_BUILT) {
    session = await localWorkerSession({ appRoot: APP_ROOT, logger, worker: { intraOpNumThreads: 2 } });
    dispatcher.addSession(session);
  }
}, 60_000);

afterAll(async () => {
  dispatcher?.close();
  await server?.close();
  await session?.close();
});

describe.skipIf(!WORKER_BUILT)('the OIP server on a real sandboxed worker', () => {
  it('runs silero-vad with binary tensors both ways, matching onnxruntime run directly', async () => {
    const inputs = vadInputs();
    const reply = await infer(base, 'silero-vad', inputs, { binaryInputs: true, binaryOutputs: true, key: KEY });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/octet-stream');
    expect(reply.json).toMatchObject({ model_name: 'silero-vad', parameters: { provider: session.id } });
    const want = await direct('silero-vad', inputs);
    const byName = Object.fromEntries(reply.outputs.map((t) => [t.name, t]));
    expect(byName.output!.shape).toEqual([1, 1]);
    expectClose(byName.output!, want.output!, 1e-5);
    expectClose(byName.stateN!, want.stateN!, 1e-5);
  });

  it('runs silero-vad with JSON in and JSON out, int64 scalar included', async () => {
    const inputs = vadInputs();
    const reply = await infer(base, 'silero-vad', inputs, { binaryInputs: false, binaryOutputs: false, key: KEY });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(reply.headers.get('inference-header-content-length')).toBeNull();
    const want = await direct('silero-vad', inputs);
    expectClose(reply.outputs.find((t) => t.name === 'output')!, want.output!, 1e-5);
  });

  it('runs ppocr-rec with binary tensors and with JSON, both equal to onnxruntime direct', async () => {
    const inputs = recInputs();
    const want = (await direct('ppocr-rec', inputs))['softmax_11.tmp_0']!;
    const binary = await infer(base, 'ppocr-rec', inputs, { binaryInputs: true, binaryOutputs: true, key: KEY });
    expect(binary.status).toBe(200);
    expect(binary.outputs[0]!.shape).toEqual([1, 40, 6625]);
    expectClose(binary.outputs[0]!, want, 1e-4);
    const json = await infer(base, 'ppocr-rec', inputs, { binaryInputs: false, binaryOutputs: false, key: KEY });
    expect(json.status).toBe(200);
    expectClose(json.outputs[0]!, want, 1e-4);
  });

  it('answers one output binary and the other JSON when only one asks for binary_data', async () => {
    const { body, headers } = (await import('./oip-client.js')).inferRequest(vadInputs(), { binaryInputs: true, binaryOutputs: false, key: KEY });
    const header = JSON.parse(Buffer.from(body.subarray(0, Number(headers['Inference-Header-Content-Length']))).toString()) as Record<string, unknown>;
    header.outputs = [{ name: 'stateN', parameters: { binary_data: true } }, { name: 'output' }];
    const json = Buffer.from(JSON.stringify(header));
    const binary = body.subarray(Number(headers['Inference-Header-Content-Length']));
    const response = await fetch(`${base}/v2/models/silero-vad/infer`, {
      method: 'POST',
      headers: { ...headers, 'Inference-Header-Content-Length': String(json.byteLength) },
      body: Buffer.concat([json, binary]),
    });
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const length = Number(response.headers.get('inference-header-content-length'));
    const reply = JSON.parse(Buffer.from(bytes.subarray(0, length)).toString()) as { outputs: { name: string; data?: number[]; parameters?: { binary_data_size: number } }[] };
    expect(reply.outputs.map((o) => o.name)).toEqual(['stateN', 'output']);
    expect(reply.outputs[0]!.parameters).toEqual({ binary_data_size: 2 * 128 * 4 });
    expect(reply.outputs[1]!.data).toHaveLength(1);
    expect(bytes.byteLength - length).toBe(2 * 128 * 4);
  });
});

describe('the OIP server in front of the worker', () => {
  it('answers health without a key, and ready once a provider is connected', async () => {
    expect(await (await get('/v2/health/live', null)).json()).toEqual({ live: true });
    const ready = await get('/v2/health/ready', null);
    expect(ready.status).toBe(WORKER_BUILT ? 200 : 503);
  });

  it('lists the npm models with their sha256 and price, and describes each one', async () => {
    const list = (await (await get('/v2/models')).json()) as { models: { name: string; sha256: string; price_per_run: string }[] };
    expect(list.models.map((m) => m.name)).toEqual(['silero-vad', 'ppocr-det', 'ppocr-rec', 'ppocr-cls']);
    for (const entry of list.models) {
      const file = readFileSync(registry.byName(entry.name)!.path);
      expect(entry.sha256).toBe(createHash('sha256').update(file).digest('hex'));
      expect(entry.price_per_run).toMatch(/^[1-9][0-9]*$/);
    }
    const vad = await (await get('/v2/models/silero-vad')).json();
    expect(vad).toMatchObject({
      name: 'silero-vad',
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'input', datatype: 'FP32', shape: [-1, -1] },
        { name: 'state', datatype: 'FP32', shape: [2, -1, 128] },
        { name: 'sr', datatype: 'INT64', shape: [] },
      ],
      outputs: [
        { name: 'output', datatype: 'FP32', shape: [-1, 1] },
        { name: 'stateN', datatype: 'FP32', shape: [-1, -1, -1] },
      ],
    });
    const rec = await (await get('/v2/models/ppocr-rec')).json();
    expect(rec).toMatchObject({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 48, -1] }] });
  });

  it.each([
    ['a wrong shape', 'ppocr-rec', [fp32('x', [1, 3, 32, 160], new Float32Array(3 * 32 * 160))], /Input 'x' has 32 at dim 2; the model expects \[p2o.DynamicDimension.0, 3, 48, p2o.DynamicDimension.1\]/],
    ['a wrong datatype', 'silero-vad', [fp32('input', [1, 512], new Float32Array(512)), fp32('state', [2, 1, 128], new Float32Array(256)), fp32('sr', [], Float32Array.of(16000))], /'sr' is FP32; the model expects INT64/],
    ['a wrong input name', 'ppocr-rec', [fp32('image', [1, 3, 48, 160], new Float32Array(3 * 48 * 160))], /no input 'image'/],
    ['a missing input', 'silero-vad', [fp32('input', [1, 512], new Float32Array(512))], /Missing input/],
  ])('refuses %s with 400 and an OIP error before dispatch', async (_what, model, inputs, message) => {
    for (const binaryInputs of [true, false]) {
      const reply = await infer(base, model, inputs, { binaryInputs, binaryOutputs: true, key: KEY });
      expect(reply.status).toBe(400);
      expect(reply.json.error).toMatch(message);
    }
  });

  it.each([
    ['data of the wrong JSON type', { inputs: [{ name: 'sr', shape: [], datatype: 'INT64', data: [1.5] }] }, /INT64: element 0 is 1.5, not an integer/],
    ['a datatype OIP does not have', { inputs: [{ name: 'x', shape: [1], datatype: 'FLOAT', data: [1] }] }, /datatype "FLOAT"/],
    ['data that does not fill the shape', { inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3] }] }, /holds 4 elements; its data has 3/],
    ['a BOOL given as a number', { inputs: [{ name: 'x', shape: [1], datatype: 'BOOL', data: [1] }] }, /not true or false/],
    ['an unknown output', { inputs: [{ name: 'x', shape: [1, 3, 48, 8], datatype: 'FP32', data: new Array(3 * 48 * 8).fill(0) }], outputs: [{ name: 'logits' }] }, /no output 'logits'/],
  ])('refuses %s with 400', async (_what, body, message) => {
    const response = await fetch(`${base}/v2/models/ppocr-rec/infer`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('refuses binary sizes that do not add up', async () => {
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 8], datatype: 'FP32', parameters: { binary_data_size: 3 * 48 * 8 * 4 } }] }));
    const response = await fetch(`${base}/v2/models/ppocr-rec/infer`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Inference-Header-Content-Length': String(header.byteLength) },
      body: Buffer.concat([header, Buffer.alloc(100)]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/claims 4608 binary bytes/);
  });

  it('answers 401 without a key or with a wrong one, on infer and on the model list', async () => {
    for (const key of [null, 'test-consumer-key-0123456780', 'short']) {
      expect((await infer(base, 'silero-vad', vadInputs(), { binaryInputs: true, binaryOutputs: true, ...(key === null ? {} : { key }) })).status).toBe(401);
      const list = await get('/v2/models', key);
      expect(list.status).toBe(401);
      expect(await list.json()).toHaveProperty('error');
    }
  });

  it('answers 413 to a body over the limit, declared or chunked', async () => {
    const huge = Buffer.alloc(MAX_BODY + 1024 * 1024);
    const declared = await fetch(`${base}/v2/models/ppocr-rec/infer`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: huge });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toMatch(/limited to 8388608 bytes/);
    const chunks = async function* () {
      for (let i = 0; i < 9; i++) yield new Uint8Array(1024 * 1024);
    };
    const chunked = await fetch(`${base}/v2/models/ppocr-rec/infer`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: ReadableStream.from(chunks()), duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('answers 404 with an OIP error for an unknown model', async () => {
    const reply = await infer(base, 'gpt-17', vadInputs(), { binaryInputs: true, binaryOutputs: true, key: KEY });
    expect(reply.status).toBe(404);
    expect(reply.json.error).toMatch(/Unknown model 'gpt-17'/);
    expect((await get('/v2/models/gpt-17')).status).toBe(404);
  });

  it('serves model bytes by sha256 without a key, with their length, and 404 for an unknown hash', async () => {
    for (const model of registry.list()) {
      const response = await get(`/models/${model.sha256}`, null);
      expect(response.status).toBe(200);
      expect(Number(response.headers.get('content-length'))).toBe(model.bytes);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(model.sha256);
    }
    expect((await get(`/models/${'0'.repeat(64)}`, null)).status).toBe(404);
    expect((await get('/models/../package.json', null)).status).toBe(404);
  });

  it('exposes /metrics as Prometheus text with jobs by outcome, latency, providers and queue depth', async () => {
    const response = await get('/metrics', null);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const samples = new Map<string, number>();
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('# ')) {
        expect(line).toMatch(/^# (HELP [a-z_]+ .+|TYPE [a-z_]+ (counter|gauge|histogram))$/);
        continue;
      }
      const sample = /^([a-z_]+(?:\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})?) (-?[0-9.e+-]+|\+Inf)$/.exec(line);
      expect(sample, line).not.toBeNull();
      samples.set(sample![1]!, Number(sample![2]));
    }
    expect(samples.get('hearth_providers_connected')).toBe(WORKER_BUILT ? 1 : 0);
    expect(samples.get('hearth_queue_depth')).toBe(0);
    if (WORKER_BUILT) expect(samples.get('hearth_jobs_total{outcome="ok"}')).toBeGreaterThanOrEqual(5);
    expect(samples.get('hearth_dispatch_duration_seconds_count')).toBe(samples.get('hearth_dispatch_duration_seconds_bucket{le="+Inf"}'));
    expect(samples.get('hearth_http_responses_total{code="400"}')).toBeGreaterThan(0);
  });
});

describe('the OIP server with no provider connected', () => {
  it('answers 503 with an OIP error once the job deadline passes, and is not ready', async () => {
    const lonely = new Dispatcher({ signer: eip712JobSigner(privateKeyToAccount(generatePrivateKey()), 31337), logger });
    const alone = await startMarketplaceServer({ registry, dispatcher: lonely, consumerKeys: [KEY], logger, port: 0, jobTimeoutMs: 200 });
    try {
      const reply = await infer(alone.url, 'silero-vad', vadInputs(), { binaryInputs: true, binaryOutputs: true, key: KEY });
      expect(reply.status).toBe(503);
      expect(reply.json.error).toMatch(/No provider is connected/);
      expect((await fetch(`${alone.url}/v2/health/ready`)).status).toBe(503);
    } finally {
      lonely.close();
      await alone.close();
    }
  });
});
