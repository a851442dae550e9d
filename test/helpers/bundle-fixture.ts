/**
 * Bundles a TypeScript test fixture that imports the real app into one ES module Node can run as a child
 * process (which tests then SIGKILL). Packages that cannot be bundled (a native addon, a WebAssembly
 * loader that reads its .wasm beside itself) stay outside, imported from this checkout by absolute URL.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';

const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles `fixture` into `<outDir>/<name>.mjs`, leaving `external` packages out; returns the script's path. */
export async function bundleFixture(fixture: string, outDir: string, external: readonly string[]): Promise<string> {
  const require = createRequire(import.meta.url);
  const paths = Object.fromEntries(external.map((name) => [name, pathToFileURL(require.resolve(name)).href]));
  const name = fixture.replace(/^.*\//, '').replace(/\.ts$/, '');
  await build({
    configFile: false,
    root: APP_ROOT,
    logLevel: 'silent',
    ssr: { noExternal: true },
    build: {
      ssr: fixture,
      outDir,
      emptyOutDir: true,
      rollupOptions: { external: [...external], output: { entryFileNames: `${name}.mjs`, paths } },
    },
  });
  return join(outDir, `${name}.mjs`);
}
