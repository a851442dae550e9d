/**
 * The coordinator's memory of each node's acknowledged receipts: the last seq (sent in `welcome`), the
 * acks by job, so a result sent again after a reconnect (or a coordinator restart, for a persistent
 * book) gets the same ack and a seq reused for another job is refused, and which jobs earned a credit,
 * so no job is ever credited twice. The default keeps it in memory; marketplace/store/ keeps it in SQLite.
 */
import type { FromCoordinator } from '../../common/marketplace-protocol.js';

export type Ack = Extract<FromCoordinator, { type: 'receipt.ack' }>;

/** Acknowledged receipts (and the credits they carry) per node. */
export interface SeqBook {
  /** The highest seq acknowledged for `node`, 0 when none. */
  lastSeq(node: string): number;
  /** The ack already given for this job, if any. */
  ackFor(node: string, jobId: string): Ack | undefined;
  /** True when `seq` cannot be used for `jobId`: acknowledged for another job, or too old to tell. */
  seqTaken(node: string, seq: number, jobId: string): boolean;
  /** True when `jobId` already earned a non-zero credit (for any node). */
  credited(jobId: string): boolean;
  /**
   * Records an ack and, when it credits a non-zero amount, the credit in `token`, in one step (one
   * transaction for a persistent book). False, recording nothing, when the job was already credited.
   */
  record(node: string, ack: Ack, token: string): boolean;
}

type NodeBook = { lastSeq: number; acks: Map<string, Ack>; seqs: Map<number, string> };

/** A SeqBook in memory, remembering the last `window` acks per node (and every credited job id). */
export function memorySeqBook(window = 4096): SeqBook {
  const nodes = new Map<string, NodeBook>();
  const creditedJobs = new Set<string>();
  const book = (node: string): NodeBook => {
    const key = node.toLowerCase();
    let entry = nodes.get(key);
    if (entry === undefined) nodes.set(key, (entry = { lastSeq: 0, acks: new Map(), seqs: new Map() }));
    return entry;
  };
  return {
    lastSeq: (node) => book(node).lastSeq,
    ackFor: (node, jobId) => book(node).acks.get(jobId),
    seqTaken(node, seq, jobId) {
      const entry = book(node);
      const owner = entry.seqs.get(seq);
      if (owner !== undefined) return owner !== jobId;
      // Below everything remembered: it may have been used, so it is refused.
      return entry.seqs.size >= window && seq < Math.min(...entry.seqs.keys());
    },
    credited: (jobId) => creditedJobs.has(jobId),
    record(node, ack) {
      if (BigInt(ack.credited) > 0n) {
        if (creditedJobs.has(ack.jobId)) return false;
        creditedJobs.add(ack.jobId);
      }
      const entry = book(node);
      entry.lastSeq = Math.max(entry.lastSeq, ack.seq);
      entry.acks.set(ack.jobId, ack);
      entry.seqs.set(ack.seq, ack.jobId);
      while (entry.acks.size > window) entry.acks.delete(entry.acks.keys().next().value as string);
      while (entry.seqs.size > window) entry.seqs.delete(entry.seqs.keys().next().value as number);
      return true;
    },
  };
}
