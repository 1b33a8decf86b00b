import { Inject, Optional } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { canSeePayment, type Principal } from '@x402-ledger/auth';
import { ApiErrorCode, ApiException } from '../api.exception';
import { requireRole, type ApiContext } from '../graphql/api-context';
import { MutationIdempotency } from '../idempotency/mutation-idempotency';
import {
  ApproveRefundInput,
  CancelRefundInput,
  ExecuteRefundInput,
  RequestRefundInput,
} from '../inputs/mutations.input';
import { hexId, idempotencyKey, optionalAmount, requiredText } from '../inputs/validate';
import { RefundPayload } from '../models/mutation-payload.model';
import { RefundWorkflow } from '../workflows/refund-workflow.port';
import type { CommandResult, WorkflowPayment, WorkflowRefund } from '../workflows/workflow.types';
import { notFound, refundView, userErrorOf } from './mutation.util';

/**
 * Refund workflow mutations (providers of the payment's scope, and admins). Every one takes an idempotency key,
 * answers after the facts are durable on the log, and reports refusals as typed userErrors.
 */
@Resolver()
export class RefundMutationsResolver {
  constructor(
    @Optional() @Inject(RefundWorkflow) private readonly bound: RefundWorkflow | null,
    private readonly idempotency: MutationIdempotency,
  ) {}

  @Mutation(() => RefundPayload, {
    description: 'Request a refund (refund.requested). Default amount: all that is refundable.',
  })
  requestRefund(@Context() ctx: ApiContext, @Args('input') input: RequestRefundInput): Promise<RefundPayload> {
    const principal = requireRole(ctx, 'admin', 'provider');
    return this.run(principal, 'requestRefund', input, async () => {
      const paymentId = hexId(input.paymentId, 'paymentId');
      const amount = optionalAmount(input.amount, 'amount') ?? null;
      const reason = requiredText(input.reason, 'reason', 4000);
      const payment = await this.visiblePayment(principal, paymentId);
      return this.workflow.requestRefund({
        ...this.context(ctx, principal, payment, input.idempotencyKey),
        amount,
        reason,
        requestedBy: principal.kind === 'admin' ? 'arbiter' : 'provider',
      });
    });
  }

  @Mutation(() => RefundPayload, { description: 'Approve a requested refund (refund.approved).' })
  approveRefund(@Context() ctx: ApiContext, @Args('input') input: ApproveRefundInput): Promise<RefundPayload> {
    const principal = requireRole(ctx, 'admin', 'provider');
    return this.run(principal, 'approveRefund', input, async () => {
      const { payment, refundId } = await this.locate(principal, input.refundId);
      return this.workflow.approveRefund({ ...this.context(ctx, principal, payment, input.idempotencyKey), refundId });
    });
  }

  @Mutation(() => RefundPayload, {
    description: 'Send an approved refund on chain (refund.submitted, then refund.succeeded or refund.failed).',
  })
  executeRefund(@Context() ctx: ApiContext, @Args('input') input: ExecuteRefundInput): Promise<RefundPayload> {
    const principal = requireRole(ctx, 'admin', 'provider');
    return this.run(principal, 'executeRefund', input, async () => {
      const { payment, refundId } = await this.locate(principal, input.refundId);
      const authorization = input.authorization ? { ...input.authorization } : undefined;
      return this.workflow.executeRefund({
        ...this.context(ctx, principal, payment, input.idempotencyKey),
        refundId,
        authorization,
      });
    });
  }

  @Mutation(() => RefundPayload, { description: 'Cancel a requested or approved refund (refund.canceled).' })
  cancelRefund(@Context() ctx: ApiContext, @Args('input') input: CancelRefundInput): Promise<RefundPayload> {
    const principal = requireRole(ctx, 'admin', 'provider');
    return this.run(principal, 'cancelRefund', input, async () => {
      const reason = requiredText(input.reason, 'reason', 4000);
      const { payment, refundId } = await this.locate(principal, input.refundId);
      return this.workflow.cancelRefund({
        ...this.context(ctx, principal, payment, input.idempotencyKey),
        refundId,
        reason,
      });
    });
  }

  private async run(
    principal: Principal,
    mutation: string,
    input: { idempotencyKey: string },
    work: () => Promise<CommandResult<WorkflowRefund>>,
  ): Promise<RefundPayload> {
    try {
      const key = idempotencyKey(input.idempotencyKey);
      const { value, replayed } = await this.idempotency.run({ caller: principal.id, mutation, key }, input, work);
      return { refund: refundView(value.result, value.payment), replayed: replayed || value.replayed, userErrors: [] };
    } catch (error) {
      const userError = userErrorOf(error);
      if (!userError) throw error;
      return { refund: null, replayed: false, userErrors: [userError] };
    }
  }

  /** The bound workflow; where the composition root bound none, every mutation is NOT_AVAILABLE. */
  private get workflow(): RefundWorkflow {
    if (!this.bound)
      throw new ApiException(ApiErrorCode.NOT_AVAILABLE, 'refund/dispute workflows are not bound in this process');
    return this.bound;
  }

  private async visiblePayment(principal: Principal, paymentId: string): Promise<WorkflowPayment> {
    const payment = await this.workflow.getPayment(paymentId);
    if (!payment || !canSeePayment(principal, payment)) throw notFound(`payment ${paymentId}`);
    return payment;
  }

  private async locate(
    principal: Principal,
    rawRefundId: string,
  ): Promise<{ payment: WorkflowPayment; refundId: string }> {
    const refundId = hexId(rawRefundId, 'refundId');
    const paymentId = await this.workflow.locateRefund(refundId);
    if (!paymentId) throw notFound(`refund ${refundId}`);
    const payment = await this.workflow.getPayment(paymentId);
    if (!payment || !canSeePayment(principal, payment)) throw notFound(`refund ${refundId}`);
    return { payment, refundId };
  }

  private context(ctx: ApiContext, principal: Principal, payment: WorkflowPayment, key: string) {
    return {
      tenant: payment.tenant,
      paymentId: payment.paymentId,
      principal,
      actor: principal.id,
      idempotencyKey: key,
      correlationId: ctx.requestId,
    };
  }
}
