/**
 * The consumer side of the coordinator: Open Inference Protocol v2 over HTTP (KServe / Triton), with
 * the binary tensor data extension. Health needs no key; everything else needs a consumer key. Infer
 * requests are parsed into binary tensors, checked against the model before dispatch (400), and
 * answered binary or JSON as the request asks. Errors are OIP error bodies: {"error": "..."}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { WorkerLimits } from '../../common/worker-protocol.js';
import type { DispatchResult, Dispatcher } from '../dispatch/dispatcher.js';
import type { ModelRef } from '../dispatch/dispatch-types.js';
import { BodyTooLarge, readBody } from '../http/read-body.js';
import { sendError, sendJson } from '../http/reply.js';
import type { ModelRegistry, RegisteredModel } from '../registry/model-registry.js';
import { parseInferRequest } from './infer-request.js';
import { encodeInferResponse } from './infer-response.js';
import { modelListEntry, modelMetadata } from './model-metadata.js';
import { inferProblem, signatureOf } from './validate-infer.js';

export type OipRoutesOptions = {
  registry: ModelRegistry;
  dispatcher: Dispatcher;
  /** Whether an Authorization header carries a consumer key. */
  authorized: (authorization: string | undefined) => boolean;
  /** Where providers download a model (GET /models/<sha256> on this server, or a public URL). */
  modelUrl: (sha256: string) => string;
  /** The token prices are in. */
  token: `0x${string}`;
  maxBodyBytes: number;
  inputLimits: Pick<WorkerLimits, 'maxInputBytes' | 'maxInputElements'>;
  /** How long a consumer waits for a job before it fails with 504 (or 503 when no provider took it). */
  jobTimeoutMs: number;
  /** Whether the server can serve inferences now (GET /v2/health/ready). */
  ready: () => boolean;
  version: string;
  logger: Logger;
};

const MODEL_ROUTE = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/;

/** Answers one request under /v2. */
export async function handleOip(req: IncomingMessage, res: ServerResponse, path: string, options: OipRoutesOptions): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/v2/health/live') return sendJson(res, 200, { live: true });
  if (path === '/v2/health/ready') return options.ready() ? sendJson(res, 200, { ready: true }) : sendJson(res, 503, { ready: false });
  if (!options.authorized(req.headers.authorization)) {
    return sendError(res, 401, 'Missing or wrong consumer key: send Authorization: Bearer <key>.', { 'WWW-Authenticate': 'Bearer' });
  }
  if (path === '/v2' || path === '/v2/models') {
    if (method !== 'GET') return sendError(res, 405, `${path} answers GET.`, { Allow: 'GET' });
    if (path === '/v2') return sendJson(res, 200, { name: 'hearth', version: options.version, extensions: ['binary_tensor_data'] });
    return sendJson(res, 200, { models: options.registry.list().map((m) => modelListEntry(m, options.token)) });
  }
  const match = MODEL_ROUTE.exec(path);
  if (match === null) return sendError(res, 404, `No route ${path}; see GET /v2/models.`);
  const name = safeDecode(match[1]!);
  const model = options.registry.byName(name);
  if (model === undefined) return sendError(res, 404, `Unknown model '${name}'; GET /v2/models lists the models served here.`);
  if (match[2] !== undefined && match[2] !== '1') return sendError(res, 404, `Model '${name}' has only version 1.`);
  const action = match[3];
  if (action === '/infer') {
    if (method !== 'POST') return sendError(res, 405, 'Inference requests are POSTed.', { Allow: 'POST' });
    return infer(req, res, model, options);
  }
  if (method !== 'GET') return sendError(res, 405, `${path} answers GET.`, { Allow: 'GET' });
  if (action === '/ready') return sendJson(res, 200, { name: model.name, ready: options.ready() });
  return sendJson(res, 200, modelMetadata(model, options.token));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const signatures = new WeakMap<RegisteredModel, ReturnType<typeof signatureOf>>();

function signature(model: RegisteredModel): ReturnType<typeof signatureOf> {
  let known = signatures.get(model);
  if (known === undefined) {
    known = signatureOf(model);
    signatures.set(model, known);
  }
  return known;
}

async function infer(req: IncomingMessage, res: ServerResponse, model: RegisteredModel, options: OipRoutesOptions): Promise<void> {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') return sendError(res, 415, `Content-Encoding ${encoding} is not accepted; send the body uncompressed.`);
  let body: Buffer;
  try {
    body = await readBody(req, options.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) return sendError(res, 413, `${err.message} Send large tensors as binary data, or split the batch.`, { Connection: 'close' });
    throw err;
  }
  const headerLength = req.headers['inference-header-content-length'];
  const parsed = parseInferRequest(body, Array.isArray(headerLength) ? headerLength[0] : headerLength);
  if (!parsed.ok) return sendError(res, 400, parsed.message);
  const request = parsed.request;
  const problem = inferProblem(request.inputs, request.outputs, signature(model), options.inputLimits);
  if (problem !== null) return sendError(res, 400, problem);
  const ref: ModelRef = { sha256: model.sha256, bytes: model.bytes, url: options.modelUrl(model.sha256), price: { token: options.token, amount: model.price } };
  const result = await options.dispatcher.submit({
    model: ref,
    inputs: request.inputs,
    ...(request.outputs === undefined ? {} : { outputs: request.outputs }),
    deadlineMs: Date.now() + options.jobTimeoutMs,
  });
  if (!result.ok) return sendError(res, statusOf(result), result.error.message, result.error.code === 'no_provider' || result.error.code === 'overloaded' ? { 'Retry-After': '5' } : {});
  const order = request.outputs;
  const outputs = order === undefined ? result.outputs : [...result.outputs].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const encoded = encodeInferResponse({
    modelName: model.name,
    ...(request.id === undefined ? {} : { id: request.id }),
    outputs,
    binaryOutput: request.binaryOutput,
    parameters: { job_id: result.jobId, provider: result.providerId },
  });
  if ('problem' in encoded) return sendError(res, 400, encoded.problem);
  res.writeHead(200, { ...encoded.headers, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  for (const chunk of encoded.chunks) res.write(chunk);
  res.end();
}

/** The HTTP status of a job that produced no outputs. */
export function statusOf(result: Extract<DispatchResult, { ok: false }>): number {
  switch (result.error.code) {
    case 'no_provider':
    case 'overloaded':
    case 'queue_full':
    case 'closed':
      return 503;
    case 'timeout':
      return 504;
    case 'internal':
      return 500;
    case 'failed': {
      const code = result.error.providerCode;
      if (code === 'input_invalid' || code === 'input_too_large' || code === 'output_too_large') return 400;
      if (code !== undefined && code.startsWith('model_')) return 500;
      return 502;
    }
  }
}
