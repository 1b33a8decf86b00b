import type { LogPosition } from '@x402-ledger/event-log';
import type { EventEnvelope, PaymentState } from '@x402-ledger/ledger';

/**
 * The ledger's PaymentState per payment stream, folded from the event log. In embedded mode bind it to the
 * facilitator's `PaymentStateStore` (same instance: `{ provide: PaymentStreamStore, useExisting: PaymentStateStore }`)
 * so settlement facts and refund/dispute facts are decided against one state; this port is the subset of that store
 * the refund workflows need.
 */
export abstract class PaymentStreamStore {
  /** The folded state of a payment stream, or undefined when the log has none of its events. */
  abstract get(streamId: string): PaymentState | undefined;
  /** Folds envelopes that are durably on the log. */
  abstract apply(envelopes: readonly EventEnvelope[]): void;
  /**
   * Fenced (Kafka mode, several writer processes): after an append, writers do NOT fold their own envelopes but
   * await `awaitFolded` and read what the log's order kept. False: writers fold their own appends (embedded).
   */
  abstract readonly fenced: boolean;
  /** Resolves when this process may decide on the stream; rejects with EventLogException NOT_OWNER / NOT_READY. */
  abstract claim(streamId: string): Promise<void>;
  /** Fenced mode: resolves once the fold passed `position`; rejects (NOT_OWNER) when the partition was lost. */
  abstract awaitFolded(position: LogPosition, timeoutMs?: number): Promise<void>;
}

/**
 * Serializes work per payment stream (one writer decides per payment). Bind it to the facilitator's `KeyedMutex`
 * (`{ provide: PaymentStreamLocks, useExisting: KeyedMutex }`) so refunds and settlements of one payment never
 * decide concurrently.
 */
export abstract class PaymentStreamLocks {
  abstract run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
