/**
 * The provider's ledger as the marketplace client's JobJournal and SeqSource. A write that a message is
 * sent after (accept, result, failure) commits before it returns, so it is on disk before the message
 * it records is sent. Two writes do not hold anything up: an offer is kept in memory and committed with
 * the job's next record (nothing is sent on the strength of an offer: one lost in a crash was never
 * accepted, and the coordinator gives it to someone else), unless `commitOffered` writes it first; and a
 * credit waits for the next commit (`Ledger.later`), because after a crash the job is still listed in
 * `hello.resumeJobs` and the coordinator sends its stored ack again. Receipt numbers are handed out above
 * everything the ledger holds, everything handed out this run, and the coordinator's last acknowledged
 * seq, and stored with the number they were signed with.
 */
import type { JobSpec } from '../../common/marketplace-protocol.js';
import type { Ledger } from '../ledger/ledger.js';
import type { JobJournal, JournalFailure, SeqSource, UnfinishedJob } from './job-journal.js';

/** The journal and seq source over an open ledger. */
export function ledgerJournal(ledger: Ledger): JobJournal & SeqSource {
  let handedOut = 0;
  const offers = new Map<string, { job: JobSpec; signature: string }>();
  /** Runs `steps` in one transaction, after writing the job's offer if it is still only in memory. */
  const withOffer = (jobId: string, steps: () => void) => {
    const offer = offers.get(jobId);
    ledger.atomically(() => {
      if (offer !== undefined) ledger.jobs.offer(offer.job, offer.signature);
      steps();
    });
    // Only once committed: a write that failed leaves the offer for the job's next record.
    offers.delete(jobId);
  };
  return {
    recordOffered: (job, signature) => void offers.set(job.id, { job, signature }),
    commitOffered: (jobId) => withOffer(jobId, () => undefined),
    // Offer and accept share one commit: each synchronous=FULL commit is an fsync before the job can start.
    recordAccepted: (jobId) => withOffer(jobId, () => void ledger.jobs.accept(jobId)),
    recordResult(jobId, receipt, signature) {
      const { seq, ...draft } = receipt;
      // One commit for the three steps (and for any credit or energy record waiting in `later`).
      withOffer(jobId, () => {
        ledger.jobs.start(jobId, receipt.deviceId);
        ledger.receipts.record(draft, seq);
        ledger.receipts.markSent(jobId, signature);
      });
    },
    recordFailed: (jobId, failure) => withOffer(jobId, () => recordFailure(ledger, jobId, failure)),
    recordAck: (jobId, ack) => ledger.later(() => void ledger.credits.record({ jobId, seq: ack.seq, credited: ack.credited.toString(), signature: ack.signature })),
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
