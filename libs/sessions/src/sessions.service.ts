import { randomUUID } from 'node:crypto';
import type { EventLog } from '@x402-ledger/event-log';
import {
  Clock,
  EventFactory,
  sessionId as sessionIdOf,
  type EventContext,
  type EventEnvelope,
  type SessionIssuedData,
} from '@x402-ledger/ledger';
import {
  normalizeRequestPath,
  parseRoutePattern,
  routeMatches,
  type CreateSessionRequest,
  type ExchangeSiwxRequest,
  type IssueNoncesResponse,
  type Jwks,
  type ReportUsageRequest,
  type ReportUsageResponse,
  type ReserveUsageRequest,
  type ReserveUsageResponse,
  type RevocationPage,
  type SessionGrant,
  type SessionResourceRef,
  type SessionUsageState,
} from '@x402-ledger/session-guard';
import { getAddress } from 'viem';
import type { Principal } from './auth/principal';
import { SiwxNonceStore } from './nonce/siwx-nonce.store';
import { EventLogSettledPayments } from './payments/event-log-settled-payments';
import type { SettledPayment, SettledPayments } from './payments/settled-payments.port';
import type { PolicyRepository } from './policy/policy.repository';
import {
  budgetOf,
  policyAcceptsPayment,
  policyCoversPath,
  policyCoversRoute,
  scopeOf,
  type SessionPolicy,
  type SessionPolicyInput,
} from './policy/session-policy';
import { RevocationFeed } from './revocation/revocation-feed';
import { SessionStore, remainingOf, statusOf, type ActiveSessionState } from './session/session.store';
import type { SessionsConfig } from './sessions.config';
import { SessionsErrorCode, SessionsException, siwxRejected } from './sessions.exception';
import type { SignatureVerifier } from './siwx/signature-verifier.port';
import { checkSiwxMessage, decodeSiwxHeader, evmChainIdOf, siweMessageOf, type SiwxProof } from './siwx/siwx-proof';
import { KeyedMutex } from './store/keyed-mutex';
import type { RandomSource } from './store/random-source.port';
import type { SessionTokenIssuer } from './token/session-token.issuer';

/** The official SIWx storage's recordNonce names no wallet; nonce_consumed then records the zero address. */
const UNKNOWN_WALLET = '0x0000000000000000000000000000000000000000';
const ENTITLEMENT_NONCE = 'entitlement';

interface VerifiedProof {
  proof: SiwxProof;
  wallet: string;
  /** Origin the nonce was issued for: the token audience. */
  origin: string;
}

/**
 * The session service: SIWx nonces, proof verification, sessions bought by settled payments under versioned
 * provider policies, short-lived signed tokens, usage, revocation feed, expiry, and the official SIWx storage.
 * Every fact is appended to the event log before it is reported (HTTP answers come after the append resolved).
 * State lives in memory, rebuilt from the log by `init()`; commands on one stream are serialized. One writer
 * instance per log (see docs/adr/0007-sessions.md for the scale-out limits).
 */
export class SessionsService {
  readonly nonces: SiwxNonceStore;
  readonly sessions: SessionStore;
  readonly revocationFeed: RevocationFeed;
  private readonly audience = new Map<string, string>();
  private readonly paymentMutex = new KeyedMutex();
  private readonly usageBatches = new Map<string, ReportUsageResponse>();
  private readonly timers: NodeJS.Timeout[] = [];
  private ready = false;

  constructor(
    private readonly log: EventLog,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly verifier: SignatureVerifier,
    private readonly settled: SettledPayments,
    private readonly policies: PolicyRepository,
    private readonly tokens: SessionTokenIssuer,
    private readonly config: SessionsConfig,
    private readonly onBackgroundError: (what: string, error: unknown) => void = () => undefined,
  ) {
    const factory = new EventFactory(clock);
    this.revocationFeed = new RevocationFeed(config.revocationPollMs);
    this.nonces = new SiwxNonceStore(
      log,
      factory,
      clock,
      random,
      {
        ttlSeconds: config.nonceTtlSeconds,
        producer: config.producer,
        retentionSeconds: config.nonceRetentionSeconds,
      },
      (state, envelope) => {
        if (envelope.type !== 'session.nonce_consumed' || !state.consumed?.sessionId || !state.issued) return;
        this.audience.set(state.consumed.sessionId, state.issued.uri);
      },
    );
    this.sessions = new SessionStore(log, factory, clock, (state, envelope) => {
      if (envelope.type !== 'session.revoked') return;
      const revokedAt = Date.parse(envelope.occurredAt);
      const until = Math.min(
        revokedAt + (config.tokenTtlSeconds + 60) * 1000,
        Date.parse(state.session.expiresAt) + 60_000,
      );
      this.revocationFeed.record({
        sessionId: state.session.sessionId,
        wallet: state.session.wallet,
        revokedAt: envelope.occurredAt,
        relevantUntil: new Date(Math.max(until, revokedAt)).toISOString(),
      });
    });
  }

  /** Rebuilds state from the log, loads signing keys, starts the expiry sweep, nonce pruning and key rotation. */
  async init(): Promise<void> {
    const settled = this.settled instanceof EventLogSettledPayments ? this.settled : undefined;
    await this.log.replay(async (batch) => {
      for (const { envelope, position } of batch) {
        this.route(envelope);
        settled?.observe(envelope, position);
      }
    });
    this.nonces.prune();
    await this.tokens.init();
    await this.sweepExpired();
    this.every('expiry sweep', this.config.expirySweepSeconds * 1000, () => this.sweepExpired());
    this.every('nonce pruning', 60_000, async () => void this.nonces.prune());
    const rotationCheckMs = Math.min(3600, Math.max(1, Math.floor(this.config.keyRotationSeconds / 10))) * 1000;
    this.every('key rotation', rotationCheckMs, async () => {
      await this.tokens.rotateIfDue();
    });
    this.ready = true;
  }

  /** Stops the timers (the event log is closed by its own module). */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    this.ready = false;
  }

  get isReady(): boolean {
    return this.ready;
  }

  // ---- nonces ------------------------------------------------------------------------------------------------

  async issueNonces(p: Principal, origin: string, count: number): Promise<IssueNoncesResponse> {
    const url = parseOrigin(origin);
    const nonces = await this.nonces.issue(p.tenant, url, count, randomUUID());
    return {
      domain: url.host,
      origin: url.origin,
      nonces: nonces.map((n) => ({ nonce: n.nonce, expiresAt: n.expiresAt })),
    };
  }

  // ---- sessions ----------------------------------------------------------------------------------------------

  /** A settled payment (+ optional SIWx proof of the payer) → a session under the provider's policy, and a token. */
  async createSession(p: Principal, req: CreateSessionRequest): Promise<SessionGrant> {
    const payment = await this.settled.find(req.paymentId);
    if (!payment || payment.tenant !== p.tenant) {
      throw new SessionsException(SessionsErrorCode.PAYMENT_NOT_SETTLED, `no settled payment ${req.paymentId}`);
    }
    const resource = parseResource(req.resource);
    const policy = this.pickPolicy(p.tenant, req.policyId, resource.method, resource.url.pathname);
    this.assertPolicyCoversPayment(policy, payment);
    let verified: VerifiedProof | undefined;
    if (req.siwx !== undefined) {
      verified = await this.verifyProof(p.tenant, req.siwx);
      if (verified.wallet.toLowerCase() !== payment.payer.toLowerCase()) {
        throw new SessionsException(
          SessionsErrorCode.PAYER_MISMATCH,
          `the proof's wallet did not pay ${payment.paymentId}`,
        );
      }
      if (verified.proof.chainId !== payment.network) {
        throw siwxRejected('invalid_siwx_chain_id', `proof chain ${verified.proof.chainId} is not ${payment.network}`);
      }
      if (resource.url.origin !== verified.origin) {
        throw siwxRejected('invalid_siwx_uri_mismatch', `resource origin ${resource.url.origin} is not the proof's`);
      }
    }
    return this.paymentMutex.run(payment.paymentId, async () => {
      const existing = this.sessions.byPayment(payment.paymentId);
      const wallet = getAddress(payment.payer);
      const id =
        existing?.session.sessionId ??
        sessionIdOf({
          paymentId: payment.paymentId,
          wallet,
          nonce: verified?.proof.nonce ?? ENTITLEMENT_NONCE,
        });
      const context = this.context(p.tenant, payment.paymentId, payment.settledEventId);
      if (verified) {
        await this.nonces.consume(verified.proof.nonce, { wallet, sessionId: id, requireIssued: true }, context);
      }
      const state = existing ?? (await this.sessions.issue(this.sessionTerms(id, payment, wallet, policy), context));
      return this.grant(state, verified ? verified.origin : undefined);
    });
  }

  /** A SIWx proof alone (official client's repeat access) → a token of the wallet's active session for the route. */
  async exchangeSiwx(p: Principal, req: ExchangeSiwxRequest): Promise<SessionGrant> {
    const verified = await this.verifyProof(p.tenant, req.siwx);
    const resource = parseResource(req.resource);
    if (resource.url.origin !== verified.origin) {
      throw siwxRejected('invalid_siwx_uri_mismatch', `resource origin ${resource.url.origin} is not the proof's`);
    }
    const now = this.clock.now().getTime();
    const path = normalizeRequestPath(resource.url.pathname);
    const candidates = this.sessions
      .byWallet(p.tenant, verified.wallet)
      .filter((s) => statusOf(s, now) === 'active' && coversRoute(s, resource.method, path));
    const state = candidates.find((c) => {
      const left = remainingOf(c);
      return left.budget === null || left.budget >= BigInt(this.policyOf(c).pricePerCall);
    });
    if (state) {
      const policy = this.policyOf(state);
      const context = this.context(p.tenant, state.session.paymentId, null);
      await this.nonces.consume(
        verified.proof.nonce,
        { wallet: verified.wallet, sessionId: state.session.sessionId, requireIssued: true },
        context,
      );
      const used = await this.sessions.recordUsage(
        this.usageNow(state.session.sessionId, 1, policy.pricePerCall),
        context,
        false,
      );
      return this.grant(used.state, verified.origin);
    }
    throw new SessionsException(
      SessionsErrorCode.NO_ENTITLEMENT,
      `no active session covers ${resource.method} ${path}`,
    );
  }

  /** A fresh token for an active session (resource servers refresh before the short token expires). */
  async refreshToken(p: Principal, sessionId: string): Promise<SessionGrant> {
    const state = await this.sessionOf(p, sessionId);
    const status = statusOf(state, this.clock.now().getTime());
    if (status !== 'active') throw new SessionsException(SessionsErrorCode.SESSION_ENDED, `session is ${status}`);
    const audience = this.audience.get(sessionId);
    if (!audience) {
      throw new SessionsException(SessionsErrorCode.FORBIDDEN, 'this session was never redeemed with a SIWx proof');
    }
    return this.grant(state, audience);
  }

  async getSession(p: Principal, sessionId: string): Promise<Record<string, unknown>> {
    const state = await this.sessionOf(p, sessionId);
    const now = this.clock.now().getTime();
    return { ...state.session, status: statusOf(state, now), calls: state.calls, spend: state.spend };
  }

  // ---- usage -------------------------------------------------------------------------------------------------

  /** Usage batches from resource servers (local enforcement): one session.used per session, cut to the limits. */
  async reportUsage(p: Principal, req: ReportUsageRequest): Promise<ReportUsageResponse> {
    const key = req.batchId === undefined ? undefined : `${p.tenant}|${req.batchId}`;
    const seen = key === undefined ? undefined : this.usageBatches.get(key);
    if (seen) return seen;
    const out: SessionUsageState[] = [];
    for (const report of req.reports) {
      const state = await this.sessionOf(p, report.sessionId);
      const context = this.context(p.tenant, state.session.paymentId, null);
      let after = state;
      let overshootCalls = 0;
      let overshootSpend = 0n;
      try {
        const r = await this.sessions.recordUsage({ ...report }, context, true);
        after = r.state;
        overshootCalls = r.overshootCalls;
        overshootSpend = r.overshootSpend;
      } catch (error) {
        if (!(error instanceof SessionsException) || error.code !== SessionsErrorCode.SESSION_ENDED) throw error;
        overshootCalls = report.calls;
        overshootSpend = BigInt(report.spend);
      }
      out.push({
        sessionId: report.sessionId,
        status: statusOf(after, this.clock.now().getTime()),
        calls: after.calls,
        spend: after.spend,
        overshootCalls,
        overshootSpend: overshootSpend.toString(),
      });
    }
    const response = { sessions: out };
    if (key !== undefined) {
      if (this.usageBatches.size >= 10_000) this.usageBatches.delete(this.usageBatches.keys().next().value!);
      this.usageBatches.set(key, response);
    }
    return response;
  }

  /** Strict enforcement: reserve usage before serving; SESSION_EXHAUSTED (402) when it does not fit. */
  async reserve(p: Principal, sessionId: string, req: ReserveUsageRequest): Promise<ReserveUsageResponse> {
    const state = await this.sessionOf(p, sessionId);
    const context = this.context(p.tenant, state.session.paymentId, null);
    const { state: after } = await this.sessions.recordUsage(
      this.usageNow(sessionId, req.calls, req.spend),
      context,
      false,
    );
    const left = remainingOf(after);
    return {
      sessionId,
      calls: after.calls,
      spend: after.spend,
      remainingCalls: left.calls,
      remainingBudget: left.budget === null ? null : left.budget.toString(),
    };
  }

  // ---- revocation --------------------------------------------------------------------------------------------

  async revokeSession(p: Principal, sessionId: string, reason: string): Promise<{ revoked: string[] }> {
    const state = await this.sessionOf(p, sessionId);
    const context = this.context(state.tenant!, state.session.paymentId, null);
    const envelopes = await this.sessions.revoke(sessionId, reason, p.subject, context);
    return { revoked: envelopes.length ? [sessionId] : [] };
  }

  /** Revokes every active session of a wallet (of the caller's tenant). */
  async revokeWallet(p: Principal, wallet: string, reason: string): Promise<{ revoked: string[] }> {
    const now = this.clock.now().getTime();
    const revoked: string[] = [];
    for (const state of this.sessions.byWallet(p.tenant, wallet)) {
      if (state.status !== 'active' || statusOf(state, now) === 'expired') continue;
      const context = this.context(p.tenant, state.session.paymentId, null);
      const envelopes = await this.sessions.revoke(state.session.sessionId, reason, p.subject, context);
      if (envelopes.length) revoked.push(state.session.sessionId);
    }
    return { revoked };
  }

  revocations(since: string | undefined): RevocationPage {
    return this.revocationFeed.page(since, this.clock.now().getTime());
  }

  jwks(): Jwks {
    return this.tokens.jwks();
  }

  /** Records session.expired for sessions past their end (tokens already stop at the session end). */
  async sweepExpired(): Promise<number> {
    const due = this.sessions.dueForExpiry(this.clock.now().getTime());
    for (const state of due) {
      await this.sessions.expire(state.session.sessionId, this.context(state.tenant!, state.session.paymentId, null));
    }
    return due.length;
  }

  // ---- official SIWx storage ---------------------------------------------------------------------------------

  siwxHasPaid(p: Principal, resource: string, address: string): boolean {
    const now = this.clock.now().getTime();
    const path = normalizeRequestPath(resource);
    return this.sessions
      .byWallet(p.tenant, address)
      .some(
        (s) =>
          statusOf(s, now) === 'active' && s.session.scope.routes.some((r) => parseRoutePattern(r).regex.test(path)),
      );
  }

  /** The payer's newest settled payment for `resource` (a path) buys an entitlement session (idempotent). */
  async siwxRecordPayment(p: Principal, resource: string, address: string): Promise<{ sessionId: string }> {
    const path = normalizeRequestPath(resource);
    const payments = await this.settled.byPayer(p.tenant, address);
    const payment = payments.find((x) => x.resourceUrl !== null && pathOf(x.resourceUrl) === path);
    if (!payment) {
      throw new SessionsException(
        SessionsErrorCode.PAYMENT_NOT_SETTLED,
        `no settled payment by ${address} for ${path}`,
      );
    }
    const existing = this.sessions.byPayment(payment.paymentId);
    if (existing) return { sessionId: existing.session.sessionId };
    const policy = this.policies
      .list(p.tenant)
      .find((pol) => policyCoversPath(pol, path) && policyAcceptsPayment(pol, payment));
    if (!policy) {
      throw new SessionsException(
        SessionsErrorCode.POLICY_NOT_FOUND,
        `no policy of ${p.tenant} covers ${path} for this payment`,
      );
    }
    return this.paymentMutex.run(payment.paymentId, async () => {
      const again = this.sessions.byPayment(payment.paymentId);
      if (again) return { sessionId: again.session.sessionId };
      const wallet = getAddress(payment.payer);
      const id = sessionIdOf({ paymentId: payment.paymentId, wallet, nonce: ENTITLEMENT_NONCE });
      const context = this.context(p.tenant, payment.paymentId, payment.settledEventId);
      await this.sessions.issue(this.sessionTerms(id, payment, wallet, policy), context);
      return { sessionId: id };
    });
  }

  async siwxHasUsedNonce(nonce: string): Promise<boolean> {
    if (!SiwxNonceStore.isWellFormed(nonce)) return true;
    await this.nonces.claim(nonce);
    return this.nonces.get(nonce)?.status === 'consumed';
  }

  /** Marks a nonce used; a second recording of the same nonce fails (NONCE_REPLAYED). */
  async siwxRecordNonce(p: Principal, nonce: string): Promise<void> {
    try {
      await this.nonces.consume(
        nonce,
        { wallet: UNKNOWN_WALLET, sessionId: null, requireIssued: false },
        this.context(p.tenant, randomUUID(), null),
      );
    } catch (error) {
      if (error instanceof SessionsException && error.code === SessionsErrorCode.SIWX_REJECTED) {
        throw new SessionsException(SessionsErrorCode.NONCE_REPLAYED, `nonce already used: ${error.message}`);
      }
      throw error;
    }
  }

  // ---- policies ----------------------------------------------------------------------------------------------

  listPolicies(p: Principal): SessionPolicy[] {
    return this.policies.list(p.tenant);
  }

  async putPolicy(p: Principal, input: SessionPolicyInput): Promise<SessionPolicy> {
    const tenant = input.tenant ?? p.tenant;
    if (tenant !== p.tenant && !p.admin) {
      throw new SessionsException(SessionsErrorCode.FORBIDDEN, 'a provider sets its own policies only');
    }
    return this.policies.put({ ...input, tenant });
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private route(envelope: EventEnvelope): void {
    if (envelope.type === 'session.nonce_issued' || envelope.type === 'session.nonce_consumed') {
      this.nonces.apply(envelope);
    } else if (envelope.type.startsWith('session.')) {
      this.sessions.apply(envelope);
    }
  }

  /**
   * Checks a SIGN-IN-WITH-X proof against a nonce this service issued (unused, unexpired, same tenant), the origin
   * it was issued for (domain, URI), the time fields, and the wallet's signature (EOA, ERC-1271, ERC-6492). Does not
   * consume the nonce.
   */
  async verifyProof(tenant: string, header: string): Promise<VerifiedProof> {
    const proof = decodeSiwxHeader(header);
    evmChainIdOf(proof);
    await this.nonces.claim(proof.nonce);
    const nonce = this.nonces.get(proof.nonce);
    if (!nonce?.issued || nonce.tenant !== tenant) {
      throw siwxRejected('invalid_siwx_nonce', 'this nonce was not issued by the session service');
    }
    if (nonce.status === 'consumed') throw siwxRejected('invalid_siwx_nonce', 'nonce already used (replayed proof)');
    const now = this.clock.now().getTime();
    if (Date.parse(nonce.issued.expiresAt) < now) throw siwxRejected('invalid_siwx_nonce', 'nonce expired');
    checkSiwxMessage(proof, {
      origin: nonce.issued.uri,
      maxAgeMs: this.config.siwxMaxAgeSeconds * 1000,
      skewMs: this.config.siwxClockSkewSeconds * 1000,
      now,
    });
    const message = siweMessageOf(proof);
    const wallet = getAddress(proof.address);
    let valid: boolean;
    try {
      valid = await this.verifier.verify({
        network: proof.chainId,
        address: wallet,
        message,
        signature: proof.signature as `0x${string}`,
      });
    } catch (error) {
      throw new SessionsException(
        SessionsErrorCode.UNAVAILABLE,
        `signature check failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (!valid) throw siwxRejected('invalid_siwx_signature', 'signature verification failed');
    return { proof, wallet, origin: new URL(nonce.issued.uri).origin };
  }

  private pickPolicy(tenant: string, policyId: string | undefined, method: string, path: string): SessionPolicy {
    if (policyId !== undefined) {
      const policy = this.policies.current(tenant, policyId);
      if (!policy) throw new SessionsException(SessionsErrorCode.POLICY_NOT_FOUND, `no policy ${policyId}`);
      if (!policyCoversRoute(policy, method, path)) {
        throw new SessionsException(
          SessionsErrorCode.POLICY_NOT_COVERED,
          `policy ${policyId} does not cover ${method} ${path}`,
        );
      }
      return policy;
    }
    const policy = this.policies.list(tenant).find((pol) => policyCoversRoute(pol, method, path));
    if (!policy) throw new SessionsException(SessionsErrorCode.POLICY_NOT_FOUND, `no policy covers ${method} ${path}`);
    return policy;
  }

  private assertPolicyCoversPayment(policy: SessionPolicy, payment: SettledPayment): void {
    if (!policyAcceptsPayment(policy, payment)) {
      throw new SessionsException(
        SessionsErrorCode.POLICY_NOT_COVERED,
        `policy ${policy.id}@${policy.version} does not accept this payment (network, asset, payee or amount)`,
      );
    }
    if (payment.resourceUrl !== null) {
      const path = pathOf(payment.resourceUrl);
      if (path === undefined || !policyCoversPath(policy, path)) {
        throw new SessionsException(
          SessionsErrorCode.POLICY_NOT_COVERED,
          `the payment was for another resource than policy ${policy.id} covers`,
        );
      }
    }
  }

  private sessionTerms(id: string, payment: SettledPayment, wallet: string, policy: SessionPolicy): SessionIssuedData {
    return {
      sessionId: id,
      paymentId: payment.paymentId,
      wallet,
      network: payment.network,
      asset: getAddress(payment.asset),
      policyId: policy.id,
      policyVersion: policy.version,
      scope: scopeOf(policy),
      expiresAt: new Date(this.clock.now().getTime() + policy.durationSeconds * 1000).toISOString(),
      maxCalls: policy.maxCalls,
      budget: budgetOf(policy, payment.amount),
    };
  }

  private policyOf(state: ActiveSessionState): SessionPolicy {
    const s = state.session;
    const policy = this.policies.version(state.tenant!, s.policyId, s.policyVersion);
    if (!policy) {
      throw new SessionsException(
        SessionsErrorCode.POLICY_NOT_FOUND,
        `policy ${s.policyId}@${s.policyVersion} is gone`,
      );
    }
    return policy;
  }

  /** The grant for a session; with an audience, a freshly signed token. */
  private async grant(state: ActiveSessionState, audience: string | undefined): Promise<SessionGrant> {
    const s = state.session;
    const status = statusOf(state, this.clock.now().getTime());
    let token: string | null = null;
    let tokenExpiresAt: string | null = null;
    if (audience !== undefined) {
      if (status !== 'active') throw new SessionsException(SessionsErrorCode.SESSION_ENDED, `session is ${status}`);
      const policy = this.policyOf(state);
      const signed = await this.tokens.sign({
        sub: s.wallet,
        aud: audience,
        jti: this.random.bytes(12).toString('hex'),
        sid: s.sessionId,
        pid: s.paymentId,
        ten: state.tenant!,
        scp: s.scope.routes,
        lim: { calls: s.maxCalls, budget: s.budget, ppc: policy.pricePerCall, enf: policy.enforcement },
        sexp: Math.floor(Date.parse(s.expiresAt) / 1000),
        pol: `${s.policyId}@${s.policyVersion}`,
      });
      token = signed.token;
      tokenExpiresAt = signed.expiresAt.toISOString();
    }
    return {
      sessionId: s.sessionId,
      paymentId: s.paymentId,
      wallet: s.wallet,
      token,
      tokenExpiresAt,
      expiresAt: s.expiresAt,
      policyId: s.policyId,
      policyVersion: s.policyVersion,
      scope: s.scope.routes,
      maxCalls: s.maxCalls,
      budget: s.budget,
    };
  }

  /** The caller's session; NOT_OWNER (retryable) on a process that does not own it (Kafka mode), never a false 404. */
  private async sessionOf(p: Principal, sessionId: string): Promise<ActiveSessionState> {
    const wellFormed = /^[0-9a-f]{64}$/.test(sessionId);
    if (wellFormed) await this.sessions.claim(sessionId);
    const state = wellFormed ? this.sessions.get(sessionId) : undefined;
    if (!state || (state.tenant !== p.tenant && !p.admin)) {
      throw new SessionsException(SessionsErrorCode.SESSION_NOT_FOUND, `session ${sessionId} not found`);
    }
    return state;
  }

  private usageNow(sessionId: string, calls: number, spend: string) {
    const at = this.clock.now().toISOString();
    return { sessionId, calls, spend, windowStart: at, windowEnd: at };
  }

  private context(tenant: string, correlationId: string, causationId: string | null): EventContext {
    return { tenant, correlationId, causationId, producer: this.config.producer };
  }

  /** A periodic task; a failure is reported (and retried next period), never thrown into the timer. */
  private every(what: string, ms: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      task().catch((error) => this.onBackgroundError(what, error));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

function parseOrigin(origin: string): URL {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new SessionsException(SessionsErrorCode.INVALID_REQUEST, `origin "${origin}" is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new SessionsException(SessionsErrorCode.INVALID_REQUEST, `origin must be http(s)://host[:port]`);
  }
  return new URL(url.origin);
}

function parseResource(ref: SessionResourceRef): { method: string; url: URL } {
  let url: URL;
  try {
    url = new URL(ref.url);
  } catch {
    throw new SessionsException(SessionsErrorCode.INVALID_REQUEST, `resource.url is not a URL`);
  }
  return { method: ref.method.toUpperCase(), url };
}

function pathOf(url: string): string | undefined {
  try {
    return normalizeRequestPath(new URL(url).pathname);
  } catch {
    return undefined;
  }
}

function coversRoute(state: ActiveSessionState, method: string, normalizedPath: string): boolean {
  const upper = method.toUpperCase();
  return state.session.scope.routes.some((key) => routeMatches(parseRoutePattern(key), upper, normalizedPath));
}
