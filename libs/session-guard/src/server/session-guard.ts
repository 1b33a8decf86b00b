import type { HTTPRequestContext, HTTPTransportContext } from '@x402/core/server';
import type { PaymentRequiredContext, ResourceServerExtension, SettleResultContext } from '@x402/core/types';
import { buildSIWxSchema, parseSIWxHeader } from '@x402/extensions/sign-in-with-x';
import { UsageMeter, type UsageMeterOptions } from '../metering/usage-meter';
import { paymentIdOf } from '../payment/payment-id.util';
import { RevocationList } from '../revocation/revocation-list';
import { RevocationPoller } from '../revocation/revocation-poller';
import { RouteTable } from '../routes/route-pattern';
import { NoncePool, type NoncePoolOptions } from '../service/nonce-pool';
import { SessionServiceClient, type SessionServiceClientOptions } from '../service/session-service.client';
import { SESSION_HEADER, SIWX_EXTENSION_KEY, SIWX_HEADER } from '../session-guard.constants';
import { SessionGuardErrorCode, SessionGuardException } from '../session-guard.exception';
import { ServiceJwksSource, type JwksSource } from '../token/jwks.source';
import { TokenVerifier, type VerifiedSessionToken } from '../token/token-verifier';
import { sessionRequestScope } from './request-context';
import type { SessionGuardEvent } from './session-guard.events';

/** A route that sessions open, and the provider policy that prices it. */
export interface SessionRouteConfig {
  /** Policy id on the session service; absent = the service picks the tenant's policy covering the route. */
  policy?: string;
}

export interface SessionGuardOptions {
  /** The session service (a client, or how to build one). */
  service: SessionServiceClient | SessionServiceClientOptions;
  /** This resource server's public origin (`https://api.example.com`): SIWx domain/URI binding and token audience. */
  origin: string;
  /** Expected token issuer (default `x402-ledger`). */
  issuer?: string;
  /** Routes sessions open, "METHOD /path" → config (or the policy id). Other routes always go to payment. */
  routes: Record<string, SessionRouteConfig | string>;
  /** Keys source (default: the service's /.well-known/jwks.json). */
  jwks?: JwksSource;
  /** Revocation feed poll period (default 1000 ms). */
  revocationPollMs?: number;
  usage?: Omit<UsageMeterOptions, 'onError' | 'onOvershoot' | 'now'>;
  nonces?: Omit<NoncePoolOptions, 'onError' | 'now'>;
  /** Ask for a fresh token when the presented one has less than this left (default 60 s). */
  refreshBeforeSeconds?: number;
  /**
   * A settled payment WITHOUT a SIWx proof still records a session for the payer (no token is returned: the wallet
   * redeems it later with a SIWx proof, as official SIWx clients do). Default true.
   */
  entitleWithoutProof?: boolean;
  /** Verified-token cache size (default 10 000). */
  tokenCacheSize?: number;
  onEvent?: (event: SessionGuardEvent) => void;
  now?: () => number;
}

export type AuthorizeResult =
  | { ok: true; session: VerifiedSessionToken; refreshedToken: string | undefined }
  | { ok: false; reason: SessionGuardErrorCode };

/** Declaration options of the official `declareSIWxExtension()` (kept under `_options`). */
interface SiwxDeclarationOptions {
  statement?: string;
  version?: string;
  network?: string | string[];
  expirationSeconds?: number;
}

/**
 * The resource-server side of sessions, framework-agnostic:
 *
 * - `authorize()` — local token validation (cached JWS verification, expiry, revocation feed, method+route scope) and
 *   metering (local with bounded overshoot, or strict reservation with the service);
 * - `extension()` — an x402 ResourceServerExtension under the official `sign-in-with-x` key: 402 challenges carry a
 *   service-issued nonce; after a settled payment that came with a SIGN-IN-WITH-X proof it asks the service for a
 *   session and returns the token (PAYMENT-SESSION header + PAYMENT-RESPONSE extensions); a proof alone (the official
 *   SIWx client's repeat access) is exchanged for a token of the wallet's active session.
 *
 * Framework adapters: `sessionMiddleware` (Express) and `SessionPaymentGuard` (NestJS).
 */
export class SessionGuard {
  readonly client: SessionServiceClient;
  readonly verifier: TokenVerifier;
  readonly revocations = new RevocationList();
  readonly meter: UsageMeter;
  readonly nonces: NoncePool;
  readonly routes: RouteTable<SessionRouteConfig>;
  readonly origin: URL;
  private readonly poller: RevocationPoller;
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;
  private readonly refreshed = new Map<string, string>();
  private readonly refreshing = new Set<string>();
  private readonly ppc = new WeakMap<VerifiedSessionToken, bigint>();
  private started = false;

  constructor(private readonly options: SessionGuardOptions) {
    this.origin = normalizeOrigin(options.origin);
    this.client =
      options.service instanceof SessionServiceClient ? options.service : new SessionServiceClient(options.service);
    this.now = options.now ?? Date.now;
    this.refreshBeforeMs = (options.refreshBeforeSeconds ?? 60) * 1000;
    this.routes = new RouteTable(
      Object.entries(options.routes).map(([key, value]) => [
        key,
        typeof value === 'string' ? { policy: value } : value,
      ]),
    );
    this.verifier = new TokenVerifier({
      jwks: options.jwks ?? new ServiceJwksSource(this.client),
      issuer: options.issuer ?? 'x402-ledger',
      audience: this.origin.origin,
      revocations: this.revocations,
      cacheSize: options.tokenCacheSize,
      now: this.now,
    });
    this.poller = new RevocationPoller(this.client, this.revocations, {
      intervalMs: options.revocationPollMs,
      now: this.now,
      onError: (e) => this.emit({ type: 'background_error', where: 'revocations', error: String(e) }),
    });
    this.meter = new UsageMeter(this.client, {
      ...options.usage,
      now: this.now,
      onError: (e) => this.emit({ type: 'background_error', where: 'usage', error: String(e) }),
      onOvershoot: (sessionId, calls, spend) => this.emit({ type: 'usage_overshoot', sessionId, calls, spend }),
    });
    this.nonces = new NoncePool(this.client, this.origin.origin, {
      ...options.nonces,
      now: this.now,
      onError: (e) => this.emit({ type: 'background_error', where: 'nonces', error: String(e) }),
    });
  }

  /** Loads the JWKS and the revocation list, fills the nonce pool, starts the feed poller and the usage flusher. */
  async start(): Promise<void> {
    if (this.started) return;
    await Promise.all([this.verifier.start(), this.poller.start(), this.nonces.refill()]);
    this.meter.start();
    this.started = true;
  }

  /** Stops polling and reports pending usage. */
  async stop(): Promise<void> {
    this.started = false;
    await this.poller.stop();
    await this.meter.stop();
  }

  /** Polls the revocation feed now (tests; the poller does it every interval). */
  syncRevocations(): Promise<void> {
    return this.poller.poll();
  }

  /**
   * Decides whether a request carrying a session token may be served without payment. Synchronous when the token
   * was verified here before and the session is enforced locally (the hot path); a Promise otherwise.
   */
  authorize(method: string, path: string, token: string): AuthorizeResult | Promise<AuthorizeResult> {
    const route = this.routes.match(method, path);
    if (!route) return this.refuse(SessionGuardErrorCode.OUT_OF_SCOPE);
    const cached = this.verifier.cached(token);
    if (cached) return this.admit(cached, route.pattern.key);
    return this.verifier.verify(token).then(
      (verified) => this.admit(verified, route.pattern.key),
      (error: unknown) =>
        this.refuse(error instanceof SessionGuardException ? error.code : SessionGuardErrorCode.INVALID_TOKEN),
    );
  }

  /** True when `method path` is a route sessions open. */
  isSessionRoute(method: string, path: string): boolean {
    return this.routes.match(method, path) !== undefined;
  }

  /** The x402 resource-server extension (register it on the x402ResourceServer; declare it on the routes). */
  extension(): ResourceServerExtension {
    return {
      key: SIWX_EXTENSION_KEY,
      dynamicInfoFields: ['nonce', 'issuedAt', 'expirationTime'],
      enrichPaymentRequiredResponse: (declaration, context) => this.challenge(declaration, context),
      enrichSettlementResponse: (_declaration, context) => this.issueAfterSettlement(context),
      transportHooks: {
        http: {
          onProtectedRequest: (_declaration, context) => this.siwxRepeatAccess(context),
        },
      },
    };
  }

  private admit(verified: VerifiedSessionToken, routeKey: string): AuthorizeResult | Promise<AuthorizeResult> {
    const problem = this.verifier.check(verified, routeKey);
    if (problem) return this.refuse(problem, verified.claims.sid);
    const claims = verified.claims;
    let spend = this.ppc.get(verified);
    if (spend === undefined) {
      spend = BigInt(claims.lim.ppc);
      this.ppc.set(verified, spend);
    }
    if (claims.lim.enf === 'local') {
      if (!this.meter.tryConsume(claims, spend)) return this.refuse(SessionGuardErrorCode.EXHAUSTED, claims.sid);
      return { ok: true, session: verified, refreshedToken: this.refreshFor(verified) };
    }
    return this.client.reserve(claims.sid, 1, claims.lim.ppc).then(
      (answer): AuthorizeResult => {
        this.meter.observe(claims, answer.calls, answer.spend);
        return { ok: true, session: verified, refreshedToken: this.refreshFor(verified) };
      },
      (error: unknown): AuthorizeResult => {
        const status = error instanceof SessionGuardException ? error.status : undefined;
        if (status === 402 || status === 409 || status === 410) {
          this.meter.close(claims.sid);
          return this.refuse(SessionGuardErrorCode.EXHAUSTED, claims.sid);
        }
        return this.refuse(SessionGuardErrorCode.SERVICE_ERROR, claims.sid);
      },
    );
  }

  private refuse(reason: SessionGuardErrorCode, sessionId?: string): AuthorizeResult {
    this.emit({ type: 'session_refused', reason, sessionId });
    return { ok: false, reason };
  }

  /** A token to hand back with this response: a refreshed one when ready; starts a refresh when the token is old. */
  private refreshFor(verified: VerifiedSessionToken): string | undefined {
    const { sid, exp, sexp } = verified.claims;
    const fresh = this.refreshed.get(sid);
    if (fresh !== undefined) {
      if (fresh === verified.token) {
        this.refreshed.delete(sid);
        return undefined;
      }
      return fresh;
    }
    if (exp * 1000 - this.now() > this.refreshBeforeMs || sexp <= exp || this.refreshing.has(sid)) return undefined;
    this.refreshing.add(sid);
    this.client
      .refreshToken(sid)
      .then(async (grant) => {
        if (grant.token === null) throw new Error('the service granted no token');
        await this.verifier.verify(grant.token);
        this.refreshed.set(sid, grant.token);
        this.emit({ type: 'session_refreshed', sessionId: sid });
      })
      .catch((e) => this.emit({ type: 'background_error', where: 'refresh', error: String(e) }))
      .finally(() => this.refreshing.delete(sid));
    return undefined;
  }

  /** enrichPaymentRequiredResponse: the official SIWx challenge shape, with a nonce issued by the session service. */
  private async challenge(declaration: unknown, context: PaymentRequiredContext): Promise<unknown> {
    const opts: SiwxDeclarationOptions = (declaration as { _options?: SiwxDeclarationOptions })?._options ?? {};
    const resource = new URL(context.resourceInfo.url);
    const uri = new URL(this.origin.origin);
    uri.pathname = resource.pathname;
    uri.search = resource.search;
    const nonce = this.nonceOfPaidRetry(context) ?? (await this.nonces.take());
    const issuedAt = new Date(this.now()).toISOString();
    const nonceExpiry = Date.parse(nonce.expiresAt);
    const expiry =
      opts.expirationSeconds !== undefined
        ? Math.min(this.now() + opts.expirationSeconds * 1000, nonceExpiry)
        : nonceExpiry;
    const networks = opts.network
      ? Array.isArray(opts.network)
        ? opts.network
        : [opts.network]
      : [...new Set(context.requirements.map((r) => r.network))];
    const info: Record<string, unknown> = {
      domain: this.origin.host,
      uri: uri.toString(),
      version: opts.version ?? '1',
      nonce: nonce.nonce,
      issuedAt,
      resources: [uri.toString()],
      expirationTime: new Date(expiry).toISOString(),
    };
    if (opts.statement) info.statement = opts.statement;
    return {
      info,
      supportedChains: networks.map((chainId) => ({
        chainId,
        type: chainId.startsWith('solana:') ? 'ed25519' : 'eip191',
      })),
      schema: buildSIWxSchema(),
    };
  }

  /**
   * The paid retry rebuilds its 402 challenge too (the official server does, to compare the echoed extensions); when
   * it carries a proof, the challenge reuses the proof's nonce instead of spending a fresh one.
   */
  private nonceOfPaidRetry(context: PaymentRequiredContext): { nonce: string; expiresAt: string } | undefined {
    const request = (context.transportContext as HTTPTransportContext | undefined)?.request;
    const header = request?.paymentHeader ? readHeader(request, SIWX_HEADER) : undefined;
    if (!header) return undefined;
    try {
      const proof = parseSIWxHeader(header);
      return proof.expirationTime ? { nonce: proof.nonce, expiresAt: proof.expirationTime } : undefined;
    } catch {
      return undefined;
    }
  }

  /** enrichSettlementResponse: a settled payment that came with a SIWx proof buys a session. */
  private async issueAfterSettlement(context: SettleResultContext): Promise<unknown> {
    if (!context.result.success) return undefined;
    const request = (context.transportContext as HTTPTransportContext | undefined)?.request;
    if (!request) return undefined;
    const siwx = readHeader(request, SIWX_HEADER);
    if (!siwx && this.options.entitleWithoutProof === false) return undefined;
    const paymentId = paymentIdOf(context.paymentPayload as { payload: Record<string, unknown> }, context.requirements);
    try {
      if (!paymentId) throw new Error('not an EVM exact payment: no payment id');
      const method = request.method || request.adapter.getMethod();
      const route = this.routes.match(method, request.path);
      if (!route) throw new Error(`${method} ${request.path} is not a session route`);
      const grant = await this.client.createSession({
        siwx,
        paymentId,
        policyId: route.value.policy,
        resource: { method, url: this.resourceUrl(request) },
      });
      this.emit({ type: 'session_issued', sessionId: grant.sessionId, paymentId, wallet: grant.wallet });
      if (!siwx || grant.token === null) return undefined;
      await this.verifier.verify(grant.token);
      this.deliver(grant.token);
      return {
        session: {
          token: grant.token,
          sessionId: grant.sessionId,
          expiresAt: grant.expiresAt,
          tokenExpiresAt: grant.tokenExpiresAt,
        },
      };
    } catch (error) {
      // The payment is settled and the resource served; only the session is missing. The client pays next time.
      this.emit({ type: 'session_issue_failed', paymentId, error: (error as Error).message });
      return undefined;
    }
  }

  /** onProtectedRequest: an official SIWx client's repeat access (a proof, no payment) → the wallet's session. */
  private async siwxRepeatAccess(context: HTTPRequestContext): Promise<void | { grantAccess: true }> {
    if (context.paymentHeader) return undefined;
    const siwx = readHeader(context, SIWX_HEADER);
    if (!siwx) return undefined;
    const method = context.method || context.adapter.getMethod();
    if (!this.routes.match(method, context.path)) return undefined;
    try {
      const grant = await this.client.exchangeSiwx({ siwx, resource: { method, url: this.resourceUrl(context) } });
      if (grant.token === null) throw new Error('the service granted no token');
      await this.verifier.verify(grant.token);
      this.deliver(grant.token);
      this.emit({ type: 'siwx_access_granted', sessionId: grant.sessionId, wallet: grant.wallet });
      return { grantAccess: true };
    } catch (error) {
      this.emit({ type: 'siwx_access_refused', error: (error as Error).message });
      return undefined;
    }
  }

  private deliver(token: string): void {
    sessionRequestScope.getStore()?.setHeader(SESSION_HEADER, token);
  }

  private resourceUrl(request: HTTPRequestContext): string {
    const url = new URL(this.origin.origin);
    const actual = new URL(request.adapter.getUrl());
    url.pathname = actual.pathname;
    url.search = actual.search;
    return url.toString();
  }

  private emit(event: SessionGuardEvent): void {
    this.options.onEvent?.(event);
  }
}

function readHeader(request: HTTPRequestContext, name: string): string | undefined {
  const value = request.adapter.getHeader(name) ?? request.adapter.getHeader(name.toLowerCase());
  return value === undefined || value === '' ? undefined : value;
}

function normalizeOrigin(origin: string): URL {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new SessionGuardException(SessionGuardErrorCode.INVALID_CONFIG, `origin "${origin}" is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
    throw new SessionGuardException(
      SessionGuardErrorCode.INVALID_CONFIG,
      `origin "${origin}" must be http(s)://host[:port] without path, query or fragment`,
    );
  }
  return url;
}
