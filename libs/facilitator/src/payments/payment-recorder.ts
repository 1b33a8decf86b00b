import { Inject, Injectable } from '@nestjs/common';
import { EventLog, EventLogException, type LogPosition } from '@x402-ledger/event-log';
import {
  Clock,
  EventFactory,
  LedgerException,
  canonicalJson,
  decidePayment,
  evolvePayment,
  initialPaymentState,
  type PaymentCommand,
  type PaymentState,
} from '@x402-ledger/ledger';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import { DEFAULTS, FACILITATOR_OPTIONS, type FacilitatorOptions } from '../facilitator.options';
import { PaymentStateStore } from '../state/payment-state.store';

/** Longest a fenced writer waits for its own append to come back through the ownership fold. */
const FENCE_WAIT_MS = 10_000;

/**
 * Records payment facts: the ledger's `decidePayment` turns a command into events (or refuses it), the EventFactory
 * makes the envelopes, and the call resolves only once EventLog.append has made them durable; only then is the
 * state folded and the caller allowed to answer.
 *
 * Fence (store.fenced, Kafka mode; ADR 0012): the recorder does not fold its own envelopes. It waits until the owned
 * partition's fold has passed them and requires the folded state to be exactly what they produce. Two processes that
 * both believed they owned the partition (a rebalance) append the same sequence; every fold keeps the first in
 * partition order, so the other one gets NOT_RECORDED (503, Retry-After) and answers nothing from its facts — its
 * state stays the log's. (Its settlement transaction, if it broadcast one, cannot move the funds a second time: the
 * authorization's nonce is spent once on chain; the transaction reverts.)
 */
@Injectable()
export class PaymentRecorder {
  private readonly factory: EventFactory;
  private readonly producer: string;

  constructor(
    private readonly log: EventLog,
    private readonly store: PaymentStateStore,
    private readonly clock: Clock,
    @Inject(FACILITATOR_OPTIONS) options: FacilitatorOptions,
  ) {
    this.factory = new EventFactory(clock);
    this.producer = options.producer ?? DEFAULTS.producer;
  }

  /** True when `tenant` may write on this stream (new, or already this tenant's). */
  canWrite(streamId: string, tenant: string): boolean {
    const state = this.store.get(streamId);
    return !state || state.tenant === null || state.tenant === tenant;
  }

  async record(
    streamId: string,
    tenant: string,
    correlationId: string,
    command: PaymentCommand,
  ): Promise<PaymentState> {
    const state = this.store.get(streamId) ?? initialPaymentState();
    let envelopes;
    try {
      const drafts = decidePayment(state, command, { tenant, now: this.clock.now() });
      if (drafts.length === 0) return state;
      envelopes = this.factory.create({ streamType: 'payment', streamId, lastSequence: state.sequence }, drafts, {
        tenant,
        correlationId,
        causationId: null,
        producer: this.producer,
      });
    } catch (error) {
      if (error instanceof LedgerException) {
        throw new FacilitatorException(
          FacilitatorErrorCode.NOT_RECORDED,
          `ledger refused ${command.type}: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
    let positions: LogPosition[];
    try {
      positions = await this.log.append(envelopes);
    } catch (error) {
      throw new FacilitatorException(
        FacilitatorErrorCode.NOT_RECORDED,
        `event log append failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (this.store.fenced) {
      let expected = state;
      for (const envelope of envelopes) expected = evolvePayment(expected, envelope);
      return this.fence(streamId, expected, positions[positions.length - 1]);
    }
    this.store.apply(envelopes);
    return this.store.get(streamId)!;
  }

  /** Waits for the fold to pass `last` and returns the folded state when it is this append's; NOT_RECORDED if not. */
  private async fence(streamId: string, expected: PaymentState, last: LogPosition | undefined): Promise<PaymentState> {
    if (last === undefined) throw new Error('the event log returned no position for an append');
    try {
      await this.store.awaitFolded(last, FENCE_WAIT_MS);
    } catch (error) {
      const retryAfterMs = error instanceof EventLogException ? error.details?.retryAfterMs : undefined;
      throw new FacilitatorException(
        FacilitatorErrorCode.NOT_RECORDED,
        `payment ${streamId}: this process lost the payment's stream before its facts were folded; retry`,
        { cause: error, retryAfterSeconds: Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000)) },
      );
    }
    const folded = this.store.get(streamId);
    if (folded === undefined || canonicalJson(folded) !== canonicalJson(expected)) {
      throw new FacilitatorException(
        FacilitatorErrorCode.NOT_RECORDED,
        `payment ${streamId}: another writer recorded facts on this payment first; retry`,
        { retryAfterSeconds: 1 },
      );
    }
    return folded;
  }
}
