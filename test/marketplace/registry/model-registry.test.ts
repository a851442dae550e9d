import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../marketplace/dispatch/dispatcher.js';
import { eip712JobSigner } from '../../../marketplace/provider-link/job-signing.js';
import { defaultModelSpecs } from '../../../marketplace/registry/default-models.js';
import { ModelRegistry } from '../../../marketplace/registry/model-registry.js';
import { type MarketplaceServer, startMarketplaceServer } from '../../../marketplace/server.js';
import { buildCustomDomainModel, buildMlp } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const KEY = 'registry-test-key-0123456789';
const MLP = { inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 5 } as const;
let temp: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  temp = await makeTempDir('hearth-registry-');
});
afterAll(async () => {
  await temp?.remove();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the model registry', () => {
  it('registers the npm models under their names with the sha256 of their files and admission metadata', async () => {
    const registry = new ModelRegistry();
    for (const spec of defaultModelSpecs()) await registry.register(spec);
    expect(registry.list().map((m) => m.name)).toEqual(['silero-vad', 'ppocr-det', 'ppocr-rec', 'ppocr-cls']);
    const vad = registry.byName('silero-vad')!;
    expect(vad.sha256).toBe(sha256(readFileSync(vad.path)));
    expect(registry.bySha256(vad.sha256)).toBe(vad);
    expect(vad.inputs.map((i) => `${i.name}:${i.datatype}`)).toEqual(['input:FP32', 'state:FP32', 'sr:INT64']);
    expect(vad.public).toBe(true);
    expect(sha256(await registry.readBytes(vad.sha256))).toBe(vad.sha256);
  });

  it('refuses a bad name, a float price, a duplicate name and a model the workers would refuse', async () => {
    const registry = new ModelRegistry();
    const path = join(temp.dir, 'mlp.onnx');
    await writeFile(path, buildMlp(MLP));
    await expect(registry.register({ name: '../etc', path, price: '1' })).rejects.toThrow(/must be 1–128 letters/);
    await expect(registry.register({ name: 'mlp', path, price: '0.5' })).rejects.toThrow(/whole number of base units/);
    await registry.register({ name: 'mlp', path, price: '1' });
    await expect(registry.register({ name: 'mlp', path, price: '1' })).rejects.toThrow(/already registered/);
    const hostile = join(temp.dir, 'hostile.onnx');
    await writeFile(hostile, buildCustomDomainModel('evil.exfiltrate'));
    await expect(registry.register({ name: 'hostile', path: hostile, price: '1' })).rejects.toThrow(/hostile .*cannot be served: .*evil\.exfiltrate/);
  });
});

describe('GET /models/<sha256>', () => {
  let registry: ModelRegistry;
  let dispatcher: Dispatcher;
  let server: MarketplaceServer;
  let changing: string;

  beforeAll(async () => {
    registry = new ModelRegistry();
    const publicPath = join(temp.dir, 'public.onnx');
    const privatePath = join(temp.dir, 'private.onnx');
    changing = join(temp.dir, 'changing.onnx');
    await writeFile(publicPath, buildMlp(MLP));
    await writeFile(privatePath, buildMlp({ ...MLP, seed: 6 }));
    await writeFile(changing, buildMlp({ ...MLP, seed: 7 }));
    await registry.register({ name: 'public', path: publicPath, price: '1' });
    await registry.register({ name: 'private', path: privatePath, price: '1', public: false });
    await registry.register({ name: 'changing', path: changing, price: '1' });
    const logger = pino({ enabled: false });
    dispatcher = new Dispatcher({ signer: eip712JobSigner(privateKeyToAccount(generatePrivateKey()), 31337), logger });
    server = await startMarketplaceServer({ registry, dispatcher, consumerKeys: [KEY], logger, port: 0 });
  });
  afterAll(async () => {
    dispatcher?.close();
    await server?.close();
  });

  it('streams a public model to anyone, with its length and hash as ETag, and HEAD without the body', async () => {
    const model = registry.byName('public')!;
    const response = await fetch(`${server.url}/models/${model.sha256}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${model.sha256}"`);
    expect(Number(response.headers.get('content-length'))).toBe(model.bytes);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(model.sha256);
    const head = await fetch(`${server.url}/models/${model.sha256}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(model.bytes);
  });

  it('serves a private model only with a consumer key, and says 404 otherwise', async () => {
    const model = registry.byName('private')!;
    expect((await fetch(`${server.url}/models/${model.sha256}`)).status).toBe(404);
    const keyed = await fetch(`${server.url}/models/${model.sha256}`, { headers: { Authorization: `Bearer ${KEY}` } });
    expect(keyed.status).toBe(200);
    expect(sha256(new Uint8Array(await keyed.arrayBuffer()))).toBe(model.sha256);
  });

  it('refuses to serve a file that changed on disk after it was registered', async () => {
    const model = registry.byName('changing')!;
    await appendFile(changing, Buffer.from([0]));
    const response = await fetch(`${server.url}/models/${model.sha256}`);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toMatch(/changed after it was registered/);
    await expect(registry.readBytes(model.sha256)).rejects.toThrow(/changed after it was registered/);
  });

  it('answers 404 for a malformed or unknown hash and 405 for other methods', async () => {
    for (const path of ['/models/', '/models/ABC', `/models/${'f'.repeat(64)}`, `/models/${'f'.repeat(64)}/x`]) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    }
    expect((await fetch(`${server.url}/models/${'f'.repeat(64)}`, { method: 'DELETE' })).status).toBe(405);
  });
});
