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
      ledger.jobs.start(jobId, receipt.deviceId);
      ledger.receipts.record(draft, seq);
      ledger.receipts.markSent(jobId, signature);
    },
    recordFailed: (jobId, failure) => recordFailure(ledger, jobId, failure),
    recordAck: (jobId, ack) => void ledger.credits.record({ jobId, seq: ack.seq, credited: ack.credited.toString(), signature: ack.signature }),
    unfinishedJobs: () =>
      ledger.unfinishedJobs().map(({ job }): UnfinishedJob => ({ jobId: job.id, state: job.state === 'offered' ? 'offered' : job.state === 'result_sent' ? 'resulted' : 'accepted' })),
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
      // A result sent before the restart can no longer be sent again (its outputs are gone): it is dropped.
      if (ledger.jobs.stateOf(jobId) === 'result_sent') ledger.jobs.reject(jobId, `lost: ${failure.message}`);
      else ledger.jobs.fail(jobId, 'lost', failure.message);
      return;
  }
}
