import './test/node20-shims.js';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Tests that run onnxruntime in-process must not phone home (SECURITY.md 15), like the worker.
    env: { ORT_DISABLE_TELEMETRY: '1' },
  },
});
