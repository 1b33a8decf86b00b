import { Inject, Injectable } from '@nestjs/common';
import { EventLog, EventLogException, type LogPosition } from '@x402-ledger/event-log';
import {
  Clock,
  EventFactory,
  canonicalJson,
  decidePayment,
  evolvePayment,
  type EventEnvelope,
  type PaymentCommand,
  type PaymentState,
} from '@x402-ledger/ledger';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import { REFUNDS_OPTIONS, type RefundsOptions } from '../refunds.options';
import { PaymentStreamLocks, PaymentStreamStore } from './payment-streams.port';

/** Who writes and why; copied onto every envelope. */
export interface CommandMeta {
  correlationId: string;
  causationId?: string | null;
}

/** The payment stream while its lock is held: the current state, and a way to record facts on it. */
export interface PaymentStreamHandle {
  readonly paymentId: string;
  /** The state as of now (updated by every `record`). */
  readonly state: PaymentState;
  /** The stream's tenant (a payment belongs to its first event's tenant). */
  readonly tenant: string;
  /**
   * Decides the commands in order against the running state (each sees the facts of the previous), builds the
   * envelopes once, appends them in ONE append (durable before this resolves; retried with the very same envelopes),
   * then folds them into the store. A command that repeats an accepted fact adds nothing. Throws LedgerException
   * when the ledger refuses any command; then nothing is appended.
   */
  record(commands: readonly PaymentCommand[], meta: CommandMeta): Promise<EventEnvelope[]>;
}

type AppendListener = (envelopes: readonly EventEnvelope[]) => Promise<void>;

const APPEND_ATTEMPTS = 3;

/** Longest a fenced writer waits for its own append to come back through the fold. */
const FENCE_WAIT_MS = 10_000;

/**
 * One writer per payment: every refund and dispute command runs under the payment's lock (shared with the
 * facilitator's settlement path), after claiming the payment's stream (Kafka mode: this process must own its
 * partition — else NOT_OWNER, retryable), reads `state.sequence`, decides with the ledger's `decidePayment`, builds
 * envelopes with `EventFactory` (lastSequence = state.sequence), appends them durably, and only then folds them.
 *
 * Fence (store.fenced, Kafka mode): the writer does not fold its own envelopes; it waits until the owned
 * partition's fold has passed them and checks that the folded state is exactly what its envelopes produce. Two
 * writers that both believed they owned the partition (a rebalance) append the same sequence; every fold keeps the
 * first in partition order, so the other one sees a different state and fails with WRITE_CONFLICT (retryable) —
 * before anything (a refund transfer) follows from its facts.
 */
@Injectable()
export class PaymentCommandBus {
  private readonly factory: EventFactory;
  private readonly listeners: AppendListener[] = [];

  constructor(
    private readonly log: EventLog,
    private readonly store: PaymentStreamStore,
    private readonly locks: PaymentStreamLocks,
    private readonly clock: Clock,
    @Inject(REFUNDS_OPTIONS) private readonly options: RefundsOptions,
  ) {
    this.factory = new EventFactory(clock);
  }

  /** Called after every successful append, outside the payment lock (e.g. to bring the workflow index up to date). */
  onAppended(listener: AppendListener): void {
    this.listeners.push(listener);
  }

  /** The state of a payment stream (no lock; for reads). */
  peek(paymentId: string): PaymentState | undefined {
    return this.store.get(paymentId);
  }

  /** Runs `fn` holding the payment's lock. NOT_FOUND when the log has no event of this payment. */
  async withPayment<T>(paymentId: string, fn: (stream: PaymentStreamHandle) => Promise<T>): Promise<T> {
    const appended: EventEnvelope[] = [];
    try {
      return await this.locks.run(paymentId, async () => {
        await this.claim(paymentId);
        const initial = this.store.get(paymentId);
        if (!initial || initial.payment === null || initial.tenant === null) {
          throw new RefundsException(RefundsErrorCode.NOT_FOUND, `payment ${paymentId} not found`);
        }
        const tenant = initial.tenant;
        let state = initial;
        const handle: PaymentStreamHandle = {
          paymentId,
          tenant,
          get state() {
            return state;
          },
          record: async (commands, meta) => {
            const now = this.clock.now();
            let running = state;
            const envelopes: EventEnvelope[] = [];
            for (const command of commands) {
              const drafts = decidePayment(running, command, { tenant, now });
              if (drafts.length === 0) continue;
              const built = this.factory.create(
                { streamType: 'payment', streamId: paymentId, lastSequence: running.sequence },
                drafts,
                {
                  tenant,
                  correlationId: meta.correlationId,
                  causationId: meta.causationId ?? null,
                  producer: this.options.producer,
                },
              );
              for (const envelope of built) running = evolvePayment(running, envelope);
              envelopes.push(...built);
            }
            if (envelopes.length === 0) return [];
            const positions = await this.append(envelopes);
            if (this.store.fenced) {
              state = await this.fence(paymentId, running, positions[positions.length - 1]);
            } else {
              this.store.apply(envelopes);
              state = this.store.get(paymentId) ?? running;
            }
            appended.push(...envelopes);
            return envelopes;
          },
        };
        return fn(handle);
      });
    } finally {
      // Facts recorded before a later step failed are on the log all the same.
      if (appended.length > 0) for (const listener of this.listeners) await listener(appended);
    }
  }

  /**
   * Claims the payment's stream for this process (a no-op in embedded mode); RefundsException NOT_OWNER
   * (retryable, details name the owner when known) when another process owns it or it is being caught up.
   */
  async claim(paymentId: string): Promise<void> {
    try {
      await this.store.claim(paymentId);
    } catch (error) {
      if (error instanceof EventLogException && error.retryable) {
        throw new RefundsException(RefundsErrorCode.NOT_OWNER, `payment ${paymentId}: ${error.message}`, {
          cause: error,
          details: error.details,
        });
      }
      throw error;
    }
  }

  /**
   * Waits until the fold passed `last` (the position of this append's last envelope) and returns the folded state
   * when it is exactly what this append produces; WRITE_CONFLICT when the log kept another writer's facts (or the
   * partition was lost before the fold got there — then it is not known which ones were kept).
   */
  private async fence(paymentId: string, expected: PaymentState, last: LogPosition): Promise<PaymentState> {
    try {
      await this.store.awaitFolded(last, FENCE_WAIT_MS);
    } catch (error) {
      throw new RefundsException(
        RefundsErrorCode.WRITE_CONFLICT,
        `payment ${paymentId}: this process lost the stream before its facts were folded; retry`,
        { cause: error, details: error instanceof EventLogException ? error.details : undefined },
      );
    }
    const folded = this.store.get(paymentId);
    if (!folded || canonicalJson(folded) !== canonicalJson(expected)) {
      throw new RefundsException(
        RefundsErrorCode.WRITE_CONFLICT,
        `payment ${paymentId}: another writer recorded facts on this payment first; retry`,
        { details: { retryAfterMs: 100 } },
      );
    }
    return folded;
  }

  private async append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
      try {
        return await this.log.append(envelopes);
      } catch (error) {
        lastError = error;
        if (attempt < APPEND_ATTEMPTS) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    throw new RefundsException(
      RefundsErrorCode.NOT_RECORDED,
      `event log append failed: ${(lastError as Error)?.message ?? String(lastError)}`,
      { cause: lastError },
    );
  }
}
