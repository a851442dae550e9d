/**
 * Execution-provider probing with real onnxruntime: cpu works here, CUDA and TensorRT fail for want of
 * their libraries (onnxruntime-node's install script was skipped), WebGPU depends on an adapter, and the
 * Windows- and macOS-only providers are reported without being tried.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ExecutionProviderName, ProviderProbe } from '../../../common/worker-protocol.js';
import { offeredProviders } from '../../../worker/probe/offered-providers.js';
import { probeInProcess } from '../../../worker/probe/probe-in-process.js';
import { probeExecutionProviders, withCpuLast } from '../../../worker/probe/probe-providers.js';
import { probeReason } from '../../../worker/probe/try-provider.js';

const ORT_BIN = fileURLToPath(new URL('../../../node_modules/onnxruntime-node/bin/napi-v6/linux/x64/', import.meta.url));

describe.runIf(process.platform === 'linux')('probing on this machine (linux)', () => {
  it('reports every provider, available or not, with onnxruntime’s reason', async () => {
    const probes = await probeInProcess();
    const byName = Object.fromEntries(probes.map((p) => [p.name, p]));
    expect(probes.map((p) => p.name)).toEqual(['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu']);
    expect(byName.cpu).toEqual({ name: 'cpu', available: true, reason: null });
    expect(byName.dml).toEqual({ name: 'dml', available: false, reason: 'not offered by onnxruntime-node on linux' });
    expect(byName.coreml).toEqual({ name: 'coreml', available: false, reason: 'not offered by onnxruntime-node on linux' });
    // onnxruntime-node's install script (which downloads the CUDA provider) is skipped in this project.
    if (!existsSync(`${ORT_BIN}libonnxruntime_providers_cuda.so`)) {
      expect(byName.cuda).toEqual({ name: 'cuda', available: false, reason: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library' });
      expect(byName.tensorrt).toEqual({ name: 'tensorrt', available: false, reason: 'OrtSessionOptionsAppendExecutionProvider_TensorRT: Failed to load shared library' });
    }
    for (const probe of probes.filter((p) => !p.available)) expect(probe.reason?.length).toBeGreaterThan(0);
  });
});

describe('probe plan', () => {
  it('tries only what onnxruntime-node offers on each platform, in preference order', () => {
    expect(offeredProviders('linux')).toEqual(['tensorrt', 'cuda', 'webgpu', 'cpu']);
    expect(offeredProviders('win32')).toEqual(['dml', 'cuda', 'tensorrt', 'webgpu', 'cpu']);
    expect(offeredProviders('darwin')).toEqual(['coreml', 'webgpu', 'cpu']);
    expect(offeredProviders('freebsd')).toEqual(['cpu']);
  });

  it('probes in the given order, skipping what the platform lacks', async () => {
    const tried: ExecutionProviderName[] = [];
    const probes = await probeExecutionProviders(['coreml', 'dml', 'cuda', 'cpu'], {
      platform: 'darwin',
      tryOne: async (name) => {
        tried.push(name);
        return { name, available: true, reason: null };
      },
    });
    expect(tried).toEqual(['coreml', 'cpu']);
    expect(probes.map((p) => [p.name, p.available])).toEqual([
      ['coreml', true],
      ['dml', false],
      ['cuda', false],
      ['cpu', true],
    ]);
    expect(probes[1]!.reason).toBe('not offered by onnxruntime-node on darwin');
  });

  it('reports a provider that does not answer in time as unavailable and goes on', async () => {
    const started = Date.now();
    const probes = await probeExecutionProviders(['cuda', 'cpu'], {
      platform: 'linux',
      timeoutMs: 100,
      tryOne: (name): Promise<ProviderProbe> => (name === 'cuda' ? new Promise(() => {}) : Promise.resolve({ name, available: true, reason: null })),
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(probes).toEqual([
      { name: 'cuda', available: false, reason: 'did not create and run a session within 100 ms' },
      { name: 'cpu', available: true, reason: null },
    ]);
  });

  it('always ends a worker’s list with cpu', () => {
    expect(withCpuLast(['cuda'])).toEqual(['cuda', 'cpu']);
    expect(withCpuLast(['cpu', 'webgpu'])).toEqual(['webgpu', 'cpu']);
  });

  it('keeps the meaningful part of onnxruntime’s assertion messages', () => {
    const webgpu = new Error(
      '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n',
    );
    expect(probeReason(webgpu)).toBe('Failed to get a WebGPU adapter: No supported adapters');
    expect(probeReason(new Error('no available backend found. ERR: [dml] backend not found.'))).toBe('no available backend found. ERR: [dml] backend not found.');
  });
});
