/** Where the built worker lives and what of the app it may read. */
import { join } from 'node:path';

/** The worker entry and its read-only paths for an app rooted at `appRoot` (the folder with package.json). */
export function workerAppPaths(appRoot: string): { entry: string; readPaths: string[] } {
  return {
    entry: join(appRoot, 'out', 'main', 'worker.js'),
    // The built code, the dependencies it imports (onnxruntime-node's addon and libraries among them),
    // and package.json, which tells Node the built files are ES modules. Nothing else of the app.
    readPaths: [join(appRoot, 'out'), join(appRoot, 'node_modules'), join(appRoot, 'package.json')],
  };
}
