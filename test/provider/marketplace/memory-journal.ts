/**
 * An in-memory JobJournal and SeqSource for tests (the provider's ledger implements the real ones): it
 * keeps every record in order so a test can read back what the client journaled, and when.
 */
import type { JobSpec, Receipt } from '../../../common/marketplace-protocol.js';
import type { JobJournal, JournalAck, JournalFailure, SeqSource, UnfinishedJob } from '../../../provider/marketplace/job-journal.js';

export type JournalEntry =
  | { kind: 'offered'; jobId: string; job: JobSpec; signature: string }
  | { kind: 'accepted'; jobId: string }
  | { kind: 'result'; jobId: string; receipt: Receipt; signature: string }
  | { kind: 'failed'; jobId: string; failure: JournalFailure }
  | { kind: 'ack'; jobId: string; ack: JournalAck };

export type MemoryJournal = JobJournal & SeqSource & {
  entries: JournalEntry[];
  /** The entries of one job, by kind. */
  kinds(jobId: string): JournalEntry['kind'][];
  /** Jobs to report unfinished at the next start (as if left by a previous process). */
  leftOver: UnfinishedJob[];
};

/** A journal that keeps everything in memory, in order. */
export function memoryJournalForTests(): MemoryJournal {
  const entries: JournalEntry[] = [];
  let seq = 0;
  const journal: MemoryJournal = {
    entries,
    leftOver: [],
    kinds: (jobId) => entries.filter((e) => e.jobId === jobId).map((e) => e.kind),
    recordOffered: (job, signature) => void entries.push({ kind: 'offered', jobId: job.id, job, signature }),
    recordAccepted: (jobId) => void entries.push({ kind: 'accepted', jobId }),
    recordResult: (jobId, receipt, signature) => void entries.push({ kind: 'result', jobId, receipt, signature }),
    recordFailed: (jobId, failure) => void entries.push({ kind: 'failed', jobId, failure }),
    recordAck: (jobId, ack) => void entries.push({ kind: 'ack', jobId, ack }),
    unfinishedJobs: () => journal.leftOver.splice(0),
    next: () => (seq += 1),
    advancePast: (lastSeq) => void (seq = Math.max(seq, lastSeq)),
  };
  return journal;
}
