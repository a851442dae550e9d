import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { registerDecimalSum } from '../../../provider/ledger/amounts.js';
import { Ledger } from '../../../provider/ledger/ledger.js';
import { LedgerError } from '../../../provider/ledger/ledger-error.js';
import { MIGRATIONS, migrate } from '../../../provider/ledger/migrations.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { SIG, TOKEN, makeSpec, sha } from '../ledger/ledger-fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const T0 = Date.UTC(2026, 2, 10, 8, 0, 0);
const VALUATION = { currency: 'EUR', tokenPriceMicro: 1_000_000n, tokenDecimals: 6 };

/** A ledger file at schema 1 (as the previous release wrote it), with jobs, receipts, credits and a voucher. */
async function versionOneLedger(): Promise<string> {
  const temp = await makeTempDir('hearth-ledger-v1-');
  cleanups.push(temp.remove);
  const path = join(temp.dir, 'ledger.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  registerDecimalSum(db);
  expect(migrate(db, path, () => T0, MIGRATIONS.slice(0, 1))).toEqual([1]);
  const job = db.prepare(
    `INSERT INTO jobs (id, state, model_sha256, input_sha256, token, price, deadline, spec, spec_signature, device_id, fail_code, reason, offered_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const receipt = db.prepare(
    `INSERT INTO receipts (job_id, seq, model_sha256, input_sha256, output_sha256, fingerprint_hash, run_ms, execution_provider, device_id, signature, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 12.5, 'cuda', 'gpu-0', ?, ?)`,
  );
  const credit = db.prepare('INSERT INTO credits (job_id, seq, token, amount, signature, credited_at) VALUES (?, ?, ?, ?, ?, ?)');
  const rows = [
    { id: 'old-credited-1', state: 'credited', amount: '2000000', seq: 1 },
    { id: 'old-credited-2', state: 'credited', amount: '3000000', seq: 2 },
    { id: 'old-failed', state: 'failed', amount: null, seq: null },
    { id: 'old-offered', state: 'offered', amount: null, seq: null },
  ];
  for (const [i, row] of rows.entries()) {
    const at = T0 + i * 60_000;
    const spec = makeSpec(row.id);
    job.run(row.id, row.state, spec.model.sha256, spec.inputSha256, TOKEN, spec.price.amount, spec.deadline, JSON.stringify(spec), SIG, row.seq === null ? null : 'gpu-0', row.state === 'failed' ? 'timeout' : null, at, at);
    if (row.seq !== null && row.amount !== null) {
      receipt.run(row.id, row.seq, spec.model.sha256, spec.inputSha256, sha(`out-${row.id}`), `0x${sha(`fp-${row.id}`)}`, SIG, at);
      credit.run(row.id, row.seq, TOKEN, row.amount, SIG, at + 1000);
    }
  }
  db.prepare(
    `INSERT INTO vouchers (digest, token, provider, recipient, cumulative_amount, expiry, signature, received_at) VALUES (?, ?, ?, ?, '5000000', 0, ?, ?)`,
  ).run(`0x${sha('voucher')}`, TOKEN, TOKEN, TOKEN, SIG, T0);
  db.close();
  return path;
}

function counts(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  const out = Object.fromEntries(['jobs', 'receipts', 'credits', 'vouchers'].map((table) => [table, db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number]));
  db.close();
  return out;
}

describe('ledger migration 2 (energy and telemetry history)', () => {
  it('applies on a schema-1 file with data and keeps every row, with no energy figures invented for old jobs', async () => {
    const path = await versionOneLedger();
    const before = counts(path);
    expect(before).toEqual({ jobs: 4, receipts: 2, credits: 2, vouchers: 1 });

    const ledger = Ledger.open(path, { now: () => T0 + 3_600_000 });
    expect(ledger.migrated[0]).toBe(2);
    expect(ledger.jobs.get('old-credited-1')?.state).toBe('credited');
    expect(ledger.jobs.get('old-failed')?.state).toBe('failed');
    expect(ledger.acceptedCredits(TOKEN)).toBe(5_000_000n);

    // Old credited jobs count at their credit time, with no energy: gross only, flagged as unmetered.
    const report = ledger.net.report({ from: T0, to: T0 + 3_600_000 }, VALUATION, 'Europe/Berlin');
    expect(report.totals).toMatchObject({ jobs: 2, unmeteredJobs: 2, energyMj: 0n, grossMicro: 5_000_000n, costMicro: 0n, netMicro: 5_000_000n });

    // A new energy figure can be written on an old job, and reads back.
    ledger.energy.record({
      jobId: 'old-failed',
      deviceId: 'gpu-0',
      startedAt: T0,
      endedAt: T0 + 60_000,
      energyMj: 18_000_000n,
      estimated: false,
      powerSource: 'measured',
      priceMicroPerKwh: 300_000n,
      currency: 'EUR',
    });
    const [failed] = [...ledger.net.jobs({ from: T0, to: T0 + 3_600_000 }, VALUATION)].filter((job) => job.jobId === 'old-failed');
    expect(failed).toMatchObject({ energyMj: 18_000_000n, costMicro: 1_500n, netMicro: -1_500n, deviceId: 'gpu-0' });
    // Jobs from before carry no energy in the Jobs page; the one metered now does.
    const page = ledger.history.page();
    expect(page.items.find((job) => job.id === 'old-credited-1')).not.toHaveProperty('energy');
    expect(page.items.find((job) => job.id === 'old-failed')?.energy).toEqual({ energyWh: 5, estimated: false, energyCost: '0.001500', currency: 'EUR' });
    ledger.close();

    expect(counts(path)).toEqual(before);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT version, name FROM schema_migrations WHERE version = 2').get()).toEqual({ version: 2, name: MIGRATIONS[1]!.name });
    expect(raw.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'telemetry_samples'").pluck().get()).toBe(1);
    expect(raw.prepare('SELECT COUNT(*) FROM jobs WHERE energy_mj IS NOT NULL').pluck().get()).toBe(1);
    raw.close();

    // A second open applies nothing more.
    const again = Ledger.open(path);
    expect(again.migrated).toEqual([]);
    again.close();
  });

  it('keeps money out of floats: the schema refuses a REAL or malformed price, and energy on an unknown job', async () => {
    const path = await versionOneLedger();
    const ledger = Ledger.open(path);
    const raw = new Database(path);
    expect(() => raw.prepare("UPDATE jobs SET electricity_price_micro = '0.30' WHERE id = 'old-failed'").run()).toThrow(/CHECK constraint/);
    expect(() => raw.prepare("UPDATE jobs SET energy_cost_micro = 1.5 WHERE id = 'old-failed'").run()).toThrow(/CHECK constraint|cannot store REAL/);
    expect(() => raw.prepare("UPDATE jobs SET electricity_currency = 'eur' WHERE id = 'old-failed'").run()).toThrow(/CHECK constraint/);
    raw.close();
    const record = { deviceId: 'gpu-0', startedAt: T0, endedAt: T0 + 1, energyMj: 1n, estimated: false, powerSource: 'measured', priceMicroPerKwh: 1n, currency: 'EUR' };
    let error: unknown;
    try {
      ledger.energy.record({ ...record, jobId: 'no-such-job' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe('job_unknown');
    expect(() => ledger.energy.record({ ...record, jobId: 'old-failed', currency: 'euro' })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => ledger.energy.record({ ...record, jobId: 'old-failed', startedAt: T0 + 5, endedAt: T0 })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    ledger.close();
  });
});
