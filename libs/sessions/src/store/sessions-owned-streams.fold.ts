import type { OwnedStreamsFold } from '@x402-ledger/event-log';
import type { SiwxNonceStore } from '../nonce/siwx-nonce.store';
import type { SessionStore } from '../session/session.store';

/** What a partition snapshot of the sessions' states holds (JSON). */
export interface SessionsPartitionSnapshot {
  sessions: unknown;
  nonces: unknown;
}

/**
 * The fold StreamOwnership feeds in Kafka mode: records of the owned partitions go to the SIWx-nonce store
 * (`session.nonce_*`) or the session store (other `session.*`); a (re)assigned partition is dropped from both and
 * restored from its snapshot; a snapshot lacking either part is refused (the partition is then refolded from its
 * beginning).
 */
export function sessionsOwnedStreamsFold(sessions: SessionStore, nonces: SiwxNonceStore): OwnedStreamsFold {
  return {
    fold: (records) => {
      for (const { envelope } of records) {
        if (envelope.type === 'session.nonce_issued' || envelope.type === 'session.nonce_consumed') {
          nonces.fold(envelope);
        } else if (envelope.type.startsWith('session.')) {
          sessions.fold(envelope);
        }
      }
    },
    reset: (partition, snapshot) => {
      if (snapshot === null || snapshot === undefined) {
        sessions.resetPartition(partition, null);
        nonces.resetPartition(partition, null);
        return;
      }
      const s = snapshot as Partial<SessionsPartitionSnapshot>;
      if (!Array.isArray(s.sessions) || !Array.isArray(s.nonces)) throw new Error('not a sessions snapshot');
      try {
        sessions.resetPartition(partition, s.sessions);
        nonces.resetPartition(partition, s.nonces);
      } catch (error) {
        sessions.resetPartition(partition, null);
        nonces.resetPartition(partition, null);
        throw error;
      }
    },
    snapshot: (partition): SessionsPartitionSnapshot => ({
      sessions: sessions.snapshotPartition(partition),
      nonces: nonces.snapshotPartition(partition),
    }),
  };
}
