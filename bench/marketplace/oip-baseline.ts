/**
 * The marketplace section's baseline: a minimal single-process Open Inference Protocol v2 server —
 * node:http, POST /v2/models/{name}/infer only, the same request parser and response encoder (and so
 * the same binary tensor extension and JSON forms) as the coordinator, and onnxruntime-node in this
 * process with the worker's session options. No hops, no hashing, no signatures. Runs one inference at
 * a time per model, as a worker does with batching off.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../common/tensor.js';
import { readBody } from '../../marketplace/http/read-body.js';
import { sendError } from '../../marketplace/http/reply.js';
import { parseInferRequest } from '../../marketplace/oip/infer-request.js';
import { encodeInferResponse } from '../../marketplace/oip/infer-response.js';
import { defaultModelSpecs } from '../../marketplace/registry/default-models.js';
import { sessionOptionsFor } from '../../worker/engine/session-options.js';
import { fromOrtTensor, toOrtTensor } from '../../worker/inference/ort-tensors.js';
import { serveBench } from '../child-link.js';

const INFER = /^\/v2\/models\/([^/]+)\/infer$/;
const MAX_BODY_BYTES = 256 * 1024 * 1024;

type Served = { session: ort.InferenceSession; queue: Promise<unknown> };

/** Loads the named default models (e.g. ppocr-rec, silero-vad) and serves them until the bench disconnects. */
export async function serveOipBaselineChild(names: readonly string[]): Promise<void> {
  const options = sessionOptionsFor('cpu', Math.max(1, availableParallelism()));
  const models = new Map<string, Served>();
  for (const spec of defaultModelSpecs().filter((s) => names.includes(s.name))) {
    models.set(spec.name, { session: await ort.InferenceSession.create(spec.path, options), queue: Promise.resolve() });
  }
  const run = (model: Served, inputs: Tensor[], outputs: string[] | undefined): Promise<Tensor[]> => {
    const next = model.queue.then(async () => {
      const feeds = Object.fromEntries(inputs.map((t) => [t.name, toOrtTensor(t)]));
      const result = await (outputs === undefined ? model.session.run(feeds) : model.session.run(feeds, outputs));
      return Object.entries(result).map(([name, tensor]) => fromOrtTensor(name, tensor));
    });
    model.queue = next.catch(() => undefined);
    return next;
  };
  const server = createServer((req, res) => {
    const name = INFER.exec((req.url ?? '/').split('?')[0]!)?.[1];
    const model = name === undefined ? undefined : models.get(name);
    if (req.method !== 'POST' || model === undefined || name === undefined) return sendError(res, 404, 'POST /v2/models/{name}/infer only.');
    (async () => {
      const body = await readBody(req, MAX_BODY_BYTES);
      const headerLength = req.headers['inference-header-content-length'];
      const parsed = parseInferRequest(body, Array.isArray(headerLength) ? headerLength[0] : headerLength);
      if (!parsed.ok) return sendError(res, 400, parsed.message);
      const outputs = await run(model, parsed.request.inputs, parsed.request.outputs);
      const encoded = encodeInferResponse({ modelName: name, outputs, binaryOutput: parsed.request.binaryOutput });
      if ('problem' in encoded) return sendError(res, 400, encoded.problem);
      res.writeHead(200, encoded.headers);
      for (const chunk of encoded.chunks) res.write(chunk);
      res.end();
    })().catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  serveBench({ url }, () => Promise.resolve(null), async () => {
    server.closeAllConnections();
    server.close();
    for (const model of models.values()) await model.session.release();
  });
}
