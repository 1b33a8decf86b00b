import { Inject, Injectable } from '@nestjs/common';
import { EventLog } from '@x402-ledger/event-log';
import {
  Clock,
  EventFactory,
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

/**
 * One writer per payment: every refund and dispute command runs under the payment's lock (shared with the
 * facilitator's settlement path), reads `state.sequence`, decides with the ledger's `decidePayment`, builds envelopes
 * with `EventFactory` (lastSequence = state.sequence), appends them durably, and only then folds them into the store.
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
            await this.append(envelopes);
            this.store.apply(envelopes);
            state = this.store.get(paymentId) ?? running;
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

  private async append(envelopes: readonly EventEnvelope[]): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
      try {
        await this.log.append(envelopes);
        return;
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
