import type { EventLog, LogPosition, StreamOwnership } from '@x402-ledger/event-log';
import type { EventEnvelope, PaymentState } from '@x402-ledger/ledger';

/** A payment-identifier id seen before: which payload (fingerprint) and payment stream it was bound to. */
export interface PaymentIdentifierBinding {
  fingerprint: string;
  streamId: string | null;
}

/**
 * The facilitator's view of payments: the ledger's PaymentState per payment stream, folded from the event log
 * (durable: rebuilt from the log at start), plus the facilitator's own durable bookkeeping that is not a ledger fact
 * (a success answer was given; payment-identifier bindings).
 */
export abstract class PaymentStateStore {
  /**
   * Who owns which payment streams (null: this process owns all, folded from a full replay). Kafka mode: set by the
   * composition root; `load` then follows the owned partitions instead of replaying the whole log.
   */
  protected ownership: StreamOwnership | null = null;

  /** Binds the StreamOwnership before `load` (Kafka mode: only the owned partitions are folded). */
  useOwnership(ownership: StreamOwnership): this {
    this.ownership = ownership;
    return this;
  }

  /** True when writers must await the log's order after an append instead of folding their own appends. */
  get fenced(): boolean {
    return this.ownership?.fenced ?? false;
  }

  /**
   * Resolves when this process may decide on the stream (owner and caught up). Rejects with EventLogException
   * NOT_OWNER / NOT_READY (retryable) otherwise. Embedded mode: always resolves.
   */
  claim(streamId: string): Promise<void> {
    if (this.ownership === null || this.ownership.owns(streamId)) return Promise.resolve();
    return this.ownership.claim(streamId);
  }

  /** Fenced mode: resolves once the fold passed `position` (an append of this process); see StreamOwnership. */
  awaitFolded(position: LogPosition, timeoutMs?: number): Promise<void> {
    return this.ownership === null ? Promise.resolve() : this.ownership.awaitFolded(position, timeoutMs);
  }

  /** Rebuilds the states from the log (or starts following the owned partitions); call once before serving. */
  abstract load(log: EventLog): Promise<void>;
  /** The folded state of a payment stream, or undefined when the log has none of its events. */
  abstract get(streamId: string): PaymentState | undefined;
  /** Folds envelopes that are durably on the log. */
  abstract apply(envelopes: readonly EventEnvelope[]): void;
  /** Payments with a settlement transaction submitted and no final outcome yet. */
  abstract inFlight(): PaymentState[];
  abstract successAnswered(paymentId: string): boolean;
  /** Durably notes that a success answer is about to be sent for this payment (at most once per payment). */
  abstract markSuccessAnswered(paymentId: string): Promise<void>;
  /** Binds `key` to `binding` unless already bound; returns the binding in force (durable). */
  abstract bindPaymentIdentifier(key: string, binding: PaymentIdentifierBinding): Promise<PaymentIdentifierBinding>;
  abstract close(): Promise<void>;
}
