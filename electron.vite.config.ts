import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const __dirname = import.meta.dirname;

// One build for every runtime: Electron main (plus the headless `hearth` CLI, which is plain Node and
// shares main's dependency handling), the sandboxed preload (CommonJS, as sandboxed preloads require),
// and the renderer.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          main: resolve(__dirname, 'electron/main.ts'),
          cli: resolve(__dirname, 'provider/cli/main.ts'),
          worker: resolve(__dirname, 'worker/main.ts'),
          'engine-thread': resolve(__dirname, 'worker/engine/engine-thread.ts'),
          bench: resolve(__dirname, 'bench/run.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only electron, events, timers and url: bundle zod and common/.
      externalizeDeps: false,
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve(__dirname, 'electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
});
