/**
 * The provider's ledger as the marketplace client's JobJournal and SeqSource. Every call commits before
 * it returns (the ledger is synchronous SQLite), so a journal write is on disk before the message it
 * records is sent. Receipt numbers are handed out above everything the ledger holds, everything handed
 * out this run, and the coordinator's last acknowledged seq, and stored with the number they were signed with.
 */
import type { Ledger } from '../ledger/ledger.js';
import type { JobJournal, JournalFailure, SeqSource, UnfinishedJob } from './job-journal.js';

/** The journal and seq source over an open ledger. */
export function ledgerJournal(ledger: Ledger): JobJournal & SeqSource {
  let handedOut = 0;
  return {
    recordOffered: (job, signature) => void ledger.jobs.offer(job, signature),
    recordAccepted: (jobId) => void ledger.jobs.accept(jobId),
    recordResult(jobId, receipt, signature) {
      const { seq, ...draft } = receipt;
      // One commit for the three steps: each synchronous=FULL commit is an fsync before the result can go out.
      ledger.atomically(() => {
        ledger.jobs.start(jobId, receipt.deviceId);
        ledger.receipts.record(draft, seq);
        ledger.receipts.markSent(jobId, signature);
      });
    },
    recordFailed: (jobId, failure) => recordFailure(ledger, jobId, failure),
    recordAck: (jobId, ack) => void ledger.credits.record({ jobId, seq: ack.seq, credited: ack.credited.toString(), signature: ack.signature }),
    unfinishedJobs: () =>
      ledger.unfinishedJobs().map(({ job, receipt }): UnfinishedJob => {
        if (job.state === 'result_sent' && receipt?.signature != null) return { jobId: job.id, state: 'resulted', job: job.spec, receipt: receipt.receipt, signature: receipt.signature };
        return { jobId: job.id, state: job.state === 'offered' ? 'offered' : 'accepted' };
      }),
    next() {
      handedOut = Math.max(handedOut, ledger.receipts.lastSeq()) + 1;
      return handedOut;
    },
    advancePast(lastSeq) {
      handedOut = Math.max(handedOut, lastSeq);
    },
  };
}

function recordFailure(ledger: Ledger, jobId: string, failure: JournalFailure): void {
  switch (failure.stage) {
    case 'rejected':
      ledger.jobs.reject(jobId, `${failure.reason}: ${failure.message}`);
      return;
    case 'failed':
      ledger.jobs.fail(jobId, failure.code, failure.message);
      return;
    case 'cancelled':
      ledger.jobs.fail(jobId, 'cancelled', failure.message);
      return;
    case 'lost':
      // A result the coordinator says it never took (its outputs are gone, so it cannot be sent again).
      if (ledger.jobs.stateOf(jobId) === 'result_sent') ledger.jobs.reject(jobId, `lost: ${failure.message}`);
      else ledger.jobs.fail(jobId, 'lost', failure.message);
      return;
  }
}
