import type { EventLog } from '@x402-ledger/event-log';
import {
  Clock,
  decidePayment,
  disputeId as deriveDisputeId,
  EventFactory,
  evolvePayment,
  LedgerErrorCode,
  LedgerException,
  refundableAmount,
  refundId as deriveRefundId,
  type DisputeEntity,
  type EventEnvelope,
  type PaymentCommand,
  type PaymentState,
  type RefundEntity,
} from '@x402-ledger/ledger';
import { ApiErrorCode, ApiException } from '../api.exception';
import { DisputeWorkflow } from './dispute-workflow.port';
import { PaymentStateStore } from './payment-state.store';
import { RefundTransfer } from './refund-transfer.port';
import { RefundWorkflow } from './refund-workflow.port';
import type { CommandContext, CommandResult, WorkflowDispute, WorkflowPayment, WorkflowRefund } from './workflow.types';

export const API_PRODUCER = 'api@0.1.0';

function refundOf(paymentId: string, r: RefundEntity): WorkflowRefund {
  return {
    refundId: r.refundId,
    paymentId,
    status: r.status,
    amount: r.amount,
    reason: r.reason,
    requestedBy: r.requestedBy,
    disputeId: r.disputeId,
    approvedBy: r.approvedBy,
    method: r.method,
    txHash: r.txHash ?? r.submittedTxHashes[r.submittedTxHashes.length - 1] ?? null,
    failureReason: r.failureReason,
  };
}

function disputeOf(paymentId: string, d: DisputeEntity): WorkflowDispute {
  return {
    disputeId: d.disputeId,
    paymentId,
    status: d.status,
    reason: d.reason,
    openedBy: d.openedBy,
    respondBy: d.respondBy,
    amount: d.amount,
    evidenceCount: d.evidence.opening.length + d.evidence.payer.length + d.evidence.provider.length,
    decidedBy: d.decidedBy,
    note: d.note,
    payoutRefundId: d.payoutRefundId,
  };
}

export function snapshotOf(state: PaymentState): WorkflowPayment | null {
  const facts = state.payment;
  if (facts === null || facts.paymentId === null || state.tenant === null) return null;
  const paymentId = facts.paymentId;
  return {
    paymentId,
    tenant: state.tenant,
    status: state.status,
    network: facts.network,
    asset: facts.asset,
    amount: facts.amount,
    payer: facts.payer,
    payTo: facts.payTo,
    settledAmount: state.settledAmount,
    refundedAmount: state.refundedAmount,
    refunds: Object.values(state.refunds)
      .sort((a, b) => a.requestedAtSequence - b.requestedAtSequence)
      .map((r) => refundOf(paymentId, r)),
    disputes: Object.values(state.disputes)
      .sort((a, b) => a.openedAtSequence - b.openedAtSequence)
      .map((d) => disputeOf(paymentId, d)),
  };
}

/**
 * The real binding of RefundWorkflow and DisputeWorkflow on the ledger: each command is decided by the Payment
 * aggregate (decidePayment) against the payment's folded state, turned into envelopes by the ledger's EventFactory
 * and appended to the EventLog; the answer is sent after the append resolved (durable). Commands on one payment are
 * serialized in this process; idempotency comes from the aggregate (deterministic refund/dispute ids, repeated facts
 * decide to nothing).
 *
 * Single writer: this is correct while this process is the only writer of refund/dispute events (the embedded mode).
 */
export class LedgerPaymentWorkflow implements RefundWorkflow, DisputeWorkflow {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly factory: EventFactory;

  constructor(
    private readonly log: EventLog,
    private readonly store: PaymentStateStore,
    private readonly clock: Clock,
    private readonly transfer: RefundTransfer | null = null,
  ) {
    this.factory = new EventFactory(clock);
  }

  async getPayment(paymentId: string): Promise<WorkflowPayment | null> {
    const state = this.store.get(paymentId);
    return state ? snapshotOf(state) : null;
  }

  async locateRefund(refundId: string): Promise<string | null> {
    return this.store.paymentOfRefund(refundId) ?? null;
  }

  async locateDispute(disputeId: string): Promise<string | null> {
    return this.store.paymentOfDispute(disputeId) ?? null;
  }

  requestRefund(
    c: CommandContext & { amount: string | null; reason: string; requestedBy: WorkflowRefund['requestedBy'] },
  ): Promise<CommandResult<WorkflowRefund>> {
    const refundId = deriveRefundId({ paymentId: c.paymentId, idempotencyKey: c.idempotencyKey });
    return this.serialized(c.paymentId, async () => {
      const state = this.current(c);
      const existing = state.refunds[refundId];
      const amount = c.amount ?? existing?.amount ?? refundableAmount(state).toString();
      const out = await this.decideAndAppend(state, c, [
        {
          type: 'RequestRefund',
          data: {
            refundId,
            paymentId: c.paymentId,
            amount,
            reason: c.reason,
            requestedBy: c.requestedBy,
            idempotencyKey: c.idempotencyKey,
          },
        },
      ]);
      return this.refundResult(out, refundId);
    });
  }

  approveRefund(c: CommandContext & { refundId: string }): Promise<CommandResult<WorkflowRefund>> {
    return this.serialized(c.paymentId, async () => {
      const out = await this.decideAndAppend(this.current(c), c, [
        { type: 'ApproveRefund', data: { refundId: c.refundId, approvedBy: c.actor } },
      ]);
      return this.refundResult(out, c.refundId);
    });
  }

  cancelRefund(c: CommandContext & { refundId: string; reason: string }): Promise<CommandResult<WorkflowRefund>> {
    return this.serialized(c.paymentId, async () => {
      const out = await this.decideAndAppend(this.current(c), c, [
        { type: 'CancelRefund', data: { refundId: c.refundId, reason: c.reason } },
      ]);
      return this.refundResult(out, c.refundId);
    });
  }

  executeRefund(c: CommandContext & { refundId: string }): Promise<CommandResult<WorkflowRefund>> {
    return this.serialized(c.paymentId, async () => {
      const state = this.current(c);
      const refund = state.refunds[c.refundId];
      if (!refund) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `refund ${c.refundId} not found`);
      if (refund.status === 'submitted' || refund.status === 'succeeded') {
        return this.refundResult({ state, appended: 0 }, c.refundId);
      }
      if (refund.status !== 'approved') {
        const terminal = refund.status === 'failed' || refund.status === 'canceled';
        throw new LedgerException(
          terminal ? LedgerErrorCode.TERMINAL_STATE : LedgerErrorCode.INVALID_TRANSITION,
          terminal
            ? `refund ${c.refundId} is ${refund.status}`
            : `refund ${c.refundId} is ${refund.status}; approve it first`,
        );
      }
      if (this.transfer === null) {
        throw new ApiException(
          ApiErrorCode.NOT_AVAILABLE,
          'refund execution needs a chain transfer binding (RefundTransfer)',
        );
      }
      const facts = state.payment;
      if (facts === null || facts.payer === null)
        throw new LedgerException(LedgerErrorCode.NOT_FOUND, 'payment not found');
      const sent = await this.transfer.send({
        paymentId: c.paymentId,
        refundId: c.refundId,
        network: facts.network,
        asset: facts.asset,
        from: facts.payTo,
        to: facts.payer,
        amount: refund.amount,
      });
      const submitted = await this.decideAndAppend(state, c, [
        { type: 'SubmitRefund', data: { refundId: c.refundId, txHash: sent.txHash, method: sent.method } },
      ]);
      const receipt = await this.transfer.confirm({ network: facts.network, txHash: sent.txHash });
      const final = await this.decideAndAppend(submitted.state, c, [
        receipt.success
          ? {
              type: 'RecordRefundSucceeded',
              data: {
                refundId: c.refundId,
                txHash: sent.txHash,
                blockNumber: receipt.blockNumber,
                amount: refund.amount,
              },
            }
          : { type: 'RecordRefundFailed', data: { refundId: c.refundId, reason: receipt.reason, txHash: sent.txHash } },
      ]);
      return this.refundResult({ state: final.state, appended: submitted.appended + final.appended }, c.refundId);
    });
  }

  openDispute(
    c: CommandContext & { reason: WorkflowDispute['reason']; evidence: string[]; respondBy: string },
  ): Promise<CommandResult<WorkflowDispute>> {
    const disputeId = deriveDisputeId({ paymentId: c.paymentId, idempotencyKey: c.idempotencyKey });
    return this.serialized(c.paymentId, async () => {
      const state = this.current(c);
      const existing = state.disputes[disputeId];
      const out = await this.decideAndAppend(state, c, [
        {
          type: 'OpenDispute',
          data: {
            disputeId,
            paymentId: c.paymentId,
            reason: c.reason,
            evidence: c.evidence,
            respondBy: existing?.respondBy ?? c.respondBy,
            openedBy: c.actor,
          },
        },
      ]);
      return this.disputeResult(out, disputeId);
    });
  }

  submitDisputeEvidence(
    c: CommandContext & { disputeId: string; party: 'payer' | 'provider'; evidence: string[] },
  ): Promise<CommandResult<WorkflowDispute>> {
    return this.serialized(c.paymentId, async () => {
      const out = await this.decideAndAppend(this.current(c), c, [
        { type: 'SubmitDisputeEvidence', data: { disputeId: c.disputeId, party: c.party, evidence: c.evidence } },
      ]);
      return this.disputeResult(out, c.disputeId);
    });
  }

  resolveDispute(
    c: CommandContext & { disputeId: string; outcome: 'won' | 'lost'; note: string | null },
  ): Promise<CommandResult<WorkflowDispute> & { payoutRefund: WorkflowRefund | null }> {
    return this.serialized(c.paymentId, async () => {
      const state = this.current(c);
      const dispute = state.disputes[c.disputeId];
      if (!dispute) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `dispute ${c.disputeId} not found`);
      const commands: PaymentCommand[] = [];
      if (c.outcome === 'won' && dispute.status === 'needs_response') {
        commands.push({ type: 'StartDisputeReview', data: { disputeId: c.disputeId } });
      }
      commands.push({
        type: 'DecideDispute',
        outcome: c.outcome,
        data: { disputeId: c.disputeId, decidedBy: c.actor, note: c.note },
      });
      const out = await this.decideAndAppend(state, c, commands);
      const result = this.disputeResult(out, c.disputeId);
      const payoutId = out.state.disputes[c.disputeId]?.payoutRefundId ?? null;
      const payout = payoutId ? out.state.refunds[payoutId] : undefined;
      return { ...result, payoutRefund: payout ? refundOf(c.paymentId, payout) : null };
    });
  }

  withdrawDispute(c: CommandContext & { disputeId: string }): Promise<CommandResult<WorkflowDispute>> {
    return this.serialized(c.paymentId, async () => {
      const out = await this.decideAndAppend(this.current(c), c, [
        { type: 'WithdrawDispute', data: { disputeId: c.disputeId } },
      ]);
      return this.disputeResult(out, c.disputeId);
    });
  }

  // ---------------------------------------------------------------------------------------------------------------

  private current(c: CommandContext): PaymentState {
    const problem = this.store.problem(c.paymentId);
    if (problem) throw new LedgerException(LedgerErrorCode.INVALID_EVENT, 'the payment stream cannot be read');
    const state = this.store.get(c.paymentId);
    if (!state || state.tenant !== c.tenant || state.payment === null) {
      throw new LedgerException(LedgerErrorCode.NOT_FOUND, `payment ${c.paymentId} not found`);
    }
    return state;
  }

  /** Decides the commands in order on an evolving state, appends every resulting envelope at once, applies them. */
  private async decideAndAppend(
    state: PaymentState,
    c: CommandContext,
    commands: PaymentCommand[],
  ): Promise<{ state: PaymentState; appended: number }> {
    let next = state;
    const envelopes: EventEnvelope[] = [];
    for (const command of commands) {
      const drafts = decidePayment(next, command, { tenant: c.tenant, now: this.clock.now() });
      if (drafts.length === 0) continue;
      const created = this.factory.create(
        { streamType: 'payment', streamId: c.paymentId, lastSequence: next.sequence },
        drafts,
        { tenant: c.tenant, correlationId: c.correlationId, causationId: null, producer: API_PRODUCER },
      );
      for (const envelope of created) next = evolvePayment(next, envelope);
      envelopes.push(...created);
    }
    if (envelopes.length > 0) {
      await this.log.append(envelopes);
      this.store.apply(envelopes);
    }
    return { state: next, appended: envelopes.length };
  }

  private refundResult(
    out: { state: PaymentState; appended: number },
    refundId: string,
  ): CommandResult<WorkflowRefund> {
    const payment = snapshotOf(out.state) as WorkflowPayment;
    const refund = out.state.refunds[refundId];
    if (!refund) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `refund ${refundId} not found`);
    return { payment, result: refundOf(payment.paymentId, refund), replayed: out.appended === 0 };
  }

  private disputeResult(
    out: { state: PaymentState; appended: number },
    disputeId: string,
  ): CommandResult<WorkflowDispute> {
    const payment = snapshotOf(out.state) as WorkflowPayment;
    const dispute = out.state.disputes[disputeId];
    if (!dispute) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `dispute ${disputeId} not found`);
    return { payment, result: disputeOf(payment.paymentId, dispute), replayed: out.appended === 0 };
  }

  private serialized<T>(paymentId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(paymentId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.locks.set(paymentId, tail);
    void tail.then(() => {
      if (this.locks.get(paymentId) === tail) this.locks.delete(paymentId);
    });
    return run;
  }
}
