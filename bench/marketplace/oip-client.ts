/**
 * The consumer both servers are measured with: one keep-alive HTTP client (node:http, one socket per
 * request in flight) POSTing the same prebuilt infer request, with binary tensors (Triton's extension:
 * Inference-Header-Content-Length, binary_data_size, binary_data_output) or as JSON. It reads every
 * reply whole and parses its JSON (header), as a consumer would.
 */
import { Agent, request } from 'node:http';
import type { Tensor } from '../../common/tensor.js';

/** How the tensors travel: binary extension both ways, or JSON data arrays both ways. */
export type Encoding = 'binary' | 'json';

/** A prebuilt request: headers and body, sent as is every time. */
export type InferCall = { path: string; headers: Record<string, string>; body: Buffer };

function jsonData(tensor: Tensor): number[] {
  const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  if (tensor.datatype === 'INT64') return Array.from({ length: tensor.data.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
  if (tensor.datatype === 'FP32') return Array.from({ length: tensor.data.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
  throw new Error(`the bench client sends FP32 and INT64 only, not ${tensor.datatype}`);
}

/** Builds the infer request for `model` with `inputs`. */
export function inferCall(model: string, inputs: readonly Tensor[], encoding: Encoding, key: string | null): InferCall {
  const auth: Record<string, string> = key === null ? {} : { Authorization: `Bearer ${key}` };
  const path = `/v2/models/${model}/infer`;
  if (encoding === 'json') {
    const body = Buffer.from(JSON.stringify({ inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: jsonData(t) })) }));
    return { path, body, headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(body.byteLength) } };
  }
  const header = Buffer.from(
    JSON.stringify({
      inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: t.data.byteLength } })),
      parameters: { binary_data_output: true },
    }),
  );
  const body = Buffer.concat([header, ...inputs.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))]);
  return {
    path,
    body,
    headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.byteLength), 'Inference-Header-Content-Length': String(header.byteLength) },
  };
}

class StaleSocket extends Error {}

/** A keep-alive client for one server. */
export class OipClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(base: string, sockets: number) {
    this.url = new URL(base);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** Sends the call; resolves when the reply was read and parsed, rejects on any status but 200. */
  async send(call: InferCall): Promise<void> {
    try {
      await this.once(call);
    } catch (err) {
      // A kept-alive socket the server closed while idle fails on reuse; Node's docs advise one retry.
      if (!(err instanceof StaleSocket)) throw err;
      await this.once(call);
    }
  }

  private once(call: InferCall): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request({ host: this.url.hostname, port: this.url.port, path: call.path, method: 'POST', headers: call.headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          if (res.statusCode !== 200) return reject(new Error(`infer answered ${res.statusCode}: ${body.toString('utf8', 0, 300)}`));
          try {
            const headerLength = res.headers['inference-header-content-length'];
            JSON.parse(body.toString('utf8', 0, headerLength === undefined ? body.byteLength : Number(headerLength)));
            resolve();
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleSocket(err.message) : err));
      req.end(call.body);
    });
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
