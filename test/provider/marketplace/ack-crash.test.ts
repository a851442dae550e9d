/**
 * A credit waits for a shared commit (`Ledger.later`), so a provider killed after the coordinator's
 * `receipt.ack` arrived but before the credit was committed has lost it: this test makes that happen for
 * certain (the node holds its `later` writes for ten minutes, and is SIGKILLed once it has queued the
 * credit), checks the ledger file really holds the job as `result_sent` with no credit, then restarts the
 * node on the same data folder. The job is still unfinished, so the node lists it in `hello.resumeJobs`,
 * the coordinator sends its stored ack again, and the node's ledger ends with the coordinator's credit.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySeqBook } from '../../../marketplace/provider-link/seq-book.js';
import { buildMlp } from '../../helpers/onnx-models.js';
import { bundleFixture } from '../../helpers/bundle-fixture.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { APP_ROOT, WORKER_BUILT, fp32, pidsWith } from '../worker/real-worker.js';
import { type Coordinator, MLP, makeJob, sha256Hex, startCoordinator, waitFor } from '../../marketplace/provider-link/link-fixtures.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/ack-crash-node.ts', import.meta.url));
const mlpBytes = buildMlp(MLP);
const mlp = sha256Hex(mlpBytes);
const inputs = [fp32('x', [1, 4], Float32Array.of(0.5, -1, 2, 0.25))];

let temp: { dir: string; remove: () => Promise<void> };
let bundle: string;
let coordinator: Coordinator;
const seqBook = memorySeqBook();
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  if (!WORKER_BUILT) return;
  temp = await makeTempDir('hearth-ack-crash-');
  // The node is TypeScript importing the real provider; the native addon and the WebAssembly secp256k1 stay outside the bundle.
  bundle = await bundleFixture(FIXTURE, join(temp.dir, 'bundle'), ['better-sqlite3', 'tiny-secp256k1']);
  coordinator = await startCoordinator({ seqBook });
  coordinator.models.set(mlp, mlpBytes);
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await coordinator?.close();
  // Workers of a SIGKILLed node: ours, found by the data folder in their command line.
  if (temp !== undefined) for (const pid of pidsWith(temp.dir)) process.kill(pid, 'SIGKILL');
  await temp?.remove();
});

/** Starts the node; `lines` fills with what it prints. */
function startNode(dataDir: string, nodeKey: string, laterMs: number) {
  const child = spawn(process.execPath, [bundle, dataDir, APP_ROOT, coordinator.url, coordinator.account.address, nodeKey, String(laterMs)], { stdio: 'pipe' });
  children.push(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const waitLine = (line: string, what: string) =>
    waitFor(() => {
      if (child.exitCode !== null) throw new Error(`the node exited (${child.exitCode}) while waiting for ${what}:\n${stderr}`);
      return lines.includes(line);
    }, 60_000, what);
  return { child, lines, exited, waitLine };
}

/** The job's state and credit as the ledger file holds them (read-only: only what was committed). */
function ledgerRow(dataDir: string, jobId: string) {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
  try {
    const job = db.prepare('SELECT state FROM jobs WHERE id = ?').get(jobId) as { state: string } | undefined;
    const credit = db.prepare('SELECT amount FROM credits WHERE job_id = ?').get(jobId) as { amount: string } | undefined;
    return { state: job?.state ?? null, credited: credit?.amount ?? null };
  } finally {
    db.close();
  }
}

describe.skipIf(!WORKER_BUILT)('a provider killed between the ack and the credit’s commit', () => {
  it('gets the credit again from the coordinator after a restart, equal to what the coordinator credited', { timeout: 180_000 }, async () => {
    const dataDir = join(temp.dir, 'node');
    const nodeKey = generatePrivateKey();
    const node = privateKeyToAccount(nodeKey).address;
    const first = startNode(dataDir, nodeKey, 600_000);
    await first.waitLine('welcomed', 'the node to be welcomed');

    const job = makeJob(coordinator.modelRef(mlp, mlpBytes.byteLength), inputs);
    const outcome = await coordinator.link.session(node)!.run(job, inputs, await coordinator.sign(job));
    expect(outcome).toMatchObject({ ok: true });
    await first.waitLine(`ack ${job.id}`, 'the ack to be taken');
    first.child.kill('SIGKILL');
    await first.exited;

    const coordinatorAck = seqBook.ackFor(node, job.id);
    expect(coordinatorAck?.credited).toBe('1000');
    // The kill landed where it should: the result is on disk, the credit is not.
    expect(ledgerRow(dataDir, job.id)).toEqual({ state: 'result_sent', credited: null });
    expect(first.lines).not.toContain(`credited ${job.id} 1000`);

    const second = startNode(dataDir, nodeKey, 25);
    await second.waitLine(`credited ${job.id} 1000`, 'the ack sent again after the restart');
    expect(ledgerRow(dataDir, job.id)).toEqual({ state: 'credited', credited: coordinatorAck!.credited });
    second.child.kill('SIGKILL');
    await second.exited;
    // After a kill, too: the credit was committed before the node said so.
    expect(ledgerRow(dataDir, job.id)).toEqual({ state: 'credited', credited: coordinatorAck!.credited });
  });
});
