// The whole loop with real processes: `hearth marketplace` alone (its OIP API and provider endpoint on
// one port) and `hearth start --marketplace …` connected to it. Jobs go in over the OIP REST API with a
// plain fetch (JSON and the binary extension), their outputs match onnxruntime-node run here on the same
// model and inputs, and the provider's ledger shows them credited at the registry's price through its API.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { callApi, type HearthProcess, runHearth, waitForHearth } from '../helpers/hearth-process.js';
import { e2eScope } from '../helpers/e2e-scope.js';
import { REAL_MODELS } from '../helpers/onnx-models.js';

const CONSUMER_KEY = 'e2e-consumer-key-0123456789';
/** The registry's price of one silero-vad run (marketplace/registry/default-models.ts), in base units. */
const VAD_PRICE = 10n;
const NO_TOKEN = '0x0000000000000000000000000000000000000000';

const { tempDir, spawn } = e2eScope();

/** Sends SIGTERM and waits for a clean exit (SIGKILL after 20 s). */
async function stop(proc: HearthProcess): Promise<number | null> {
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
  const code = await proc.exited;
  clearTimeout(timer);
  return code;
}

/** Silero VAD's inputs: 512 samples of a 440 Hz tone at 16 kHz, a zero state, the sample rate. */
function vadInputs() {
  const input = Float32Array.from({ length: 512 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000));
  return { input, state: new Float32Array(256), sr: 16000n };
}

/** What onnxruntime-node gives for the same model and inputs, run directly in this process. */
async function runDirectly(): Promise<Record<string, { dims: readonly number[]; data: Float32Array }>> {
  const { input, state, sr } = vadInputs();
  const session = await ort.InferenceSession.create(REAL_MODELS.sileroVad);
  try {
    const out = await session.run({
      input: new ort.Tensor('float32', input, [1, 512]),
      state: new ort.Tensor('float32', state, [2, 1, 128]),
      sr: new ort.Tensor('int64', BigInt64Array.of(sr), []),
    });
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, { dims: t.dims, data: t.data as Float32Array }]));
  } finally {
    await session.release();
  }
}

type OipOutput = { name: string; datatype: string; shape: number[]; data?: number[]; parameters?: { binary_data_size?: number } };
type OipReply = { model_name: string; parameters: { job_id: string; provider: string }; outputs: OipOutput[] };

/** POSTs an infer request as JSON. */
async function inferJson(base: string): Promise<{ reply: OipReply; values: Record<string, number[]> }> {
  const { input, state, sr } = vadInputs();
  const body = {
    inputs: [
      { name: 'input', datatype: 'FP32', shape: [1, 512], data: Array.from(input) },
      { name: 'state', datatype: 'FP32', shape: [2, 1, 128], data: Array.from(state) },
      { name: 'sr', datatype: 'INT64', shape: [], data: [Number(sr)] },
    ],
  };
  const res = await fetch(`${base}/v2/models/silero-vad/infer`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${CONSUMER_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const reply = JSON.parse(text) as OipReply;
  return { reply, values: Object.fromEntries(reply.outputs.map((o) => [o.name, o.data!])) };
}

/** POSTs an infer request with the binary tensor extension, inputs and outputs as raw little-endian bytes. */
async function inferBinary(base: string): Promise<{ reply: OipReply; values: Record<string, number[]> }> {
  const { input, state, sr } = vadInputs();
  const tensors = [Buffer.from(input.buffer), Buffer.from(state.buffer), Buffer.from(BigInt64Array.of(sr).buffer)];
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: 'input', datatype: 'FP32', shape: [1, 512], parameters: { binary_data_size: tensors[0]!.byteLength } },
        { name: 'state', datatype: 'FP32', shape: [2, 1, 128], parameters: { binary_data_size: tensors[1]!.byteLength } },
        { name: 'sr', datatype: 'INT64', shape: [], parameters: { binary_data_size: tensors[2]!.byteLength } },
      ],
      parameters: { binary_data_output: true },
    }),
  );
  const res = await fetch(`${base}/v2/models/silero-vad/infer`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${CONSUMER_KEY}`, 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.byteLength) },
    body: Buffer.concat([header, ...tensors]),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(res.status, bytes.toString('utf8', 0, 500)).toBe(200);
  const headerLength = Number(res.headers.get('inference-header-content-length'));
  const reply = JSON.parse(bytes.toString('utf8', 0, headerLength)) as OipReply;
  const values: Record<string, number[]> = {};
  let at = headerLength;
  for (const output of reply.outputs) {
    const size = output.parameters!.binary_data_size!;
    expect(output.datatype).toBe('FP32');
    values[output.name] = Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + size)));
    at += size;
  }
  expect(at).toBe(bytes.byteLength);
  return { reply, values };
}

type JobItem = { id: string; state: string; modelSha256: string; token: string; price: string; credited: string | null; deviceId: string | null; seq: number | null };

describe('marketplace and provider as separate processes', () => {
  it('runs OIP jobs on the connected provider, matching onnxruntime, credited in its ledger', { timeout: 180_000 }, async () => {
    const [marketDir, providerDir] = [await tempDir(), await tempDir()];
    const market = spawn(['marketplace', '--port', '0', '--data-dir', marketDir, '--consumer-key', CONSUMER_KEY, '--no-local-worker']);
    const printed = await waitForHearth(() => (market.stdout().includes('Press Ctrl+C') ? market.stdout() : null), 'marketplace start-up', market);
    const base = /OIP API: (http:\/\/127\.0\.0\.1:\d+)\/v2/.exec(printed)![1]!;
    const providerUrl = /Provider URL: (ws:\/\/127\.0\.0\.1:\d+\/provider)/.exec(printed)![1]!;
    const [, coordinator, chainId] = /Coordinator: (0x[0-9a-fA-F]{40}) \(chain id (\d+)/.exec(printed)!;
    expect(providerUrl).toBe(`${base.replace('http', 'ws')}/provider`);
    // The key is kept in the data folder, private to the user.
    expect(readFileSync(join(marketDir, 'coordinator-key.json'), 'utf8')).toMatch(/"privateKey":"0x[0-9a-f]{64}"/);
    // No provider yet: not ready, and a job has nowhere to go.
    expect((await fetch(`${base}/v2/health/ready`)).status).toBe(503);

    const provider = spawn(['start', '--data-dir', providerDir, '--dashboard-port', '0', '--marketplace', base, '--coordinator', coordinator!, '--chain-id', chainId!]);
    const dashboardUrl = await provider.dashboardUrl();
    const node = /this node is (0x[0-9a-fA-F]{40})/.exec(provider.stdout())![1]!;
    await waitForHearth(async () => ((await fetch(`${base}/v2/health/ready`)).status === 200 ? true : null), 'provider connection (health/ready 200)', provider);

    const want = await runDirectly();
    for (const run of [await inferJson(base), await inferBinary(base)]) {
      expect(run.reply.model_name).toBe('silero-vad');
      // The job ran on the remote provider, not in the marketplace.
      expect(run.reply.parameters.provider.toLowerCase()).toBe(node.toLowerCase());
      expect(Object.keys(run.values).sort()).toEqual(Object.keys(want).sort());
      for (const [name, expected] of Object.entries(want)) {
        const got = run.values[name]!;
        expect(got).toHaveLength(expected.data.length);
        got.forEach((value, i) => expect(Math.abs(value - expected.data[i]!), `${name}[${i}]`).toBeLessThanOrEqual(1e-4));
      }
    }

    const token = readFileSync(join(providerDir, 'dashboard-token'), 'utf8').trim();
    // The ack may land a moment after the consumer got its outputs.
    const jobs = await waitForHearth(async () => {
      const page = await callApi<{ items: JobItem[]; nextCursor: string | null }>(dashboardUrl, token, 'jobs.list', { limit: 10 });
      return page.items.length === 2 && page.items.every((j) => j.state === 'credited') ? page.items : null;
    }, 'two credited jobs in the ledger', provider);
    for (const job of jobs) {
      expect(job).toMatchObject({ token: NO_TOKEN, price: String(VAD_PRICE), credited: String(VAD_PRICE), deviceId: 'cpu' });
      expect(job.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(jobs.map((j) => j.seq).sort()).toEqual([1, 2]);
    const earnings = await callApi<{ totals: { token: string; credited: string; jobs: number }[] }>(dashboardUrl, token, 'earnings.summary');
    expect(earnings.totals).toEqual([{ token: NO_TOKEN, credited: String(2n * VAD_PRICE), jobs: 2 }]);
    const status = await callApi<{ marketplace: { state: string; coordinator: string; node: string; jobsDone: number } | null }>(dashboardUrl, token, 'status.get');
    expect(status.marketplace).toMatchObject({ state: 'connected', coordinator, node, jobsDone: 2 });

    // Both stop cleanly on SIGTERM: the provider drains and says bye, the coordinator closes.
    expect(await stop(provider)).toBe(0);
    expect(await stop(market)).toBe(0);
  });

  it('refuses `hearth start --marketplace URL` without --coordinator (exit 2, naming the flag)', async () => {
    const { code, stderr } = await runHearth(['start', '--data-dir', await tempDir(), '--marketplace', 'http://127.0.0.1:7460']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--coordinator/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
