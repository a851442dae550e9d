/**
 * SECURITY.md 16: kill -9 during writes, again and again. A child process runs jobs through the ledger
 * (offer → … → credit, vouchers, failures, and the resume of what the previous child left) and prints a
 * line only after each commit; the parent SIGKILLs it at a random moment, then reopens the file and
 * holds the ledger to every printed line. A process kill keeps what reached the OS, so this proves
 * atomic transactions and commit-before-acknowledge; surviving power loss is synchronous=FULL's job,
 * asserted where the pragmas are read back (database.test.ts).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Ledger } from '../../../provider/ledger/ledger.js';
import { bundleFixture } from '../../helpers/bundle-fixture.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { TOKEN } from './ledger-fixtures.js';

const ROUNDS = 32;
const FIXTURE = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

let temp: { dir: string; remove: () => Promise<void> };
let bundle: string;

beforeAll(async () => {
  temp = await makeTempDir('hearth-ledger-crash-');
  // The writer is TypeScript importing the real ledger; the native addon stays outside the bundle.
  bundle = await bundleFixture(FIXTURE, join(temp.dir, 'bundle'), ['better-sqlite3']);
});

afterAll(async () => {
  await temp?.remove();
});

/** Runs one writer until it has printed `linesAfterResume` lines past its resume, then SIGKILLs it. */
function killMidWrite(path: string, prefix: string, linesAfterResume: number, extraDelayMs: number): Promise<string[]> {
  const child = spawn(process.execPath, [bundle, path, prefix, TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let resumedAt = -1;
  let killing = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (resumedAt < 0) resumedAt = lines.indexOf('resumed');
    if (!killing && resumedAt >= 0 && lines.length - resumedAt > linesAfterResume) {
      killing = true;
      setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`the writer exited by itself (${code}) instead of being killed:\n${stderr}`));
    });
  });
}

/** Sum of canonical decimal strings. */
const total = (amounts: Iterable<string>) => [...amounts].reduce((sum, amount) => sum + BigInt(amount), 0n);

it(`keeps every acknowledged row through ${ROUNDS} SIGKILLs during writes, with the sums balanced`, { timeout: 120_000 }, async () => {
  const path = join(temp.dir, 'ledger.sqlite');
  const offered = new Set<string>();
  const failed = new Set<string>();
  const credited = new Map<string, string>();
  let voucherHigh = 0n;
  let killedMidJob = 0;

  for (let round = 0; round < ROUNDS; round++) {
    const lines = await killMidWrite(path, `r${round}`, 1 + Math.floor(Math.random() * 40), Math.floor(Math.random() * 15));
    for (const line of lines) {
      const [kind, id = '', amount = ''] = line.split(' ');
      if (kind === 'offered') offered.add(id);
      if (kind === 'failed') failed.add(id);
      if (kind === 'credited') {
        // Printed only when the ledger said this ack was new: a second line would be a double credit.
        expect(credited.has(id), `job ${id} credited twice`).toBe(false);
        credited.set(id, amount);
      }
      if (kind === 'voucher') voucherHigh = BigInt(id);
    }

    // The raw file first, before our own open touches it: it must already be sound.
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    const creditedJobs = raw.prepare("SELECT id, price FROM jobs WHERE state = 'credited'").all() as Array<{ id: string; price: string }>;
    const credits = raw.prepare('SELECT job_id AS id, amount FROM credits').all() as Array<{ id: string; amount: string }>;
    const seqs = raw.prepare('SELECT seq FROM receipts ORDER BY seq').pluck().all() as number[];
    raw.close();

    const ledger = Ledger.open(path);
    try {
      for (const id of offered) expect(ledger.jobs.get(id), `offered job ${id} lost in round ${round}`).not.toBeNull();
      for (const id of failed) expect(ledger.jobs.get(id)?.state).toBe('failed');
      for (const [id, amount] of credited) expect(ledger.credits.forJob(id)?.amount, `credit of ${id} lost in round ${round}`).toBe(BigInt(amount));
      // Sums balance: credits = credited jobs' prices = what the ledger reports, exactly.
      expect(credits.map((c) => c.id).sort()).toEqual(creditedJobs.map((j) => j.id).sort());
      expect(total(credits.map((c) => c.amount))).toBe(total(creditedJobs.map((j) => j.price)));
      expect(ledger.acceptedCredits(TOKEN)).toBe(total(credits.map((c) => c.amount)));
      // Receipt numbers: 1…n, no gap, no repeat.
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      // Vouchers never claim more than was credited, and none acknowledged went missing.
      const latest = BigInt(ledger.vouchers.latest(TOKEN)?.voucher.cumulativeAmount ?? '0');
      expect(latest).toBeGreaterThanOrEqual(voucherHigh);
      expect(latest).toBeLessThanOrEqual(ledger.acceptedCredits(TOKEN));
      if (ledger.unfinishedJobs().length > 0) killedMidJob++;
    } finally {
      ledger.close();
    }
  }

  // The kills really landed inside the work, and the work was real.
  expect(killedMidJob).toBeGreaterThanOrEqual(ROUNDS / 3);
  expect(credited.size).toBeGreaterThan(ROUNDS);
  expect(failed.size).toBeGreaterThan(0);
});
