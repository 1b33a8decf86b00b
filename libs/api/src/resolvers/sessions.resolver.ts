import { Inject } from '@nestjs/common';
import { Args, Context, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { API_OPTIONS, resolveLimits, type ApiModuleOptions } from '../api.options';
import { scopeOfContext, type ApiContext } from '../graphql/api-context';
import { SessionFilter } from '../inputs/filters.input';
import { cursor, optionalAddress, optionalHexId, pageSize, text } from '../inputs/validate';
import { connectionComplexity } from '../limits/complexity';
import { Payment } from '../models/payment.model';
import { presentPayment, presentSession, type PaymentView } from '../models/presenters';
import { Session, SessionConnection } from '../models/session.model';
import { ApiReadModel } from '../queries/read-model';
import type { SessionRecord, SessionStatusValue } from '../queries/sessions.reader';
import { connectionOf } from './connection.util';

@Resolver(() => Session)
export class SessionsResolver {
  constructor(
    private readonly read: ApiReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @Query(() => SessionConnection, {
    description: "Sessions in the caller's scope, newest first.",
    complexity: connectionComplexity(20),
  })
  async sessions(
    @Context() ctx: ApiContext,
    @Args('filter', { type: () => SessionFilter, nullable: true }) filter?: SessionFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<SessionConnection> {
    const limits = resolveLimits(this.options);
    const page = await this.read.sessions.list(
      scopeOfContext(ctx),
      {
        status: filter?.status?.length ? (filter.status as unknown as SessionStatusValue[]) : undefined,
        wallet: optionalAddress(filter?.wallet, 'filter.wallet'),
        paymentId: optionalHexId(filter?.paymentId, 'filter.paymentId'),
        tenant: text(filter?.tenant, 'filter.tenant', 100),
      },
      pageSize(first, limits.maxPageSize, limits.defaultPageSize),
      cursor(after),
    );
    return connectionOf(page, presentSession) as unknown as SessionConnection;
  }

  @ResolveField(() => Payment, {
    nullable: true,
    description: 'The payment that bought the session (null outside scope).',
  })
  async payment(@Context() ctx: ApiContext, @Parent() session: SessionRecord): Promise<PaymentView | null> {
    if (!session.paymentId) return null;
    const record = await ctx.loaders().payment.load(session.paymentId);
    return record ? presentPayment(record) : null;
  }
}
