import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Where the log files live inside the data folder. */
export function logDir(dataDir: string): string {
  return join(dataDir, 'logs');
}

/** Characters pino-roll refuses anywhere in a path (it guards Windows names), though POSIX folders may hold them. */
const ROTATION_UNSAFE = /[<>"|?*\0]|(?<!^[A-Za-z]):/;

/**
 * A pino logger writing JSON lines to files in the data folder, on pino's worker thread so logging never
 * blocks the provider: rotating daily or at 10 MB with seven kept (pino-roll), or, when the folder's path
 * holds characters pino-roll refuses, one plain file — the app keeps working in any folder the OS allows.
 */
export function createLogger(dataDir: string, level: string): { logger: Logger; close: () => Promise<void>; rotating: boolean } {
  const rotating = !ROTATION_UNSAFE.test(logDir(dataDir));
  const transport = rotating
    ? pino.transport({
        target: 'pino-roll',
        options: { file: join(logDir(dataDir), 'hearth'), extension: '.log', frequency: 'daily', size: '10m', limit: { count: 7 }, mkdir: true },
      })
    : pino.transport({ target: 'pino/file', options: { destination: join(logDir(dataDir), 'hearth.log'), mkdir: true } });
  const logger = pino({ level, base: { pid: process.pid } }, transport);
  // The transport's thread is unref'd, so nothing else keeps the event loop alive while it drains:
  // a ref'd timer does, and bounds the wait.
  const close = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(guard);
        resolve();
      };
      const guard = setTimeout(done, 2000);
      transport.once('close', done);
      logger.flush(() => transport.end());
    });
  return { logger, close, rotating };
}
