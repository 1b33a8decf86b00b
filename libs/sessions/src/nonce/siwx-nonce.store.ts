import type { EventLog, StreamOwnership } from '@x402-ledger/event-log';
import {
  LedgerErrorCode,
  LedgerException,
  nonceStreamId,
  siwxNonceAggregate,
  type Clock,
  type EventContext,
  type EventEnvelope,
  type EventFactory,
  type SiwxNonceCommand,
  type SiwxNonceState,
} from '@x402-ledger/ledger';
import { siwxRejected } from '../sessions.exception';
import { AggregateStore } from '../store/aggregate-store';
import type { RandomSource } from '../store/random-source.port';

export interface IssuedSiwxNonce {
  nonce: string;
  domain: string;
  origin: string;
  expiresAt: string;
}

/** What a consumption is for. */
export interface NonceConsumption {
  wallet: string;
  sessionId: string | null;
  /** Our own flows accept only nonces this service issued; the official SIWx storage flow consumes any nonce. */
  requireIssued: boolean;
}

const NONCE = /^[0-9a-zA-Z]{8,128}$/;

/** Random draws to find a nonce on an owned partition (Kafka mode; P(miss) = (1 - owned share)^draws). */
const OWNED_NONCE_DRAWS = 64;

/**
 * Single-use SIWx nonces, durable on the event log (`session.nonce_issued` / `session.nonce_consumed`, one stream per
 * nonce) with the state in memory, rebuilt by replay on start. Consumption is decided by the ledger's nonce
 * aggregate inside the stream's critical section, so of N concurrent consumptions exactly one wins.
 */
export class SiwxNonceStore {
  private readonly store: AggregateStore<SiwxNonceState, SiwxNonceCommand>;

  constructor(
    log: EventLog,
    factory: EventFactory,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly options: { ttlSeconds: number; producer: string; retentionSeconds: number },
    onChange?: (state: SiwxNonceState, envelope: EventEnvelope) => void,
  ) {
    this.store = new AggregateStore(siwxNonceAggregate, log, factory, clock, {
      onChange: (id, state, envelope) => {
        if (envelope.type === 'session.nonce_consumed') this.consumedAt.set(id, Date.parse(envelope.occurredAt));
        onChange?.(state, envelope);
      },
      onDrop: (id) => void this.consumedAt.delete(id),
      // The consumption time is not in the state: a restored consumed nonce is kept a full retention from now.
      onRestore: (id, state) => {
        if (state.status === 'consumed') this.consumedAt.set(id, this.clock.now().getTime());
      },
    });
  }

  /** When each consumed nonce was consumed (ms), for retention. */
  private readonly consumedAt = new Map<string, number>();

  static isWellFormed(nonce: string): boolean {
    return typeof nonce === 'string' && NONCE.test(nonce);
  }

  /**
   * Kafka mode: the states follow the owned partitions of this (fenced) ownership; nonces are issued on streams this
   * process owns (so the proof that consumes one must reach this process — else NOT_OWNER naming it).
   */
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

  /** Kafka mode: the partition was (re)assigned — drop its nonces, restore `snapshot`. */
  resetPartition(partition: number, snapshot: unknown): void {
    this.store.resetPartition(partition, snapshot);
  }

  snapshotPartition(partition: number): unknown {
    return this.store.snapshotPartition(partition);
  }

  /** Resolves when this process may answer for the nonce (see AggregateStore.claimForRead); NOT_OWNER if not. */
  async claim(nonce: string): Promise<void> {
    if (SiwxNonceStore.isWellFormed(nonce)) await this.store.claimForRead(nonceStreamId(nonce));
  }

  get(nonce: string): SiwxNonceState | undefined {
    if (!SiwxNonceStore.isWellFormed(nonce)) return undefined;
    return this.store.get(nonceStreamId(nonce));
  }

  /** Issues `count` fresh nonces (16 random bytes, hex — the official format) bound to `origin`. */
  async issue(tenant: string, origin: URL, count: number, correlationId: string): Promise<IssuedSiwxNonce[]> {
    const expiresAt = new Date(this.clock.now().getTime() + this.options.ttlSeconds * 1000).toISOString();
    const context: EventContext = { tenant, correlationId, causationId: null, producer: this.options.producer };
    return Promise.all(
      Array.from({ length: count }, async () => {
        const nonce = this.freshNonce();
        await this.store.execute(
          nonceStreamId(nonce),
          { type: 'IssueNonce', data: { nonce, domain: origin.host, uri: origin.origin, expiresAt } },
          context,
        );
        return { nonce, domain: origin.host, origin: origin.origin, expiresAt };
      }),
    );
  }

  /** 16 random bytes, hex; Kafka mode: one whose stream this process owns (bounded draws; else the claim refuses). */
  private freshNonce(): string {
    const ownership = this.store.owned;
    let nonce = this.random.bytes(16).toString('hex');
    for (let i = 0; ownership !== null && i < OWNED_NONCE_DRAWS && !ownership.owns(nonceStreamId(nonce)); i++) {
      nonce = this.random.bytes(16).toString('hex');
    }
    return nonce;
  }

  /**
   * Consumes a nonce exactly once. Throws SIWX_REJECTED (`invalid_siwx_nonce`) when it is unknown (and must have been
   * issued here), issued to another tenant, already consumed, or expired.
   */
  async consume(nonce: string, use: NonceConsumption, context: EventContext): Promise<SiwxNonceState> {
    if (!SiwxNonceStore.isWellFormed(nonce)) throw siwxRejected('invalid_siwx_nonce', 'malformed nonce');
    try {
      const { state } = await this.store.execute(
        nonceStreamId(nonce),
        (current): SiwxNonceCommand => {
          if (use.requireIssued && current.status === 'none') {
            throw siwxRejected('invalid_siwx_nonce', 'this nonce was not issued by the session service');
          }
          return { type: 'ConsumeNonce', data: { nonce, wallet: use.wallet, sessionId: use.sessionId } };
        },
        context,
      );
      return state;
    } catch (error) {
      if (error instanceof LedgerException) {
        if (error.code === LedgerErrorCode.NONCE_ALREADY_CONSUMED) {
          throw siwxRejected('invalid_siwx_nonce', 'nonce already used (replayed proof)');
        }
        if (error.code === LedgerErrorCode.NONCE_EXPIRED) throw siwxRejected('invalid_siwx_nonce', 'nonce expired');
        if (error.code === LedgerErrorCode.NOT_FOUND || error.code === LedgerErrorCode.TERMINAL_STATE) {
          throw siwxRejected('invalid_siwx_nonce', 'unknown nonce');
        }
      }
      throw error;
    }
  }

  /**
   * Forgets nonces that can no longer matter: issued-but-unused ones past their expiry, and consumed ones older than
   * the retention (longer than any proof may live: a replay of such an old proof fails its issuedAt/expiry checks).
   */
  prune(): number {
    const now = this.clock.now().getTime();
    const keepAfter = now - this.options.retentionSeconds * 1000;
    let dropped = 0;
    for (const [id, state] of [...this.store.entries()]) {
      const expiredUnused =
        state.status === 'issued' && state.issued !== null && Date.parse(state.issued.expiresAt) < now;
      const oldConsumed = state.status === 'consumed' && (this.consumedAt.get(id) ?? 0) < keepAfter;
      if (expiredUnused || oldConsumed) {
        this.store.delete(id);
        this.consumedAt.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.store.size;
  }
}
