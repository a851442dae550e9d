/**
 * How `hearth status`, `hearth jobs` and `hearth earnings` reach the running provider: the data folder
 * holds the dashboard token and, while `hearth start` runs, `dashboard.json` with the port it really
 * listens on (it may have picked a free one). Calls go over the headless HTTP API through the contract's
 * validated client, so replies are checked exactly as the dashboard checks them.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { createValidatedApi } from '../../common/api-client.js';
import type { ApiMethod, ApiResult, HearthApi, MethodInput, MethodOutput } from '../../common/api.js';
import { writeFileAtomic } from '../atomic-file.js';
import { defaultDataDir } from '../data-dir.js';
import { TOKEN_FILE } from '../http/token.js';

/** Where a running headless provider records its dashboard port and process id. */
export const DASHBOARD_FILE = 'dashboard.json';

const DashboardRecord = z.object({ port: z.number().int().min(1).max(65535), pid: z.number().int().positive() });
type DashboardRecord = z.infer<typeof DashboardRecord>;

/** Records the dashboard's port and this process's id (0600), for the commands that read the provider. */
export async function writeDashboardRecord(dataDir: string, port: number): Promise<void> {
  await writeFileAtomic(join(dataDir, DASHBOARD_FILE), `${JSON.stringify({ port, pid: process.pid })}\n`, 0o600);
}

/** Removes the record at stop, unless another process has since written its own. */
export async function removeDashboardRecord(dataDir: string): Promise<void> {
  const record = await readRecord(dataDir).catch(() => null);
  if (record !== null && record.pid !== process.pid) return;
  await rm(join(dataDir, DASHBOARD_FILE), { force: true });
}

/** A failure of these commands that a person reads as one line (exit code 1). */
export class ProviderUnreachable extends Error {}

/** A connection to the running provider: the validated API and what it was reached with. */
export type ProviderConnection = { api: HearthApi; port: number; dataDir: string };

/** Finds the provider running on `dataDir`; throws ProviderUnreachable saying how to start it. */
export async function connectToProvider(dataDir: string): Promise<ProviderConnection> {
  const notRunning = new ProviderUnreachable(`No Hearth provider is running with the data folder ${dataDir}. Start it with \`hearth start${dataDirFlag(dataDir)}\` and try again.`);
  const token = await readToken(dataDir);
  const record = await readRecord(dataDir);
  if (token === null || record === null || !processAlive(record.pid)) throw notRunning;
  const base = `http://127.0.0.1:${record.port}/api/`;
  const api = createValidatedApi({
    async call(method, input) {
      try {
        const res = await fetch(base + method, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input),
          signal: AbortSignal.timeout(30_000),
        });
        return await res.json();
      } catch {
        return { ok: false, error: { code: 'unavailable', message: notRunning.message } };
      }
    },
    // These commands read once and exit; they never follow events.
    subscribe: () => () => undefined,
  });
  return { api, port: record.port, dataDir };
}

/** Calls `method` and returns its value, or throws ProviderUnreachable with the provider's own sentence. */
export async function callProvider<M extends ApiMethod>(connection: ProviderConnection, method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  // The mapped type cannot be indexed by a generic key and keep its pairing; each entry is the method's own.
  const call = connection.api.call[method] as unknown as (input: MethodInput<M>) => Promise<ApiResult<MethodOutput<M>>>;
  const result = await call(input);
  if (result.ok) return result.value;
  if (result.error.code === 'unauthorized') {
    throw new ProviderUnreachable(
      `The provider on port ${connection.port} refused the token in ${join(connection.dataDir, TOKEN_FILE)}; that port may now belong to another Hearth. Restart the provider with \`hearth start${dataDirFlag(connection.dataDir)}\`.`,
    );
  }
  throw new ProviderUnreachable(result.error.message);
}

async function readToken(dataDir: string): Promise<string | null> {
  try {
    const token = (await readFile(join(dataDir, TOKEN_FILE), 'utf8')).trim();
    return /^[0-9a-f]{64}$/.test(token) ? token : null;
  } catch {
    return null;
  }
}

async function readRecord(dataDir: string): Promise<DashboardRecord | null> {
  try {
    const parsed = DashboardRecord.safeParse(JSON.parse(await readFile(join(dataDir, DASHBOARD_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// A record left behind by a provider that was killed names a process that is gone.
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function dataDirFlag(dataDir: string): string {
  return dataDir === defaultDataDir() ? '' : ` --data-dir ${dataDir}`;
}
