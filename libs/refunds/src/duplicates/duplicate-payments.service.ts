import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@x402-ledger/auth';
import { refundableAmount, refundId as deriveRefundId } from '@x402-ledger/ledger';
import { WorkflowIndexService } from '../index/workflow-index.service';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import { REFUNDS_OPTIONS, type RefundsOptions } from '../refunds.options';
import { isVisible } from '../refunds/payment-access';
import { RefundService, type CallMeta } from '../refunds/refund.service';
import type { RefundView } from '../refunds/refund.view';
import { PaymentCommandBus } from '../streams/payment-command.bus';

export interface DuplicatePayment {
  paymentId: string;
  settledAt: string;
  amount: string;
  /** What may still be refunded (settled − refunded). */
  refundable: string;
  /** The one-action duplicate refund, once requested. */
  refundId: string;
  refundStatus: RefundView['status'] | null;
}

/** Payments by one payer to one resource for one amount, each within the window of the previous: all but the first are likely duplicates. */
export interface DuplicatePaymentGroup {
  tenant: string;
  network: string;
  asset: string;
  payer: string;
  payTo: string;
  resourceUrl: string;
  amount: string;
  original: { paymentId: string; settledAt: string };
  duplicates: DuplicatePayment[];
}

/** The idempotency key of a duplicate's one-action refund (so clicking twice refunds once). */
export function duplicateRefundKey(paymentId: string): string {
  return `duplicate:${paymentId}`;
}

/**
 * Duplicate-payment detection, derived from the log (settled payments folded by the workflow index): nothing is
 * flagged in memory only, so the list is the same after a restart. Each duplicate is refundable in one action.
 */
@Injectable()
export class DuplicatePaymentsService {
  constructor(
    private readonly indexService: WorkflowIndexService,
    private readonly bus: PaymentCommandBus,
    private readonly refunds: RefundService,
    @Inject(REFUNDS_OPTIONS) private readonly options: RefundsOptions,
  ) {}

  list(actor: Principal): DuplicatePaymentGroup[] {
    const tenant = actor.kind === 'provider' && actor.tenant !== null ? actor.tenant : null;
    const groups: DuplicatePaymentGroup[] = [];
    for (const cluster of this.indexService
      .current()
      .duplicateClusters(tenant, this.options.duplicateWindowSeconds * 1000)) {
      const [first, ...rest] = cluster.payments;
      const firstState = this.bus.peek(first.paymentId);
      if (!firstState || !isVisible(actor, firstState)) continue;
      const duplicates: DuplicatePayment[] = [];
      for (const p of rest) {
        const state = this.bus.peek(p.paymentId);
        if (!state || !isVisible(actor, state)) continue;
        const refundId = deriveRefundId({ paymentId: p.paymentId, idempotencyKey: duplicateRefundKey(p.paymentId) });
        duplicates.push({
          paymentId: p.paymentId,
          settledAt: p.settledAt!,
          amount: p.settledAmount!,
          refundable: refundableAmount(state).toString(),
          refundId,
          refundStatus: state.refunds[refundId]?.status ?? null,
        });
      }
      if (duplicates.length === 0) continue;
      groups.push({
        tenant: first.tenant,
        network: first.network,
        asset: first.asset,
        payer: first.payer!,
        payTo: first.payTo,
        resourceUrl: first.resourceUrl!,
        amount: first.settledAmount!,
        original: { paymentId: first.paymentId, settledAt: first.settledAt! },
        duplicates,
      });
    }
    return groups;
  }

  /** Refunds a flagged duplicate in full (requested and approved in one step; idempotent per payment). */
  async refundDuplicate(actor: Principal, paymentId: string, meta: CallMeta = {}): Promise<RefundView> {
    const flagged = this.list(actor).some((g) => g.duplicates.some((d) => d.paymentId === paymentId));
    if (!flagged) {
      throw new RefundsException(
        RefundsErrorCode.NOT_FOUND,
        `payment ${paymentId} is not flagged as a likely duplicate`,
      );
    }
    return this.refunds.requestRefund(
      actor,
      { paymentId, reason: 'duplicate payment', idempotencyKey: duplicateRefundKey(paymentId) },
      meta,
    );
  }
}
