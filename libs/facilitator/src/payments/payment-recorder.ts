import { Inject, Injectable } from '@nestjs/common';
import { EventLog } from '@x402-ledger/event-log';
import {
  Clock,
  EventFactory,
  LedgerException,
  decidePayment,
  initialPaymentState,
  type PaymentCommand,
  type PaymentState,
} from '@x402-ledger/ledger';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import { DEFAULTS, FACILITATOR_OPTIONS, type FacilitatorOptions } from '../facilitator.options';
import { PaymentStateStore } from '../state/payment-state.store';

/**
 * Records payment facts: the ledger's `decidePayment` turns a command into events (or refuses it), the EventFactory
 * makes the envelopes, and the call resolves only once EventLog.append has made them durable; only then is the
 * state folded and the caller allowed to answer.
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
    try {
      await this.log.append(envelopes);
    } catch (error) {
      throw new FacilitatorException(
        FacilitatorErrorCode.NOT_RECORDED,
        `event log append failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.store.apply(envelopes);
    return this.store.get(streamId)!;
  }
}
