/**
 * The session service's HTTP contract (JSON bodies), as the SDK and the service agree on it. Amounts are atomic-unit
 * decimal strings; times are ISO-8601 UTC with milliseconds. Errors: `{ code, message }` with an HTTP status.
 */

/** POST /sessions/nonce → 201. Nonces for SIWx challenges of one resource-server origin. */
export interface IssueNoncesRequest {
  /** Public origin of the resource server, e.g. `https://api.example.com` (binds domain + URI of the proof). */
  origin: string;
  /** 1..100 (default 1). */
  count?: number;
}
export interface IssuedNonce {
  nonce: string;
  expiresAt: string;
}
export interface IssueNoncesResponse {
  domain: string;
  origin: string;
  nonces: IssuedNonce[];
}

/** What the resource server is serving when it asks for a session. */
export interface SessionResourceRef {
  /** HTTP method of the request. */
  method: string;
  /** Absolute request URL. */
  url: string;
}

/**
 * POST /sessions → 201: a settled payment (+ a SIWx proof of the paying wallet) → a session and its token. Without a
 * proof the session is recorded for the payer (an entitlement the wallet redeems later with POST /sessions/siwx).
 */
export interface CreateSessionRequest {
  /** The SIGN-IN-WITH-X header value (base64 JSON) exactly as the client sent it. */
  siwx?: string;
  /** The payment that buys the session (ledger payment id). */
  paymentId: string;
  /** Policy to apply; when absent the service picks the tenant's policy whose routes cover the resource. */
  policyId?: string;
  resource: SessionResourceRef;
}

/** POST /sessions/siwx → 200: a SIWx proof alone → a token for the wallet's active session covering the resource. */
export interface ExchangeSiwxRequest {
  siwx: string;
  resource: SessionResourceRef;
}

export interface SessionGrant {
  sessionId: string;
  paymentId: string;
  wallet: string;
  /** The session token; null when the session was recorded without a SIWx proof (no token audience yet). */
  token: string | null;
  /** Token expiry (short; null without a token) and session expiry. */
  tokenExpiresAt: string | null;
  expiresAt: string;
  policyId: string;
  policyVersion: number;
  scope: string[];
  maxCalls: number | null;
  budget: string | null;
}

/** One usage batch of one session, as counted by one resource server. */
export interface UsageReport {
  sessionId: string;
  calls: number;
  spend: string;
  windowStart: string;
  windowEnd: string;
}
/** POST /sessions/usage → 200. */
export interface ReportUsageRequest {
  reports: UsageReport[];
  /** Idempotency key of this report: a retried request with the same id is answered without counting twice. */
  batchId?: string;
}
export type SessionStatusName = 'active' | 'revoked' | 'expired' | 'exhausted';
export interface SessionUsageState {
  sessionId: string;
  status: SessionStatusName;
  /** Totals recorded in the ledger after this report. */
  calls: number;
  spend: string;
  /** Calls / spend of this report the limits could not take (local enforcement overshoot); 0 / "0" normally. */
  overshootCalls: number;
  overshootSpend: string;
}
export interface ReportUsageResponse {
  sessions: SessionUsageState[];
}

/** POST /sessions/:id/reserve → 200 (strict enforcement: reserve before serving). 402 when exhausted. */
export interface ReserveUsageRequest {
  calls: number;
  spend: string;
}
export interface ReserveUsageResponse {
  sessionId: string;
  calls: number;
  spend: string;
  remainingCalls: number | null;
  remainingBudget: string | null;
}

/** GET /sessions/revocations?since=<cursor> → 200. */
export interface RevocationEntry {
  sessionId: string;
  wallet: string;
  revokedAt: string;
  /** After this instant no token of the session can still be valid: validators may forget the entry. */
  relevantUntil: string;
}
export interface RevocationPage {
  revocations: RevocationEntry[];
  /** Opaque cursor for the next poll. */
  cursor: string;
  /** True when `since` was older than what the service keeps: the page is the full current list. */
  reset: boolean;
  /** Suggested delay before the next poll. */
  pollAfterMs: number;
}

/** A JSON Web Key Set (public keys only). */
export interface Jwks {
  keys: Array<Record<string, unknown> & { kid?: string; alg?: string }>;
}

/** The official SIWx storage, persisted by the service (GET/POST /sessions/siwx-storage/...). */
export interface SiwxPaidResponse {
  paid: boolean;
}
export interface SiwxNonceResponse {
  used: boolean;
}

/** Error body of every non-2xx answer. */
export interface SessionApiError {
  code: string;
  message: string;
}
