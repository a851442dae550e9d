// The embedded default, as a newcomer runs it: `hearth start` with no marketplace configured starts a
// local coordinator, a local anvil chain with the payout vault and a demand generator. Jobs sent over the
// OIP REST API by a plain HTTP client come back equal to onnxruntime-node run here on the same model and
// inputs; the demand generator's jobs and ours are credited in the provider's ledger, vouchers arrive for
// the local vault, and nothing (anvil included) outlives the provider.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tensor } from '../../common/tensor.js';
import { callApi, spawnHearth, waitForHearth } from '../helpers/hearth-process.js';
import { REAL_MODELS } from '../helpers/onnx-models.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { fp32, infer, int64, valuesOf } from '../marketplace/oip/oip-client.js';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

type DemoInfo = { oipUrl: string; consumerKey: string; coordinator: string; chainId: number; payout: { vault: string; token: string; rpcUrl: string; tokenSymbol: string } };
type JobItem = { id: string; state: string; token: string; price: string; credited: string | null };

/** True while something accepts TCP connections on `url`'s port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** The same model and inputs, run by onnxruntime-node in this process. */
async function runDirectly(model: string, inputs: Tensor[]): Promise<Map<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const feeds = Object.fromEntries(
      inputs.map((t) => [t.name, t.datatype === 'INT64' ? new ort.Tensor('int64', new BigInt64Array(t.data.slice().buffer), t.shape) : new ort.Tensor('float32', new Float32Array(t.data.slice().buffer), t.shape)]),
    );
    const out = await session.run(feeds);
    return new Map(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** A text-line-like image for PP-OCR recognition: dark bars on light, normalised to [-1, 1]. */
function ocrLine(): Tensor {
  const [h, w] = [48, 320];
  const values = new Float32Array(3 * h * w);
  for (let i = 0; i < values.length; i++) values[i] = Math.sin((i % w) * 0.37) > 0.6 && (i / w) % h > 12 ? -0.7 : 0.8;
  return fp32('x', [1, 3, h, w], values);
}

function vadChunk(): Tensor[] {
  const samples = Float32Array.from({ length: 512 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 220 * i) / 16_000));
  return [fp32('input', [1, 512], samples), fp32('state', [2, 1, 128], new Float32Array(256)), int64('sr', [], [16_000n])];
}

describe('the embedded default (hearth start with no marketplace)', () => {
  it('serves OIP jobs through a local coordinator and chain, matching onnxruntime, credited with vouchers', { timeout: 240_000 }, async () => {
    const temp = await makeTempDir('hearth-e2e-demo-');
    cleanups.push(temp.remove);
    const proc = spawnHearth(['start', '--data-dir', temp.dir, '--dashboard-port', '0']);
    cleanups.push(async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
    });
    const dashboardUrl = await proc.dashboardUrl();
    expect(proc.stdout()).toMatch(/Local demo marketplace/);
    const info = JSON.parse(readFileSync(join(temp.dir, 'local-demo', 'local-demo.json'), 'utf8')) as DemoInfo;
    expect(info.payout.tokenSymbol).toBe('HUSD');
    const base = info.oipUrl.replace(/\/v2$/, '');
    await waitForHearth(async () => ((await fetch(`${base}/v2/health/ready`)).status === 200 ? true : null), 'a connected provider (health/ready 200)', proc);

    const cases = [
      { model: 'ppocr-rec', file: REAL_MODELS.ocrRecognition, inputs: [ocrLine()] },
      { model: 'silero-vad', file: REAL_MODELS.sileroVad, inputs: vadChunk() },
    ];
    for (const c of cases) {
      const reply = await infer(base, c.model, c.inputs, { binaryInputs: true, binaryOutputs: true, key: info.consumerKey });
      expect(reply.status, JSON.stringify(reply.json)).toBe(200);
      const want = await runDirectly(c.file, c.inputs);
      expect(reply.outputs.map((o) => o.name).sort()).toEqual([...want.keys()].sort());
      for (const output of reply.outputs) {
        const got = valuesOf(output);
        const expected = want.get(output.name)!;
        expect(got).toHaveLength(expected.length);
        const worst = got.reduce((max, v, i) => Math.max(max, Math.abs(v - expected[i]!)), 0);
        expect(worst, `${c.model} ${output.name}`).toBeLessThanOrEqual(1e-4);
      }
    }
    // Without a key the local demo's OIP API answers 401 like any other.
    expect((await fetch(`${base}/v2/models`)).status).toBe(401);

    const token = readFileSync(join(temp.dir, 'dashboard-token'), 'utf8').trim();
    const status = await callApi<{ marketplace: { state: string; coordinator: string } | null }>(dashboardUrl, token, 'status.get');
    expect(status.marketplace).toMatchObject({ state: 'connected', coordinator: info.coordinator });
    // Our two jobs and the demand generator's are credited in the test token; the ledger agrees with the API.
    const credited = await waitForHearth(async () => {
      const page = await callApi<{ items: JobItem[] }>(dashboardUrl, token, 'jobs.list', { limit: 50 });
      const done = page.items.filter((j) => j.state === 'credited');
      return done.length >= 3 ? done : null;
    }, 'three credited jobs', proc);
    for (const job of credited) expect(job).toMatchObject({ token: info.payout.token.toLowerCase(), credited: job.price });
    const earnings = await callApi<{ totals: { token: string; credited: string; jobs: number }[] }>(dashboardUrl, token, 'earnings.summary');
    expect(earnings.totals).toHaveLength(1);
    expect(BigInt(earnings.totals[0]!.credited)).toBeGreaterThan(0n);

    // Stops cleanly on SIGTERM, and takes the local chain with it.
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(await listening(info.payout.rpcUrl)).toBe(false);
    expect(await listening(base)).toBe(false);
    // The coordinator sent cumulative vouchers for the local vault's token, stored in the provider's ledger.
    const db = new Database(join(temp.dir, 'ledger.sqlite'), { readonly: true });
    try {
      const latest = db.prepare('SELECT token, cumulative_amount AS amount FROM vouchers ORDER BY row DESC LIMIT 1').get() as { token: string; amount: string } | undefined;
      expect(latest?.token).toBe(info.payout.token.toLowerCase());
      expect(BigInt(latest!.amount)).toBeGreaterThan(0n);
    } finally {
      db.close();
    }
  });
});
