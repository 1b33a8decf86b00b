import type { LoggedEvent } from '@x402-ledger/event-log';
import {
  evolvePayment,
  initialPaymentState,
  parseEnvelope,
  type EventEnvelope,
  type PaymentState,
} from '@x402-ledger/ledger';

/**
 * Every payment stream's state folded from the log (the Payment aggregate's evolve), kept in memory, plus refund and
 * dispute → payment indexes. Fed by an EventLogTail (history on start, then live) and by the writer's own appends
 * (read-your-writes); envelopes at or below a stream's applied sequence are skipped, so double delivery is harmless.
 *
 * Memory grows with the number of payments (~1–2 KB each): fine for the embedded single-process mode; the scale-out
 * refund/dispute service replaces this with a partition-owner store (DESIGN: "commands on one aggregate are serialized").
 */
export class PaymentStateStore {
  private readonly states = new Map<string, PaymentState>();
  private readonly refundIndex = new Map<string, string>();
  private readonly disputeIndex = new Map<string, string>();
  private readonly brokenStreams = new Map<string, string>();

  constructor(private readonly onProblem: (message: string) => void = () => undefined) {}

  get size(): number {
    return this.states.size;
  }

  get(paymentId: string): PaymentState | undefined {
    return this.states.get(paymentId);
  }

  /** Why a stream could not be folded (a command on it must fail), or undefined. */
  problem(paymentId: string): string | undefined {
    return this.brokenStreams.get(paymentId);
  }

  paymentOfRefund(refundId: string): string | undefined {
    return this.refundIndex.get(refundId);
  }

  paymentOfDispute(disputeId: string): string | undefined {
    return this.disputeIndex.get(disputeId);
  }

  applyLogged(batch: readonly LoggedEvent[]): void {
    this.apply(batch.map((l) => l.envelope));
  }

  apply(envelopes: readonly EventEnvelope[]): void {
    for (const raw of envelopes) {
      if (raw.streamType !== 'payment' || this.brokenStreams.has(raw.streamId)) continue;
      const current = this.states.get(raw.streamId) ?? initialPaymentState();
      if (raw.sequence <= current.sequence) continue;
      try {
        const envelope = parseEnvelope(raw);
        const next = evolvePayment(current, envelope);
        this.states.set(raw.streamId, next);
        const data = envelope.data;
        if (typeof data['refundId'] === 'string') this.refundIndex.set(data['refundId'], raw.streamId);
        if (typeof data['disputeId'] === 'string') this.disputeIndex.set(data['disputeId'], raw.streamId);
      } catch (error) {
        const message = `payment stream ${raw.streamId} cannot be folded at sequence ${raw.sequence}: ${(error as Error).message}`;
        this.brokenStreams.set(raw.streamId, message);
        this.onProblem(message);
      }
    }
  }
}
