import type { SessionGuardErrorCode } from '../session-guard.exception';

/** What the SDK reports about itself (wire it to logs/metrics). None of these carry a token. */
export type SessionGuardEvent =
  | { type: 'session_issued'; sessionId: string; paymentId: string; wallet: string }
  | { type: 'session_issue_failed'; paymentId: string | undefined; error: string }
  | { type: 'session_refused'; reason: SessionGuardErrorCode; sessionId?: string }
  | { type: 'session_refreshed'; sessionId: string }
  | { type: 'siwx_access_granted'; sessionId: string; wallet: string }
  | { type: 'siwx_access_refused'; error: string }
  | { type: 'usage_overshoot'; sessionId: string; calls: number; spend: string }
  | { type: 'background_error'; where: 'revocations' | 'usage' | 'nonces' | 'refresh'; error: string };
