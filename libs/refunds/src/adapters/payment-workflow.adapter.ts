import { Injectable } from '@nestjs/common';
import {
  ApiErrorCode,
  ApiException,
  RefundExecutionError,
  type CommandContext,
  type CommandResult,
  type DisputeWorkflow,
  type RefundWorkflow,
  type WorkflowDispute,
  type WorkflowPayment,
  type WorkflowRefund,
} from '@x402-ledger/api';
import {
  LedgerErrorCode,
  LedgerException,
  refundableAmount,
  refundId as deriveRefundId,
  disputeId as deriveDisputeId,
  type DisputeEntity,
  type EventEnvelope,
  type PaymentCommand,
  type PaymentState,
  type RefundEntity,
} from '@x402-ledger/ledger';
import { decideCommands } from '../disputes/dispute.service';
import type { RefundAuthorization } from '../execution/refund-authorization';
import { RefundExecutor } from '../execution/refund.executor';
import { WorkflowIndexService } from '../index/workflow-index.service';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import { PaymentCommandBus, type PaymentStreamHandle } from '../streams/payment-command.bus';

/**
 * The GraphQL API's RefundWorkflow and DisputeWorkflow ports (libs/api) implemented on this module's single writer:
 * the same PaymentCommandBus (hence the facilitator's store and lock in the daemon), the refund executor and the
 * workflow index — the only implementation of those ports (one writer of refund/dispute facts). Bind it in the
 * composition root: `{ provide: RefundWorkflow, useExisting: PaymentWorkflowAdapter }` (same for DisputeWorkflow).
 *
 * The API resolvers authorize the caller (roles, payment visibility) before calling; this adapter checks the tenant.
 * `executeRefund` takes an optional provider-signed `authorization`; without one the payTo's hot wallet executes it
 * (HOT_WALLET_UNAVAILABLE when none may). Opening a dispute here relies on the API's payer principal (wallet sign-in,
 * itself a SIWx proof of the address); DisputeService.openDispute takes a per-dispute proof instead.
 */
@Injectable()
export class PaymentWorkflowAdapter implements RefundWorkflow, DisputeWorkflow {
  constructor(
    private readonly bus: PaymentCommandBus,
    private readonly executor: RefundExecutor,
    private readonly indexService: WorkflowIndexService,
  ) {}

  async getPayment(paymentId: string): Promise<WorkflowPayment | null> {
    // Kafka mode: only the payment's owner knows its state; elsewhere a retryable error, never a false NOT_FOUND.
    await translated(() => this.bus.claim(paymentId));
    const state = this.bus.peek(paymentId);
    return state ? snapshot(state) : null;
  }

  async locateRefund(refundId: string): Promise<string | null> {
    return this.indexService.current().refund(refundId)?.paymentId ?? null;
  }

  async locateDispute(disputeId: string): Promise<string | null> {
    return this.indexService.current().dispute(disputeId)?.paymentId ?? null;
  }

  requestRefund(
    c: CommandContext & { amount: string | null; reason: string; requestedBy: WorkflowRefund['requestedBy'] },
  ): Promise<CommandResult<WorkflowRefund>> {
    const refundId = deriveRefundId({ paymentId: c.paymentId, idempotencyKey: c.idempotencyKey });
    return this.run(c, async (stream) => {
      const existing = stream.state.refunds[refundId];
      const amount = c.amount ?? existing?.amount ?? refundableAmount(stream.state).toString();
      const appended = await stream.record(
        [
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
        ],
        { correlationId: c.correlationId },
      );
      return refundResult(stream.state, refundId, appended);
    });
  }

  approveRefund(c: CommandContext & { refundId: string }): Promise<CommandResult<WorkflowRefund>> {
    return this.run(c, async (stream) => {
      const appended = await stream.record(
        [{ type: 'ApproveRefund', data: { refundId: c.refundId, approvedBy: c.actor } }],
        { correlationId: c.correlationId },
      );
      return refundResult(stream.state, c.refundId, appended);
    });
  }

  cancelRefund(c: CommandContext & { refundId: string; reason: string }): Promise<CommandResult<WorkflowRefund>> {
    return this.run(c, async (stream) => {
      const appended = await stream.record(
        [{ type: 'CancelRefund', data: { refundId: c.refundId, reason: c.reason } }],
        {
          correlationId: c.correlationId,
        },
      );
      return refundResult(stream.state, c.refundId, appended);
    });
  }

  /** Submits the refund (authorization → a facilitator signer; none → the payTo's hot wallet); the outcome follows. */
  async executeRefund(
    c: CommandContext & { refundId: string; authorization?: RefundAuthorization },
  ): Promise<CommandResult<WorkflowRefund>> {
    const before = this.ownState(c);
    const sequence = before.sequence;
    await translated<unknown>(() =>
      c.authorization
        ? this.executor.executeWithAuthorization(c.paymentId, c.refundId, c.authorization, {
            correlationId: c.correlationId,
          })
        : this.executor.executeWithHotWalletNow(c.refundId),
    );
    const after = this.ownState(c);
    return refundResult(after, c.refundId, after.sequence - sequence);
  }

  openDispute(
    c: CommandContext & { reason: WorkflowDispute['reason']; evidence: string[]; respondBy: string },
  ): Promise<CommandResult<WorkflowDispute>> {
    const disputeId = deriveDisputeId({ paymentId: c.paymentId, idempotencyKey: c.idempotencyKey });
    return this.run(c, async (stream) => {
      const existing = stream.state.disputes[disputeId];
      const appended = await stream.record(
        [
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
        ],
        { correlationId: c.correlationId },
      );
      return disputeResult(stream.state, disputeId, appended);
    });
  }

  submitDisputeEvidence(
    c: CommandContext & { disputeId: string; party: 'payer' | 'provider'; evidence: string[] },
  ): Promise<CommandResult<WorkflowDispute>> {
    return this.run(c, async (stream) => {
      const commands: PaymentCommand[] = [
        { type: 'SubmitDisputeEvidence', data: { disputeId: c.disputeId, party: c.party, evidence: c.evidence } },
      ];
      if (c.party === 'provider') commands.push({ type: 'StartDisputeReview', data: { disputeId: c.disputeId } });
      const appended = await stream.record(commands, { correlationId: c.correlationId });
      return disputeResult(stream.state, c.disputeId, appended);
    });
  }

  resolveDispute(
    c: CommandContext & { disputeId: string; outcome: 'won' | 'lost'; note: string | null },
  ): Promise<CommandResult<WorkflowDispute> & { payoutRefund: WorkflowRefund | null }> {
    return this.run(c, async (stream) => {
      const dispute = disputeOf(stream.state, c.disputeId);
      const appended = await stream.record(decideCommands(stream.state, dispute, c.outcome, c.actor, c.note), {
        correlationId: c.correlationId,
      });
      const result = disputeResult(stream.state, c.disputeId, appended);
      const payoutId = stream.state.disputes[c.disputeId]?.payoutRefundId ?? null;
      const payout = payoutId ? stream.state.refunds[payoutId] : undefined;
      return { ...result, payoutRefund: payout ? refundOf(c.paymentId, payout) : null };
    });
  }

  withdrawDispute(c: CommandContext & { disputeId: string }): Promise<CommandResult<WorkflowDispute>> {
    return this.run(c, async (stream) => {
      const appended = await stream.record([{ type: 'WithdrawDispute', data: { disputeId: c.disputeId } }], {
        correlationId: c.correlationId,
      });
      return disputeResult(stream.state, c.disputeId, appended);
    });
  }

  private run<T>(c: CommandContext, fn: (stream: PaymentStreamHandle) => Promise<T>): Promise<T> {
    return translated(() =>
      this.bus.withPayment(c.paymentId, async (stream) => {
        if (stream.tenant !== c.tenant) throw notFound(`payment ${c.paymentId}`);
        return fn(stream);
      }),
    );
  }

  private ownState(c: CommandContext): PaymentState {
    const state = this.bus.peek(c.paymentId);
    if (!state || state.tenant !== c.tenant || state.payment === null) throw notFound(`payment ${c.paymentId}`);
    return state;
  }
}

/** The API's error vocabulary for this module's refusals (the API maps ApiException codes in its one filter). */
const TO_API: Record<RefundsErrorCode, ApiErrorCode | 'execution'> = {
  [RefundsErrorCode.NOT_FOUND]: ApiErrorCode.NOT_FOUND,
  [RefundsErrorCode.FORBIDDEN]: ApiErrorCode.FORBIDDEN,
  [RefundsErrorCode.INVALID_INPUT]: ApiErrorCode.BAD_USER_INPUT,
  [RefundsErrorCode.AUTHORIZATION_REJECTED]: ApiErrorCode.BAD_USER_INPUT,
  [RefundsErrorCode.PROOF_REJECTED]: ApiErrorCode.BAD_USER_INPUT,
  [RefundsErrorCode.NETWORK_NOT_CONFIGURED]: ApiErrorCode.NOT_AVAILABLE,
  [RefundsErrorCode.HOT_WALLET_UNAVAILABLE]: ApiErrorCode.NOT_AVAILABLE,
  [RefundsErrorCode.SUBMISSION_FAILED]: 'execution',
  [RefundsErrorCode.NOT_RECORDED]: ApiErrorCode.UNAVAILABLE,
  [RefundsErrorCode.NOT_READY]: ApiErrorCode.UNAVAILABLE,
  [RefundsErrorCode.NOT_OWNER]: ApiErrorCode.UNAVAILABLE,
  [RefundsErrorCode.WRITE_CONFLICT]: ApiErrorCode.UNAVAILABLE,
};

async function translated<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof RefundsException)) throw error;
    const code = TO_API[error.code];
    if (code === 'execution') throw new RefundExecutionError(error.message, { cause: error });
    throw new ApiException(code, error.message, { cause: error });
  }
}

function notFound(what: string): LedgerException {
  return new LedgerException(LedgerErrorCode.NOT_FOUND, `${what} not found`);
}

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
    txHash: r.txHash ?? r.submittedTxHashes.at(-1) ?? null,
    failureReason: r.failureReason,
  };
}

function disputeView(paymentId: string, d: DisputeEntity): WorkflowDispute {
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

function disputeOf(state: PaymentState, disputeId: string): DisputeEntity {
  const d = state.disputes[disputeId];
  if (!d) throw notFound(`dispute ${disputeId}`);
  return d;
}

function snapshot(state: PaymentState): WorkflowPayment | null {
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
      .map((d) => disputeView(paymentId, d)),
  };
}

function refundResult(
  state: PaymentState,
  refundId: string,
  appended: EventEnvelope[] | number,
): CommandResult<WorkflowRefund> {
  const payment = snapshot(state) as WorkflowPayment;
  const refund = state.refunds[refundId];
  if (!refund) throw notFound(`refund ${refundId}`);
  const count = typeof appended === 'number' ? appended : appended.length;
  return { payment, result: refundOf(payment.paymentId, refund), replayed: count === 0 };
}

function disputeResult(
  state: PaymentState,
  disputeId: string,
  appended: EventEnvelope[],
): CommandResult<WorkflowDispute> {
  const payment = snapshot(state) as WorkflowPayment;
  return {
    payment,
    result: disputeView(payment.paymentId, disputeOf(state, disputeId)),
    replayed: appended.length === 0,
  };
}
