import { SessionGuardErrorCode, SessionGuardException } from '../session-guard.exception';
import type {
  CreateSessionRequest,
  ExchangeSiwxRequest,
  IssueNoncesResponse,
  Jwks,
  ReportUsageResponse,
  ReserveUsageResponse,
  RevocationPage,
  SessionApiError,
  SessionGrant,
  SiwxNonceResponse,
  SiwxPaidResponse,
  UsageReport,
} from './session-api.types';

export interface SessionServiceClientOptions {
  /** Base URL of the session service (the daemon), e.g. `http://127.0.0.1:4020`. */
  baseUrl: string;
  /** Provider API key (sent as `Authorization: Bearer …`). */
  apiKey?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/** HTTP client of the session service, used by resource servers (and the SIWx storage adapter). */
export class SessionServiceClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: SessionServiceClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new SessionGuardException(SessionGuardErrorCode.INVALID_CONFIG, `invalid session service URL`);
    }
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  issueNonces(origin: string, count: number): Promise<IssueNoncesResponse> {
    return this.request('POST', '/sessions/nonce', { origin, count });
  }

  createSession(body: CreateSessionRequest): Promise<SessionGrant> {
    return this.request('POST', '/sessions', body);
  }

  exchangeSiwx(body: ExchangeSiwxRequest): Promise<SessionGrant> {
    return this.request('POST', '/sessions/siwx', body);
  }

  refreshToken(sessionId: string): Promise<SessionGrant> {
    return this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/token`, {});
  }

  /** `batchId` makes a retried report idempotent (the service answers a repeated id without counting again). */
  reportUsage(reports: UsageReport[], batchId?: string): Promise<ReportUsageResponse> {
    return this.request('POST', '/sessions/usage', { reports, batchId });
  }

  reserve(sessionId: string, calls: number, spend: string): Promise<ReserveUsageResponse> {
    return this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/reserve`, { calls, spend });
  }

  revokeSession(sessionId: string, reason: string): Promise<{ revoked: string[] }> {
    return this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/revoke`, { reason });
  }

  revokeWallet(wallet: string, reason: string): Promise<{ revoked: string[] }> {
    return this.request('POST', '/sessions/revoke', { wallet, reason });
  }

  revocations(since?: string): Promise<RevocationPage> {
    const q = since === undefined ? '' : `?since=${encodeURIComponent(since)}`;
    return this.request('GET', `/sessions/revocations${q}`);
  }

  jwks(): Promise<Jwks> {
    return this.request('GET', '/.well-known/jwks.json');
  }

  siwxHasPaid(resource: string, address: string): Promise<SiwxPaidResponse> {
    const q = `resource=${encodeURIComponent(resource)}&address=${encodeURIComponent(address)}`;
    return this.request('GET', `/sessions/siwx-storage/paid?${q}`);
  }

  siwxRecordPayment(resource: string, address: string): Promise<{ sessionId: string }> {
    return this.request('POST', '/sessions/siwx-storage/paid', { resource, address });
  }

  siwxHasUsedNonce(nonce: string): Promise<SiwxNonceResponse> {
    return this.request('GET', `/sessions/siwx-storage/nonces/${encodeURIComponent(nonce)}`);
  }

  siwxRecordNonce(nonce: string): Promise<void> {
    return this.request('POST', `/sessions/siwx-storage/nonces/${encodeURIComponent(nonce)}`, {});
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SessionGuardException(
        SessionGuardErrorCode.SERVICE_ERROR,
        `session service ${method} ${path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      let apiError: Partial<SessionApiError> = {};
      try {
        apiError = JSON.parse(text) as SessionApiError;
      } catch {
        // not JSON: keep the status only
      }
      throw new SessionGuardException(
        SessionGuardErrorCode.SERVICE_ERROR,
        `session service ${method} ${path} answered ${response.status}: ${apiError.code ?? ''} ${apiError.message ?? ''}`.trim(),
        { status: response.status, serviceCode: apiError.code },
      );
    }
    return (text.length ? JSON.parse(text) : undefined) as T;
  }
}
