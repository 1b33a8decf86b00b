import { Inject, Optional } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { canSeePayment, type Principal } from '@x402-ledger/auth';
import { ApiErrorCode, ApiException } from '../api.exception';
import { API_OPTIONS, type ApiModuleOptions } from '../api.options';
import { requireRole, type ApiContext } from '../graphql/api-context';
import { MutationIdempotency } from '../idempotency/mutation-idempotency';
import {
  OpenDisputeInput,
  ResolveDisputeInput,
  SubmitDisputeEvidenceInput,
  WithdrawDisputeInput,
} from '../inputs/mutations.input';
import { badInput, hexId, idempotencyKey, text } from '../inputs/validate';
import { DisputeOutcome } from '../models/enums';
import { DisputePayload } from '../models/mutation-payload.model';
import { DisputeWorkflow } from '../workflows/dispute-workflow.port';
import type { CommandResult, WorkflowDispute, WorkflowPayment, WorkflowRefund } from '../workflows/workflow.types';
import { disputeView, notFound, refundView, userErrorOf } from './mutation.util';

const DAY = 86_400_000;

function evidenceList(items: readonly string[] | undefined, required: boolean): string[] {
  const list = [...(items ?? [])];
  if (required && list.length === 0) throw badInput('evidence needs at least one item');
  if (list.length > 50) throw badInput('at most 50 evidence items');
  for (const item of list)
    if (item.length < 1 || item.length > 4000) throw badInput('each evidence item is 1..4000 characters');
  return list;
}

/**
 * Dispute workflow mutations. Payers open, add evidence to and withdraw disputes of their own payments; providers add
 * evidence and may accept a loss (resolve LOST); admins (arbiters) decide WON or LOST.
 */
@Resolver()
export class DisputeMutationsResolver {
  constructor(
    @Optional() @Inject(DisputeWorkflow) private readonly bound: DisputeWorkflow | null,
    private readonly idempotency: MutationIdempotency,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @Mutation(() => DisputePayload, {
    description: 'Payers (their own payments) and admins: open a dispute (dispute.opened).',
  })
  openDispute(@Context() ctx: ApiContext, @Args('input') input: OpenDisputeInput): Promise<DisputePayload> {
    const principal = requireRole(ctx, 'payer', 'admin');
    return this.run(principal, 'openDispute', input, async () => {
      const paymentId = hexId(input.paymentId, 'paymentId');
      const evidence = evidenceList(input.evidence, false);
      const now = Date.now();
      const respondBy = input.respondBy ?? new Date(now + (this.options.disputeResponseDays ?? 7) * DAY);
      if (respondBy.getTime() <= now || respondBy.getTime() > now + 90 * DAY) {
        throw badInput('respondBy must be in the future and within 90 days');
      }
      const payment = await this.visiblePayment(principal, paymentId);
      return this.workflow.openDispute({
        ...this.context(ctx, principal, payment, input.idempotencyKey),
        reason: input.reason as WorkflowDispute['reason'],
        evidence,
        respondBy: new Date(Math.floor(respondBy.getTime())).toISOString(),
      });
    });
  }

  @Mutation(() => DisputePayload, {
    description: 'The payer or the provider adds evidence (dispute.evidence_submitted).',
  })
  submitDisputeEvidence(
    @Context() ctx: ApiContext,
    @Args('input') input: SubmitDisputeEvidenceInput,
  ): Promise<DisputePayload> {
    const principal = requireRole(ctx, 'payer', 'provider');
    return this.run(principal, 'submitDisputeEvidence', input, async () => {
      const evidence = evidenceList(input.evidence, true);
      const { payment, disputeId } = await this.locate(principal, input.disputeId);
      return this.workflow.submitDisputeEvidence({
        ...this.context(ctx, principal, payment, input.idempotencyKey),
        disputeId,
        party: principal.kind === 'payer' ? 'payer' : 'provider',
        evidence,
      });
    });
  }

  @Mutation(() => DisputePayload, {
    description:
      'Admins decide WON (provider) or LOST (payer, refunded through a payout refund); providers may accept LOST.',
  })
  resolveDispute(@Context() ctx: ApiContext, @Args('input') input: ResolveDisputeInput): Promise<DisputePayload> {
    const principal = requireRole(ctx, 'admin', 'provider');
    return this.run(principal, 'resolveDispute', input, async () => {
      if (principal.kind === 'provider' && input.outcome !== DisputeOutcome.LOST) {
        throw new ApiException(
          ApiErrorCode.FORBIDDEN,
          'a provider may only accept the loss (LOST); an arbiter decides WON',
        );
      }
      const note = text(input.note, 'note', 4000) ?? null;
      const { payment, disputeId } = await this.locate(principal, input.disputeId);
      return this.workflow.resolveDispute({
        ...this.context(ctx, principal, payment, input.idempotencyKey),
        disputeId,
        outcome: input.outcome as 'won' | 'lost',
        note,
      });
    });
  }

  @Mutation(() => DisputePayload, {
    description: 'The payer who opened it (or an admin) withdraws a dispute (dispute.withdrawn).',
  })
  withdrawDispute(@Context() ctx: ApiContext, @Args('input') input: WithdrawDisputeInput): Promise<DisputePayload> {
    const principal = requireRole(ctx, 'payer', 'admin');
    return this.run(principal, 'withdrawDispute', input, async () => {
      const { payment, disputeId } = await this.locate(principal, input.disputeId);
      return this.workflow.withdrawDispute({
        ...this.context(ctx, principal, payment, input.idempotencyKey),
        disputeId,
      });
    });
  }

  private async run(
    principal: Principal,
    mutation: string,
    input: { idempotencyKey: string },
    work: () => Promise<CommandResult<WorkflowDispute> & { payoutRefund?: WorkflowRefund | null }>,
  ): Promise<DisputePayload> {
    try {
      const key = idempotencyKey(input.idempotencyKey);
      const { value, replayed } = await this.idempotency.run({ caller: principal.id, mutation, key }, input, work);
      return {
        dispute: disputeView(value.result, value.payment),
        payoutRefund: value.payoutRefund ? refundView(value.payoutRefund, value.payment) : null,
        replayed: replayed || value.replayed,
        userErrors: [],
      };
    } catch (error) {
      const userError = userErrorOf(error);
      if (!userError) throw error;
      return { dispute: null, payoutRefund: null, replayed: false, userErrors: [userError] };
    }
  }

  /** The bound workflow; where the composition root bound none, every mutation is NOT_AVAILABLE. */
  private get workflow(): DisputeWorkflow {
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
    rawDisputeId: string,
  ): Promise<{ payment: WorkflowPayment; disputeId: string }> {
    const disputeId = hexId(rawDisputeId, 'disputeId');
    const paymentId = await this.workflow.locateDispute(disputeId);
    if (!paymentId) throw notFound(`dispute ${disputeId}`);
    const payment = await this.workflow.getPayment(paymentId);
    if (!payment || !canSeePayment(principal, payment)) throw notFound(`dispute ${disputeId}`);
    return { payment, disputeId };
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
