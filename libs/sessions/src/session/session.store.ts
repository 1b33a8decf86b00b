import type { EventLog, StreamOwnership } from '@x402-ledger/event-log';
import {
  LedgerErrorCode,
  LedgerException,
  sessionAggregate,
  type Clock,
  type EventContext,
  type EventEnvelope,
  type EventFactory,
  type SessionCommand,
  type SessionIssuedData,
  type SessionState,
  type SessionUsedData,
} from '@x402-ledger/ledger';
import type { SessionStatusName } from '@x402-ledger/session-guard';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';
import { AggregateStore } from '../store/aggregate-store';

/** An issued session's current state (the ledger's Session aggregate state, issued). */
export type ActiveSessionState = SessionState & { session: SessionIssuedData };

/** The status an API reports: the aggregate's, plus `exhausted` (no calls or budget left). */
export function statusOf(state: ActiveSessionState, nowMs: number): SessionStatusName {
  if (state.status === 'revoked') return 'revoked';
  if (state.status === 'expired' || Date.parse(state.session.expiresAt) <= nowMs) return 'expired';
  const s = state.session;
  if (s.maxCalls !== null && state.calls >= s.maxCalls) return 'exhausted';
  if (s.budget !== null && BigInt(state.spend) >= BigInt(s.budget)) return 'exhausted';
  return 'active';
}

/** Calls and spend the session can still take (null = unlimited). */
export function remainingOf(state: ActiveSessionState): { calls: number | null; budget: bigint | null } {
  const s = state.session;
  return {
    calls: s.maxCalls === null ? null : Math.max(0, s.maxCalls - state.calls),
    budget: s.budget === null ? null : BigInt(s.budget) - BigInt(state.spend),
  };
}

/**
 * Sessions, durable on the event log (the ledger's Session aggregate, one stream per session id) with the state in
 * memory (rebuilt by replay on start) and secondary indexes: by payment (one payment buys one session) and by wallet.
 */
export class SessionStore {
  private readonly store: AggregateStore<SessionState, SessionCommand>;
  private readonly byPaymentId = new Map<string, string>();
  private readonly byWalletKey = new Map<string, Set<string>>();

  /** Sessions whose revocation was reported (a partition refolded after a reassignment reports it once). */
  private readonly revokedReported = new Set<string>();

  constructor(
    log: EventLog,
    factory: EventFactory,
    private readonly clock: Clock,
    onChange?: (state: ActiveSessionState, envelope: EventEnvelope) => void,
  ) {
    this.store = new AggregateStore(sessionAggregate, log, factory, clock, {
      onChange: (id, state, envelope) => {
        if (envelope.type === 'session.issued' && state.session) this.index(id, envelope.tenant, state.session);
        if (!state.session) return;
        if (envelope.type === 'session.revoked') {
          if (this.revokedReported.has(id)) return;
          this.revokedReported.add(id);
        }
        onChange?.(state as ActiveSessionState, envelope);
      },
      onDrop: (id, state) => {
        if (!state.session) return;
        if (this.byPaymentId.get(state.session.paymentId) === id) this.byPaymentId.delete(state.session.paymentId);
        const key = walletKey(state.tenant ?? '', state.session.wallet);
        const set = this.byWalletKey.get(key);
        set?.delete(id);
        if (set?.size === 0) this.byWalletKey.delete(key);
      },
      onRestore: (id, state) => {
        if (state.session) this.index(id, state.tenant ?? '', state.session);
        if (state.status === 'revoked') this.revokedReported.add(id);
      },
    });
  }

  private index(id: string, tenant: string, session: SessionIssuedData): void {
    this.byPaymentId.set(session.paymentId, id);
    const key = walletKey(tenant, session.wallet);
    const set = this.byWalletKey.get(key) ?? new Set<string>();
    set.add(id);
    this.byWalletKey.set(key, set);
  }

  /** Kafka mode: the states follow the owned partitions of this (fenced) ownership; see AggregateStore. */
  useOwnership(ownership: StreamOwnership): this {
    this.store.useOwnership(ownership);
    return this;
  }

  apply(envelope: EventEnvelope): void {
    this.store.apply(envelope);
  }

  /** Kafka mode: one record of an owned partition. */
  fold(envelope: EventEnvelope): void {
    this.store.fold(envelope);
  }

  /** Kafka mode: the partition was (re)assigned — drop its sessions (and their index entries), restore `snapshot`. */
  resetPartition(partition: number, snapshot: unknown): void {
    this.store.resetPartition(partition, snapshot);
  }

  snapshotPartition(partition: number): unknown {
    return this.store.snapshotPartition(partition);
  }

  /** Resolves when this process may answer for the session (see AggregateStore.claimForRead); NOT_OWNER if not. */
  claim(sessionId: string): Promise<void> {
    return this.store.claimForRead(sessionId);
  }

  get(sessionId: string): ActiveSessionState | undefined {
    const state = this.store.get(sessionId);
    return state?.session ? (state as ActiveSessionState) : undefined;
  }

  /** The session a payment bought, if any. */
  byPayment(paymentId: string): ActiveSessionState | undefined {
    const id = this.byPaymentId.get(paymentId);
    return id === undefined ? undefined : this.get(id);
  }

  /** The tenant's sessions of a wallet (any status), newest first. */
  byWallet(tenant: string, wallet: string): ActiveSessionState[] {
    const ids = this.byWalletKey.get(walletKey(tenant, wallet));
    if (!ids) return [];
    return [...ids]
      .map((id) => this.get(id)!)
      .filter(Boolean)
      .reverse();
  }

  async issue(data: SessionIssuedData, context: EventContext): Promise<ActiveSessionState> {
    const { state } = await this.store.execute(data.sessionId, { type: 'IssueSession', data }, context);
    return state as ActiveSessionState;
  }

  /**
   * Records one usage batch. With `clamp`, a batch larger than what is left is cut to fit and the cut part is returned
   * as overshoot (nothing is appended when nothing fits); without it, a batch that does not fit is refused with
   * SESSION_EXHAUSTED. A revoked or expired session refuses usage with SESSION_ENDED.
   */
  async recordUsage(
    usage: SessionUsedData,
    context: EventContext,
    clamp: boolean,
  ): Promise<{ state: ActiveSessionState; overshootCalls: number; overshootSpend: bigint }> {
    let overshootCalls = 0;
    let overshootSpend = 0n;
    let nothingFits = false;
    try {
      const { state } = await this.store.execute(
        usage.sessionId,
        (current): SessionCommand => {
          if (!current.session) return { type: 'RecordSessionUsage', data: usage };
          const active = current as ActiveSessionState;
          const status = statusOf(active, this.clock.now().getTime());
          if (status === 'revoked' || status === 'expired') {
            throw new SessionsException(SessionsErrorCode.SESSION_ENDED, `session ${usage.sessionId} is ${status}`);
          }
          const left = remainingOf(active);
          const asked = BigInt(usage.spend);
          const calls = left.calls !== null && usage.calls > left.calls ? left.calls : usage.calls;
          const spend = left.budget !== null && asked > left.budget ? (left.budget < 0n ? 0n : left.budget) : asked;
          if (calls === usage.calls && spend === asked) return { type: 'RecordSessionUsage', data: usage };
          if (!clamp) {
            throw new SessionsException(SessionsErrorCode.SESSION_EXHAUSTED, `session ${usage.sessionId} is used up`);
          }
          overshootCalls = usage.calls - calls;
          overshootSpend = asked - spend;
          if (calls === 0) {
            nothingFits = true;
            throw new SessionsException(SessionsErrorCode.SESSION_EXHAUSTED, `session ${usage.sessionId} is used up`);
          }
          return { type: 'RecordSessionUsage', data: { ...usage, calls, spend: spend.toString() } };
        },
        context,
      );
      return { state: state as ActiveSessionState, overshootCalls, overshootSpend };
    } catch (error) {
      if (nothingFits) return { state: this.get(usage.sessionId)!, overshootCalls, overshootSpend };
      throw mapLedgerError(error, usage.sessionId);
    }
  }

  async revoke(sessionId: string, reason: string, revokedBy: string, context: EventContext): Promise<EventEnvelope[]> {
    try {
      const { envelopes } = await this.store.execute(
        sessionId,
        { type: 'RevokeSession', data: { sessionId, reason, revokedBy } },
        context,
      );
      return envelopes;
    } catch (error) {
      throw mapLedgerError(error, sessionId);
    }
  }

  async expire(sessionId: string, context: EventContext): Promise<EventEnvelope[]> {
    const { envelopes } = await this.store.execute(sessionId, { type: 'ExpireSession', data: { sessionId } }, context);
    return envelopes;
  }

  /** Sessions that are active in the ledger but past their expiresAt (for the expiry sweep). */
  dueForExpiry(nowMs: number): ActiveSessionState[] {
    const due: ActiveSessionState[] = [];
    for (const [, state] of this.store.entries()) {
      if (state.status === 'active' && state.session && Date.parse(state.session.expiresAt) <= nowMs) {
        due.push(state as ActiveSessionState);
      }
    }
    return due;
  }

  get size(): number {
    return this.store.size;
  }
}

function walletKey(tenant: string, wallet: string): string {
  return `${tenant}|${wallet.toLowerCase()}`;
}

function mapLedgerError(error: unknown, sessionId: string): unknown {
  if (!(error instanceof LedgerException)) return error;
  switch (error.code) {
    case LedgerErrorCode.NOT_FOUND:
      return new SessionsException(SessionsErrorCode.SESSION_NOT_FOUND, `session ${sessionId} not found`);
    case LedgerErrorCode.TERMINAL_STATE:
      return new SessionsException(SessionsErrorCode.SESSION_ENDED, error.message);
    case LedgerErrorCode.SESSION_LIMIT_EXCEEDED:
      return new SessionsException(SessionsErrorCode.SESSION_EXHAUSTED, error.message);
    default:
      return error;
  }
}
