import type { LoggedEvent } from '@x402-ledger/event-log';
import type {
  DisputeStatus,
  EventDataMap,
  EventEnvelope,
  RefundStatus,
  RefundSubmittedData,
  RefundRequestedData,
  DisputeOpenedData,
} from '@x402-ledger/ledger';

/** What the workflows need to know about a payment to find work (decisions read the PaymentState, never this). */
export interface IndexedPayment {
  paymentId: string;
  tenant: string;
  network: string;
  asset: string;
  payer: string | null;
  payTo: string;
  resourceUrl: string | null;
  /** null until payment.settled. */
  settledAmount: string | null;
  /** occurredAt of payment.settled. */
  settledAt: string | null;
}

export interface IndexedRefund {
  refundId: string;
  paymentId: string;
  tenant: string;
  amount: string;
  status: RefundStatus;
  requestedBy: RefundRequestedData['requestedBy'];
  disputeId: string | null;
  method: RefundSubmittedData['method'] | null;
  txHashes: string[];
  requestedAt: string;
  /** occurredAt of the first refund.submitted. */
  submittedAt: string | null;
  updatedAt: string;
}

export interface IndexedDispute {
  disputeId: string;
  paymentId: string;
  tenant: string;
  status: DisputeStatus;
  reason: DisputeOpenedData['reason'];
  respondBy: string;
  openedAt: string;
  providerResponded: boolean;
}

/** A run of settled payments with the same tenant, payer, resource, network, asset and amount, each within the window of the previous. */
export interface DuplicateCluster {
  key: string;
  payments: IndexedPayment[];
}

function duplicateKey(p: IndexedPayment): string | null {
  if (p.payer === null || p.resourceUrl === null || p.settledAmount === null) return null;
  return [p.tenant, p.network, p.asset.toLowerCase(), p.payer.toLowerCase(), p.resourceUrl, p.settledAmount].join('|');
}

/**
 * A read model of refunds, disputes and settled payments, folded from the whole log (rebuilt at every start, kept
 * current by a tail of the log). It tells the background workflows WHERE to look (approved refunds, submitted
 * refunds, disputes past their deadline, duplicate candidates) and serves listings; every decision is then taken
 * under the payment's lock against the ledger's PaymentState. Idempotent: an envelope at or below a stream's last
 * indexed sequence is skipped, so replays and re-reads change nothing.
 */
export class WorkflowIndex {
  private readonly sequences = new Map<string, number>();
  private readonly payments = new Map<string, IndexedPayment>();
  private readonly refunds = new Map<string, IndexedRefund>();
  private readonly refundsByPayment = new Map<string, string[]>();
  private readonly disputes = new Map<string, IndexedDispute>();
  private readonly settledByKey = new Map<string, IndexedPayment[]>();

  apply(batch: readonly LoggedEvent[]): void {
    for (const { envelope } of batch) this.applyEnvelope(envelope);
  }

  applyEnvelope(envelope: EventEnvelope): void {
    if (envelope.streamType !== 'payment') return;
    const last = this.sequences.get(envelope.streamId) ?? 0;
    if (envelope.sequence <= last) return;
    this.sequences.set(envelope.streamId, envelope.sequence);
    const at = envelope.occurredAt;
    const type = envelope.type;
    if (type.startsWith('payment.')) {
      this.applyPayment(envelope);
      return;
    }
    switch (type) {
      case 'refund.requested': {
        const d = envelope.data as EventDataMap['refund.requested'];
        this.refunds.set(d.refundId, {
          refundId: d.refundId,
          paymentId: d.paymentId,
          tenant: envelope.tenant,
          amount: d.amount,
          status: 'requested',
          requestedBy: d.requestedBy,
          disputeId: d.disputeId ?? null,
          method: null,
          txHashes: [],
          requestedAt: at,
          submittedAt: null,
          updatedAt: at,
        });
        const list = this.refundsByPayment.get(d.paymentId) ?? [];
        list.push(d.refundId);
        this.refundsByPayment.set(d.paymentId, list);
        return;
      }
      case 'refund.approved':
        return this.moveRefund(envelope, 'approved');
      case 'refund.submitted': {
        const d = envelope.data as EventDataMap['refund.submitted'];
        const r = this.refunds.get(d.refundId);
        if (!r) return;
        r.status = 'submitted';
        r.method = d.method;
        if (!r.txHashes.includes(d.txHash)) r.txHashes.push(d.txHash);
        r.submittedAt ??= at;
        r.updatedAt = at;
        return;
      }
      case 'refund.succeeded':
        return this.moveRefund(envelope, 'succeeded');
      case 'refund.failed':
        return this.moveRefund(envelope, 'failed');
      case 'refund.canceled':
        return this.moveRefund(envelope, 'canceled');
      case 'dispute.opened': {
        const d = envelope.data as EventDataMap['dispute.opened'];
        this.disputes.set(d.disputeId, {
          disputeId: d.disputeId,
          paymentId: d.paymentId,
          tenant: envelope.tenant,
          status: 'needs_response',
          reason: d.reason,
          respondBy: d.respondBy,
          openedAt: at,
          providerResponded: false,
        });
        return;
      }
      case 'dispute.evidence_submitted': {
        const d = envelope.data as EventDataMap['dispute.evidence_submitted'];
        const dispute = this.disputes.get(d.disputeId);
        if (dispute && d.party === 'provider') dispute.providerResponded = true;
        return;
      }
      case 'dispute.under_review':
        return this.moveDispute(envelope, 'under_review');
      case 'dispute.won':
        return this.moveDispute(envelope, 'won');
      case 'dispute.lost':
        return this.moveDispute(envelope, 'lost');
      case 'dispute.withdrawn':
        return this.moveDispute(envelope, 'withdrawn');
      default:
        return;
    }
  }

  private applyPayment(envelope: EventEnvelope): void {
    const d = envelope.data as EventDataMap['payment.verified'];
    if (typeof d.paymentId !== 'string') return;
    let p = this.payments.get(d.paymentId);
    if (!p) {
      p = {
        paymentId: d.paymentId,
        tenant: envelope.tenant,
        network: d.network,
        asset: d.asset,
        payer: d.payer ?? null,
        payTo: d.payTo,
        resourceUrl: d.resourceUrl ?? null,
        settledAmount: null,
        settledAt: null,
      };
      this.payments.set(d.paymentId, p);
    } else {
      p.payer ??= d.payer ?? null;
      p.resourceUrl ??= d.resourceUrl ?? null;
    }
    if (envelope.type === 'payment.settled' && p.settledAt === null) {
      p.settledAmount = d.amount;
      p.settledAt = envelope.occurredAt;
      const key = duplicateKey(p);
      if (key !== null) {
        const list = this.settledByKey.get(key) ?? [];
        let i = list.length;
        while (i > 0 && (list[i - 1].settledAt as string) > p.settledAt) i--;
        list.splice(i, 0, p);
        this.settledByKey.set(key, list);
      }
    }
  }

  private moveRefund(envelope: EventEnvelope, status: RefundStatus): void {
    const r = this.refunds.get((envelope.data as { refundId: string }).refundId);
    if (!r) return;
    r.status = status;
    r.updatedAt = envelope.occurredAt;
  }

  private moveDispute(envelope: EventEnvelope, status: DisputeStatus): void {
    const d = this.disputes.get((envelope.data as { disputeId: string }).disputeId);
    if (!d) return;
    d.status = status;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // queries
  // ---------------------------------------------------------------------------------------------------------------

  payment(paymentId: string): IndexedPayment | undefined {
    return this.payments.get(paymentId);
  }

  refund(refundId: string): IndexedRefund | undefined {
    return this.refunds.get(refundId);
  }

  dispute(disputeId: string): IndexedDispute | undefined {
    return this.disputes.get(disputeId);
  }

  refundsOf(paymentId: string): IndexedRefund[] {
    return (this.refundsByPayment.get(paymentId) ?? []).map((id) => this.refunds.get(id) as IndexedRefund);
  }

  refundsWithStatus(status: RefundStatus): IndexedRefund[] {
    return [...this.refunds.values()].filter((r) => r.status === status);
  }

  listRefunds(filter: { tenant?: string; paymentId?: string; status?: RefundStatus } = {}): IndexedRefund[] {
    const source = filter.paymentId ? this.refundsOf(filter.paymentId) : [...this.refunds.values()];
    return source.filter(
      (r) => (!filter.tenant || r.tenant === filter.tenant) && (!filter.status || r.status === filter.status),
    );
  }

  listDisputes(filter: { tenant?: string; status?: DisputeStatus } = {}): IndexedDispute[] {
    return [...this.disputes.values()].filter(
      (d) => (!filter.tenant || d.tenant === filter.tenant) && (!filter.status || d.status === filter.status),
    );
  }

  /** Disputes still awaiting the provider's response whose respondBy is at or before `now`. */
  dueDisputes(now: Date): IndexedDispute[] {
    const iso = now.toISOString();
    return [...this.disputes.values()].filter(
      (d) => d.status === 'needs_response' && !d.providerResponded && d.respondBy <= iso,
    );
  }

  /**
   * Σ amounts of refunds executed by hot wallet for (network, payTo) whose first submission happened on the UTC day
   * of `now`, except those that failed (their transaction moved nothing).
   */
  hotWalletSpend(network: string, payTo: string, now: Date): bigint {
    const day = now.toISOString().slice(0, 10);
    let total = 0n;
    for (const r of this.refunds.values()) {
      if (r.method !== 'hot_wallet' || r.status === 'failed' || r.submittedAt?.slice(0, 10) !== day) continue;
      const p = this.payments.get(r.paymentId);
      if (p && p.network === network && p.payTo.toLowerCase() === payTo.toLowerCase()) total += BigInt(r.amount);
    }
    return total;
  }

  /**
   * Clusters of likely duplicate payments of a tenant: same payer, resource, network, asset and settled amount,
   * each settled within `windowMs` of the previous one. The first payment of a cluster is the original.
   */
  duplicateClusters(tenant: string | null, windowMs: number): DuplicateCluster[] {
    const clusters: DuplicateCluster[] = [];
    for (const [key, list] of this.settledByKey) {
      if (tenant !== null && list[0]?.tenant !== tenant) continue;
      let run: IndexedPayment[] = [];
      const flush = () => {
        if (run.length > 1) clusters.push({ key, payments: run });
      };
      for (const p of list) {
        const previous = run.at(-1);
        if (previous && Date.parse(p.settledAt as string) - Date.parse(previous.settledAt as string) <= windowMs) {
          run.push(p);
        } else {
          flush();
          run = [p];
        }
      }
      flush();
    }
    return clusters.sort((a, b) =>
      (a.payments[0].settledAt as string) < (b.payments[0].settledAt as string) ? -1 : 1,
    );
  }
}
