import { Injectable } from '@nestjs/common';
import { actorOf, type Principal } from '@x402-ledger/auth';
import { refundableAmount, refundId as deriveRefundId, type PaymentCommand } from '@x402-ledger/ledger';
import type { RefundStatus } from '@x402-ledger/ledger';
import { refundOf, RefundExecutor } from '../execution/refund.executor';
import type { RefundAuthorization } from '../execution/refund-authorization';
import { WorkflowIndexService } from '../index/workflow-index.service';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import { PaymentCommandBus } from '../streams/payment-command.bus';
import { assertVisible, forbidden, invalidInput, isVisible } from './payment-access';
import { refundView, type RefundView } from './refund.view';

const AMOUNT = /^[1-9][0-9]{0,77}$/;
const KEY = /^[\x21-\x7e]{1,200}$/;

export interface RequestRefundInput {
  paymentId: string;
  /** Atomic units; default: everything still refundable. */
  amount?: string;
  reason?: string;
  /** The caller's idempotency key: the same key (for this payment) names the same refund on every retry. */
  idempotencyKey: string;
}

export interface RefundTarget {
  refundId: string;
}

/** Correlates the facts of one API call (e.g. the GraphQL request id); a deterministic default is used without it. */
export interface CallMeta {
  correlationId?: string;
}

/**
 * Refund commands (the GraphQL mutations requestRefund, approveRefund, executeRefund, cancelRefund and the CLI call
 * these). Every command runs under the payment's lock against the ledger's PaymentState; the ledger enforces the
 * money rules (Σ refunds ≤ settled, one refund in flight, none while a dispute is open, …) and refuses with a
 * LedgerException; this service adds who may do what:
 *
 * - a provider (its payments) or an admin requests AND approves in one step (requestedBy provider / arbiter);
 * - a payer (its payments) requests; the provider (or an admin) approves;
 * - execution needs an approved refund: a provider-signed authorization (`executeRefund`) or a hot wallet.
 */
@Injectable()
export class RefundService {
  constructor(
    private readonly bus: PaymentCommandBus,
    private readonly executor: RefundExecutor,
    private readonly indexService: WorkflowIndexService,
  ) {}

  async requestRefund(actor: Principal, input: RequestRefundInput, meta: CallMeta = {}): Promise<RefundView> {
    if (typeof input.idempotencyKey !== 'string' || !KEY.test(input.idempotencyKey)) {
      throw invalidInput('idempotencyKey must be 1..200 printable ASCII characters');
    }
    if (input.idempotencyKey.startsWith('dispute:')) {
      throw invalidInput(`idempotency keys starting with 'dispute:' are reserved for dispute payouts`);
    }
    if (input.amount !== undefined && !AMOUNT.test(input.amount)) {
      throw invalidInput('amount must be a positive integer in atomic units (decimal string)');
    }
    const reason = (input.reason ?? 'requested_by_customer').trim();
    if (reason.length === 0 || reason.length > 4000) throw invalidInput('reason must be 1..4000 characters');
    const requestedBy = actor.kind === 'admin' ? 'arbiter' : actor.kind;
    const refundId = deriveRefundId({ paymentId: input.paymentId, idempotencyKey: input.idempotencyKey });
    return this.bus.withPayment(input.paymentId, async (stream) => {
      assertVisible(actor, stream.state, `payment ${input.paymentId}`);
      const existing = stream.state.refunds[refundId];
      // A retry without an amount means "the refund I asked for", not "whatever is refundable now".
      const amount = input.amount ?? existing?.amount ?? refundableAmount(stream.state).toString();
      const commands: PaymentCommand[] = [
        {
          type: 'RequestRefund',
          data: {
            refundId,
            paymentId: input.paymentId,
            amount,
            reason,
            requestedBy,
            idempotencyKey: input.idempotencyKey,
          },
        },
      ];
      if (actor.kind !== 'payer' && (!existing || existing.status === 'requested')) {
        commands.push({ type: 'ApproveRefund', data: { refundId, approvedBy: actorOf(actor) } });
      }
      await stream.record(commands, { correlationId: meta.correlationId ?? `refund:${refundId}` });
      return refundView(stream.state, refundOf(stream.state, refundId));
    });
  }

  async approveRefund(actor: Principal, target: RefundTarget, meta: CallMeta = {}): Promise<RefundView> {
    if (actor.kind === 'payer') throw forbidden('only the provider or an operator approves a refund');
    return this.onRefund(actor, target.refundId, async (stream) => {
      await stream.record(
        [{ type: 'ApproveRefund', data: { refundId: target.refundId, approvedBy: actorOf(actor) } }],
        {
          correlationId: meta.correlationId ?? `refund:${target.refundId}`,
        },
      );
    });
  }

  async cancelRefund(
    actor: Principal,
    target: RefundTarget & { reason?: string },
    meta: CallMeta = {},
  ): Promise<RefundView> {
    const reason = (target.reason ?? 'canceled').trim();
    if (reason.length === 0 || reason.length > 4000) throw invalidInput('reason must be 1..4000 characters');
    return this.onRefund(actor, target.refundId, async (stream) => {
      const refund = refundOf(stream.state, target.refundId);
      if (actor.kind === 'payer' && (refund.requestedBy !== 'payer' || refund.status !== 'requested')) {
        throw forbidden('a payer may only cancel its own refund request before it is approved');
      }
      if (refund.disputeId !== null && actor.kind !== 'admin') {
        throw forbidden('the payout of a lost dispute can only be canceled by an operator');
      }
      await stream.record([{ type: 'CancelRefund', data: { refundId: target.refundId, reason } }], {
        correlationId: meta.correlationId ?? `refund:${target.refundId}`,
      });
    });
  }

  /**
   * Submits an approved refund with a provider-signed EIP-3009 authorization (from = payTo, to = payer, value = the
   * refund amount); a facilitator signer pays the gas. Resolves once the transaction is recorded and broadcast
   * (status `submitted`); the outcome is recorded when it is mined (`waitForOutcome` / the background worker).
   */
  async executeRefund(
    actor: Principal,
    input: RefundTarget & { authorization: RefundAuthorization },
    meta: CallMeta = {},
  ): Promise<RefundView> {
    if (actor.kind === 'payer') throw forbidden('only the provider or an operator executes a refund');
    const paymentId = this.paymentOf(input.refundId);
    const state = this.bus.peek(paymentId);
    if (state) assertVisible(actor, state, `refund ${input.refundId}`);
    await this.executor.executeWithAuthorization(paymentId, input.refundId, input.authorization, {
      correlationId: meta.correlationId ?? `refund:${input.refundId}`,
    });
    return this.getRefund(actor, input.refundId);
  }

  /** Polls the chain for the refund's outcome until it is final or `timeoutMs` passed; returns the refund. */
  async waitForOutcome(actor: Principal, refundId: string, timeoutMs: number, pollMs = 100): Promise<RefundView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = this.getRefund(actor, refundId);
      if (view.status !== 'submitted' || Date.now() >= deadline) return view;
      await this.executor.reconcileSubmitted();
      const after = this.getRefund(actor, refundId);
      if (after.status !== 'submitted') return after;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  getRefund(actor: Principal, refundId: string): RefundView {
    const state = this.bus.peek(this.paymentOf(refundId));
    const refund = state?.refunds[refundId];
    if (!state || !refund) throw new RefundsException(RefundsErrorCode.NOT_FOUND, `refund ${refundId} not found`);
    assertVisible(actor, state, `refund ${refundId}`);
    return refundView(state, refund);
  }

  /** Refunds the caller may see, newest first (optionally of one payment, or in one status). */
  listRefunds(actor: Principal, filter: { paymentId?: string; status?: RefundStatus } = {}): RefundView[] {
    const tenant = actor.kind === 'provider' && actor.tenant !== null ? actor.tenant : undefined;
    const views: RefundView[] = [];
    for (const r of this.indexService.current().listRefunds({ ...filter, tenant })) {
      const state = this.bus.peek(r.paymentId);
      const refund = state?.refunds[r.refundId];
      if (state && refund && isVisible(actor, state)) views.push(refundView(state, refund));
    }
    return views.reverse();
  }

  private paymentOf(refundId: string): string {
    const indexed = this.indexService.current().refund(refundId);
    if (!indexed) throw new RefundsException(RefundsErrorCode.NOT_FOUND, `refund ${refundId} not found`);
    return indexed.paymentId;
  }

  private async onRefund(
    actor: Principal,
    refundId: string,
    fn: (stream: Parameters<Parameters<PaymentCommandBus['withPayment']>[1]>[0]) => Promise<void>,
  ): Promise<RefundView> {
    return this.bus.withPayment(this.paymentOf(refundId), async (stream) => {
      assertVisible(actor, stream.state, `refund ${refundId}`);
      refundOf(stream.state, refundId);
      await fn(stream);
      return refundView(stream.state, refundOf(stream.state, refundId));
    });
  }
}
