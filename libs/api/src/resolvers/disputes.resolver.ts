import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { API_OPTIONS, resolveLimits, type ApiModuleOptions } from '../api.options';
import { requirePrincipal, scopeOfContext, type ApiContext } from '../graphql/api-context';
import { DisputeFilter } from '../inputs/filters.input';
import { cursor, hexId, optionalAddress, optionalHexId, pageSize, text } from '../inputs/validate';
import { connectionComplexity } from '../limits/complexity';
import { Dispute, DisputeConnection } from '../models/dispute.model';
import { DisputeOrder } from '../models/enums';
import { Payment } from '../models/payment.model';
import { presentDispute, presentPayment, type DisputeView, type PaymentView } from '../models/presenters';
import type { DisputeStatusValue } from '../queries/disputes.reader';
import { ApiReadModel } from '../queries/read-model';
import { connectionOf } from './connection.util';

@Resolver(() => Dispute)
export class DisputesResolver {
  constructor(
    private readonly read: ApiReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @Query(() => DisputeConnection, {
    description: "Disputes in the caller's scope.",
    complexity: connectionComplexity(20),
  })
  async disputes(
    @Context() ctx: ApiContext,
    @Args('filter', { type: () => DisputeFilter, nullable: true }) filter?: DisputeFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
    @Args('orderBy', { type: () => DisputeOrder, nullable: true, defaultValue: DisputeOrder.OPENED_AT })
    orderBy?: DisputeOrder,
  ): Promise<DisputeConnection> {
    const limits = resolveLimits(this.options);
    const page = await this.read.disputes.list(
      scopeOfContext(ctx),
      {
        status: filter?.status?.length ? (filter.status as unknown as DisputeStatusValue[]) : undefined,
        paymentId: optionalHexId(filter?.paymentId, 'filter.paymentId'),
        tenant: text(filter?.tenant, 'filter.tenant', 100),
        payTo: optionalAddress(filter?.payTo, 'filter.payTo'),
        orderBy: (orderBy ?? DisputeOrder.OPENED_AT) as 'opened' | 'deadline',
      },
      pageSize(first, limits.maxPageSize, limits.defaultPageSize),
      cursor(after),
    );
    return connectionOf(page, presentDispute) as unknown as DisputeConnection;
  }

  @Query(() => Dispute, { nullable: true })
  async dispute(@Context() ctx: ApiContext, @Args('id', { type: () => ID }) id: string): Promise<DisputeView | null> {
    requirePrincipal(ctx);
    const record = await ctx.loaders().dispute.load(hexId(id, 'id'));
    return record ? presentDispute(record) : null;
  }

  @ResolveField(() => Payment, {
    nullable: true,
    description: "The disputed payment (null outside the caller's scope).",
  })
  async payment(@Context() ctx: ApiContext, @Parent() dispute: DisputeView): Promise<PaymentView | null> {
    const record = await ctx.loaders().payment.load(dispute.paymentId);
    return record ? presentPayment(record) : null;
  }
}
