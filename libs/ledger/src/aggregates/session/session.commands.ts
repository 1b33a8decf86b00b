import type {
  SessionExpiredData,
  SessionIssuedData,
  SessionRevokedData,
  SessionUsedData,
} from '../../events/session.events';

interface Base {
  occurredAt?: string;
}

export type SessionCommand =
  | (Base & { type: 'IssueSession'; data: SessionIssuedData })
  | (Base & { type: 'RecordSessionUsage'; data: SessionUsedData })
  | (Base & { type: 'RevokeSession'; data: SessionRevokedData })
  | (Base & { type: 'ExpireSession'; data: SessionExpiredData });
