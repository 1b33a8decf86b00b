import type { SessionIssuedData } from '../../events/session.events';
import type { StreamCursor } from '../stream-cursor.util';

/** none → active (issued; usage batches) → revoked | expired (terminal). */
export type SessionStatus = 'none' | 'active' | 'revoked' | 'expired';

export interface SessionState extends StreamCursor {
  status: SessionStatus;
  session: SessionIssuedData | null;
  /** Σ calls of the usage batches. */
  calls: number;
  /** Σ spend of the usage batches, atomic units. */
  spend: string;
  usageBatches: number;
  lastWindowEnd: string | null;
  revocation: { reason: string; revokedBy: string } | null;
}

export function initialSessionState(): SessionState {
  return {
    streamId: null,
    tenant: null,
    sequence: 0,
    status: 'none',
    session: null,
    calls: 0,
    spend: '0',
    usageBatches: 0,
    lastWindowEnd: null,
    revocation: null,
  };
}
