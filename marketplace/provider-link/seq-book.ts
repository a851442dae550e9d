/**
 * The coordinator's memory of each node's acknowledged receipts: the last seq (sent in `welcome`), and
 * the recent acks by job, so a result sent again after a reconnect gets the same ack and a seq reused
 * for another job is refused. The default keeps it in memory; a persistent one implements the same.
 */
import type { FromCoordinator } from '../../common/marketplace-protocol.js';

type Ack = Extract<FromCoordinator, { type: 'receipt.ack' }>;

/** Acknowledged receipts per node. */
export interface SeqBook {
  /** The highest seq acknowledged for `node`, 0 when none. */
  lastSeq(node: string): number;
  /** The ack already given for this job, if any. */
  ackFor(node: string, jobId: string): Ack | undefined;
  /** True when `seq` cannot be used for `jobId`: acknowledged for another job, or too old to tell. */
  seqTaken(node: string, seq: number, jobId: string): boolean;
  record(node: string, ack: Ack): void;
}

type NodeBook = { lastSeq: number; acks: Map<string, Ack>; seqs: Map<number, string> };

/** A SeqBook in memory, remembering the last `window` acks per node. */
export function memorySeqBook(window = 4096): SeqBook {
  const nodes = new Map<string, NodeBook>();
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
    record(node, ack) {
      const entry = book(node);
      entry.lastSeq = Math.max(entry.lastSeq, ack.seq);
      entry.acks.set(ack.jobId, ack);
      entry.seqs.set(ack.seq, ack.jobId);
      while (entry.acks.size > window) entry.acks.delete(entry.acks.keys().next().value as string);
      while (entry.seqs.size > window) entry.seqs.delete(entry.seqs.keys().next().value as number);
    },
  };
}
