import type { EventLog } from '@x402-ledger/event-log';
import {
  evolvePayment,
  initialPaymentState,
  parseEnvelope,
  type EventEnvelope,
  type PaymentState,
} from '@x402-ledger/ledger';

/** A payment folded from the log, with when its settlement was recorded. */
export interface LedgerPayment {
  tenant: string;
  paymentId: string;
  state: PaymentState;
  /** occurredAt of payment.settled (ISO), or null when not settled. */
  settledAt: string | null;
}

/** A ledger fact that moved tokens on chain: a settlement (payer → payTo) or a succeeded refund (→ payer). */
export interface LedgerChainFact {
  kind: 'settlement' | 'refund';
  tenant: string;
  paymentId: string;
  /** The refund's id for refunds; null for settlements. */
  refundId: string | null;
  network: string;
  /** Token address, lowercase. */
  asset: string;
  txHash: string;
  blockNumber: bigint;
  /** The Transfer's log index when the ledger recorded it (settlements). */
  logIndex: number | null;
  /** Expected sender of the tokens, lowercase; null when any sender is right (hot-wallet refunds). */
  from: string | null;
  /** Expected recipient, lowercase. */
  to: string;
  amount: bigint;
}

/**
 * The ledger's view for reconciliation: every payment stream of the log folded with the ledger's own aggregate
 * (parseEnvelope upcasts old versions), plus the on-chain facts (payment.settled, refund.succeeded) it recorded.
 * Holds every payment in memory: a CLI-sized tool, not a service.
 */
export class LedgerSnapshot {
  private readonly states = new Map<string, LedgerPayment>();
  /** Events that did not validate or did not fold, with the reason (reported, never thrown). */
  readonly rejected: { eventId: string; type: string; reason: string }[] = [];
  eventsRead = 0;

  /** Folds the whole log (or from `from`), calling `onProgress` with the event count after each batch. */
  static async fromLog(log: EventLog, onProgress?: (events: number) => void): Promise<LedgerSnapshot> {
    const snapshot = new LedgerSnapshot();
    await log.replay(async (batch) => {
      for (const item of batch) snapshot.record(item.envelope);
      onProgress?.(snapshot.eventsRead);
    });
    return snapshot;
  }

  static of(events: Iterable<EventEnvelope>): LedgerSnapshot {
    const snapshot = new LedgerSnapshot();
    for (const e of events) snapshot.record(e);
    return snapshot;
  }

  record(raw: EventEnvelope): void {
    this.eventsRead++;
    if (raw.streamType !== 'payment') return;
    const key = `${raw.tenant}\u0000${raw.streamId}`;
    const current = this.states.get(key);
    if (current && raw.sequence <= current.state.sequence) return; // a redelivered event
    try {
      const envelope = parseEnvelope(raw);
      const state = evolvePayment(current?.state ?? initialPaymentState(), envelope);
      const settledAt = envelope.type === 'payment.settled' ? envelope.occurredAt : (current?.settledAt ?? null);
      this.states.set(key, { tenant: raw.tenant, paymentId: raw.streamId, state, settledAt });
    } catch (error) {
      this.rejected.push({ eventId: raw.id, type: raw.type, reason: (error as Error).message });
    }
  }

  payments(): IterableIterator<LedgerPayment> {
    return this.states.values();
  }

  payment(tenant: string, paymentId: string): LedgerPayment | undefined {
    return this.states.get(`${tenant}\u0000${paymentId}`);
  }

  /** Settlements and succeeded refunds recorded on `network` (all networks when omitted). */
  chainFacts(network?: string): LedgerChainFact[] {
    const facts: LedgerChainFact[] = [];
    for (const { tenant, paymentId, state } of this.states.values()) {
      const p = state.payment;
      if (!p || (network !== undefined && p.network !== network)) continue;
      const asset = p.asset.toLowerCase();
      const payer = p.payer?.toLowerCase() ?? '';
      if (state.settlement) {
        facts.push({
          kind: 'settlement',
          tenant,
          paymentId,
          refundId: null,
          network: p.network,
          asset,
          txHash: state.settlement.txHash.toLowerCase(),
          blockNumber: BigInt(state.settlement.blockNumber),
          logIndex: state.settlement.logIndex,
          from: payer,
          to: p.payTo.toLowerCase(),
          amount: BigInt(state.settledAmount),
        });
      }
      for (const refund of Object.values(state.refunds)) {
        if (refund.status !== 'succeeded' || !refund.txHash || refund.blockNumber === null) continue;
        facts.push({
          kind: 'refund',
          tenant,
          paymentId,
          refundId: refund.refundId,
          network: p.network,
          asset,
          txHash: refund.txHash.toLowerCase(),
          blockNumber: BigInt(refund.blockNumber),
          logIndex: null,
          from: refund.method === 'authorization' ? p.payTo.toLowerCase() : null,
          to: payer,
          amount: BigInt(refund.amount),
        });
      }
    }
    return facts;
  }
}
