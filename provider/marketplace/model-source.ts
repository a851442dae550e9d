/**
 * Gets a job's model into the content-addressed cache: a cached copy is used as is; otherwise the model
 * is downloaded from the signed URL (http or https), never past its declared size or the job's deadline,
 * and stored only if its bytes hash to the signed sha256 (ModelCache.put checks). Concurrent jobs for
 * one model share one download. The model stays pinned until the job releases it.
 */
import type { JobSpec } from '../../common/marketplace-protocol.js';
import type { ModelCache } from '../models/model-cache.js';

export type ModelReady = { ok: true; release: () => void } | { ok: false; expired: boolean; message: string };

/** Makes a job's model available to the workers. */
export interface ModelSource {
  ensure(model: JobSpec['model'], deadlineMs: number): Promise<ModelReady>;
}

export type HttpModelSourceOptions = {
  cache: ModelCache;
  /** Largest model accepted (the workers' maxModelBytes). */
  maxModelBytes: number;
  fetch?: typeof fetch;
  now?: () => number;
};

type Download = { ok: true } | { ok: false; expired: boolean; message: string };

/** A model source that downloads over HTTP into the model cache. */
export function httpModelSource(options: HttpModelSourceOptions): ModelSource {
  const downloads = new Map<string, Promise<Download>>();
  const now = options.now ?? Date.now;
  return {
    async ensure(model, deadlineMs) {
      if (model.bytes > options.maxModelBytes) {
        return { ok: false, expired: false, message: `Model ${short(model.sha256)} is ${model.bytes} bytes; this node runs models up to ${options.maxModelBytes} bytes.` };
      }
      const release = options.cache.pin(model.sha256);
      if (await options.cache.touch(model.sha256)) return { ok: true, release };
      let download = downloads.get(model.sha256);
      if (download === undefined) {
        download = fetchModel(options, model, deadlineMs - now()).finally(() => downloads.delete(model.sha256));
        downloads.set(model.sha256, download);
      }
      const result = await download;
      if (result.ok) return { ok: true, release };
      release();
      return result;
    },
  };
}

async function fetchModel(options: HttpModelSourceOptions, model: JobSpec['model'], timeLeftMs: number): Promise<Download> {
  const url = new URL(model.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, expired: false, message: `Model URL scheme ${url.protocol} is not http or https.` };
  if (timeLeftMs <= 0) return { ok: false, expired: true, message: 'The job expired before its model could be downloaded.' };
  const signal = AbortSignal.timeout(timeLeftMs);
  try {
    const response = await (options.fetch ?? fetch)(url, { signal, redirect: 'follow' });
    if (!response.ok || response.body === null) return { ok: false, expired: false, message: `Model download answered HTTP ${response.status}.` };
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared !== model.bytes) {
      await response.body.cancel();
      return { ok: false, expired: false, message: `Model download is ${declared} bytes; the job says ${model.bytes}.` };
    }
    const bytes = await readExactly(response.body, model.bytes);
    if (bytes === null) return { ok: false, expired: false, message: `Model download is not the ${model.bytes} bytes the job says.` };
    await options.cache.put(bytes, model.sha256);
    return { ok: true };
  } catch (err) {
    if (signal.aborted) return { ok: false, expired: true, message: 'The job expired while its model was downloading.' };
    return { ok: false, expired: false, message: `Model ${short(model.sha256)} could not be fetched: ${(err as Error).message}` };
  }
}

async function readExactly(body: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array | null> {
  const out = new Uint8Array(size);
  let at = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return at === size ? out : null;
    if (at + value.byteLength > size) {
      await reader.cancel();
      return null;
    }
    out.set(value, at);
    at += value.byteLength;
  }
}

function short(sha256: string): string {
  return `${sha256.slice(0, 8)}…`;
}
