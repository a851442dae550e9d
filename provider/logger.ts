import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Where the rotating log files live inside the data folder. */
export function logDir(dataDir: string): string {
  return join(dataDir, 'logs');
}

/**
 * A pino logger writing JSON lines to rotating files in the data folder (daily or 10 MB, seven kept).
 * The file transport runs on pino's worker thread, so logging never blocks the provider.
 */
export function createLogger(dataDir: string, level: string): { logger: Logger; close: () => Promise<void> } {
  const transport = pino.transport({
    target: 'pino-roll',
    options: {
      file: join(logDir(dataDir), 'hearth'),
      extension: '.log',
      frequency: 'daily',
      size: '10m',
      limit: { count: 7 },
      mkdir: true,
    },
  });
  const logger = pino({ level, base: { pid: process.pid } }, transport);
  const close = () =>
    new Promise<void>((resolve) => {
      logger.flush(() => {
        transport.once('close', () => resolve());
        transport.end();
      });
    });
  return { logger, close };
}
