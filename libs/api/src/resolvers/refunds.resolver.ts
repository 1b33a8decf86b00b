import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { API_OPTIONS, resolveLimits, type ApiModuleOptions } from '../api.options';
import { requirePrincipal, scopeOfContext, type ApiContext } from '../graphql/api-context';
import { RefundFilter } from '../inputs/filters.input';
import { cursor, hexId, optionalAddress, optionalHexId, pageSize, text, window } from '../inputs/validate';
import { connectionComplexity } from '../limits/complexity';
import { Payment } from '../models/payment.model';
import { presentPayment, presentRefund, type PaymentView, type RefundView } from '../models/presenters';
import { Refund, RefundConnection } from '../models/refund.model';
import { ApiReadModel } from '../queries/read-model';
import type { RefundStatusValue } from '../queries/refunds.reader';
import { connectionOf } from './connection.util';

@Resolver(() => Refund)
export class RefundsResolver {
  constructor(
    private readonly read: ApiReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @Query(() => RefundConnection, {
    description: "Refunds in the caller's scope, newest request first.",
    complexity: connectionComplexity(20),
  })
  async refunds(
    @Context() ctx: ApiContext,
    @Args('filter', { type: () => RefundFilter, nullable: true }) filter?: RefundFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<RefundConnection> {
    const limits = resolveLimits(this.options);
    const page = await this.read.refunds.list(
      scopeOfContext(ctx),
      {
        status: filter?.status?.length ? (filter.status as unknown as RefundStatusValue[]) : undefined,
        paymentId: optionalHexId(filter?.paymentId, 'filter.paymentId'),
        tenant: text(filter?.tenant, 'filter.tenant', 100),
        payTo: optionalAddress(filter?.payTo, 'filter.payTo'),
        requestedAt: window(filter?.requestedAt, 'filter.requestedAt'),
      },
      pageSize(first, limits.maxPageSize, limits.defaultPageSize),
      cursor(after),
    );
    return connectionOf(page, presentRefund) as unknown as RefundConnection;
  }

  @Query(() => Refund, { nullable: true })
  async refund(@Context() ctx: ApiContext, @Args('id', { type: () => ID }) id: string): Promise<RefundView | null> {
    requirePrincipal(ctx);
    const record = await ctx.loaders().refund.load(hexId(id, 'id'));
    return record ? presentRefund(record) : null;
  }

  @ResolveField(() => Payment, {
    nullable: true,
    description: "The refunded payment (null outside the caller's scope).",
  })
  async payment(@Context() ctx: ApiContext, @Parent() refund: RefundView): Promise<PaymentView | null> {
    const record = await ctx.loaders().payment.load(refund.paymentId);
    return record ? presentPayment(record) : null;
  }
}
