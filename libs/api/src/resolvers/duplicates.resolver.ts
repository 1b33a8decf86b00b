import { Inject, Optional } from '@nestjs/common';
import { Args, Context, Field, InputType, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiErrorCode, ApiException } from '../api.exception';
import { requireRole, type ApiContext } from '../graphql/api-context';
import { hexId } from '../inputs/validate';
import { MutationErrorCode } from '../models/enums';
import { checksum } from '../models/presenters';
import { DuplicatePaymentGroup } from '../models/duplicate-payment.model';
import { RefundPayload } from '../models/mutation-payload.model';
import { DuplicatePayments, duplicateRefundKey } from '../workflows/duplicate-payments.port';
import { RefundMutationsResolver } from './refund-mutations.resolver';

@InputType()
export class RefundDuplicatePaymentInput {
  @Field({ description: 'A payment listed as a duplicate by `duplicatePayments`.' })
  paymentId!: string;
}

/**
 * Duplicate-payment detection: the list (providers see their tenant's, admins all), and the one-action refund of a
 * flagged duplicate — everything still refundable, idempotent per payment (key `duplicate:<paymentId>`).
 */
@Resolver()
export class DuplicatesResolver {
  constructor(
    @Optional() @Inject(DuplicatePayments) private readonly bound: DuplicatePayments | null,
    private readonly refunds: RefundMutationsResolver,
  ) {}

  @Query(() => [DuplicatePaymentGroup], {
    description: 'Likely duplicate payments (same payer, resource and amount within the detection window), by group.',
  })
  duplicatePayments(@Context() ctx: ApiContext): DuplicatePaymentGroup[] {
    const principal = requireRole(ctx, 'admin', 'provider');
    return this.duplicates.list(principal).map((g) => ({
      tenant: g.tenant,
      network: g.network,
      asset: checksum(g.asset) ?? g.asset,
      payer: checksum(g.payer) ?? g.payer,
      payTo: checksum(g.payTo) ?? g.payTo,
      resource: g.resourceUrl,
      amount: g.amount,
      original: g.original,
      duplicates: g.duplicates,
    }));
  }

  @Mutation(() => RefundPayload, {
    description:
      'Refund a flagged duplicate in full, in one action (refund.requested with idempotency key duplicate:<paymentId>; asking twice refunds once).',
  })
  async refundDuplicatePayment(
    @Context() ctx: ApiContext,
    @Args('input') input: RefundDuplicatePaymentInput,
  ): Promise<RefundPayload> {
    const principal = requireRole(ctx, 'admin', 'provider');
    const paymentId = hexId(input.paymentId, 'paymentId');
    const flagged = this.duplicates.list(principal).some((g) => g.duplicates.some((d) => d.paymentId === paymentId));
    if (!flagged) {
      return {
        refund: null,
        replayed: false,
        userErrors: [
          {
            code: MutationErrorCode.NOT_FOUND,
            message: `payment ${paymentId} is not flagged as a likely duplicate`,
            field: null,
          },
        ],
      };
    }
    return this.refunds.requestRefund(ctx, {
      paymentId,
      reason: 'duplicate payment',
      idempotencyKey: duplicateRefundKey(paymentId),
    });
  }

  private get duplicates(): DuplicatePayments {
    if (!this.bound)
      throw new ApiException(ApiErrorCode.NOT_AVAILABLE, 'duplicate detection is not bound in this process');
    return this.bound;
  }
}
