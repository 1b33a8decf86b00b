import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ApiErrorCode, ApiException } from '../api.exception';
import { API_OPTIONS, resolveLimits, type ApiModuleOptions } from '../api.options';
import { requirePrincipal, scopeOfContext, type ApiContext } from '../graphql/api-context';
import { PaymentFilter } from '../inputs/filters.input';
import {
  cursor,
  hexId,
  optionalAddress,
  optionalAmount,
  pageSize,
  text,
  txHash,
  window,
  badInput,
} from '../inputs/validate';
import { DateTimeScalar } from '../graphql/scalars';
import { connectionComplexity, listComplexity } from '../limits/complexity';
import { Dispute } from '../models/dispute.model';
import { PaymentOrder } from '../models/enums';
import { Payment, PaymentConnection, PaymentEvent, PaymentLinks } from '../models/payment.model';
import {
  checksum,
  DEFAULT_EXPLORERS,
  presentDispute,
  presentPayment,
  presentRefund,
  presentSession,
  type PaymentView,
} from '../models/presenters';
import { Refund } from '../models/refund.model';
import { Session } from '../models/session.model';
import type { PaymentSearch, PaymentSearchRequest } from '../queries/payments.reader';
import type { PaymentRecord, PaymentStatusValue } from '../queries/payment.record';
import { ApiReadModel } from '../queries/read-model';
import { connectionOf } from './connection.util';

type ConnectionParent = PaymentConnection & { search: Omit<PaymentSearchRequest, 'first' | 'after'> };

export function paymentSearch(filter: PaymentFilter | undefined): PaymentSearch {
  const f = filter ?? {};
  const min = optionalAmount(f.minAmount, 'filter.minAmount');
  const max = optionalAmount(f.maxAmount, 'filter.maxAmount');
  if (min !== undefined && max !== undefined && BigInt(min) > BigInt(max))
    throw badInput('filter.minAmount is above filter.maxAmount');
  return {
    status: f.status?.length ? (f.status as unknown as PaymentStatusValue[]) : undefined,
    tenant: text(f.tenant, 'filter.tenant', 100),
    payer: optionalAddress(f.payer, 'filter.payer'),
    payTo: optionalAddress(f.payTo, 'filter.payTo'),
    resource: text(f.resource, 'filter.resource', 4096),
    network: text(f.network, 'filter.network', 64),
    asset: optionalAddress(f.asset, 'filter.asset'),
    createdAt: window(f.createdAt, 'filter.createdAt'),
    settledAt: window(f.settledAt, 'filter.settledAt'),
    minAmount: min,
    maxAmount: max,
  };
}

@Resolver(() => Payment)
export class PaymentsResolver {
  private readonly explorers: Record<string, string>;

  constructor(
    private readonly read: ApiReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {
    this.explorers = { ...DEFAULT_EXPLORERS, ...options.explorers };
  }

  @Query(() => PaymentConnection, {
    description: "Payments in the caller's scope, newest first (stable: ties broken by id). Relay forward pagination.",
    complexity: connectionComplexity(20),
  })
  async payments(
    @Context() ctx: ApiContext,
    @Args('filter', { type: () => PaymentFilter, nullable: true }) filter?: PaymentFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
    @Args('orderBy', { type: () => PaymentOrder, nullable: true, defaultValue: PaymentOrder.CREATED_AT })
    orderBy?: PaymentOrder,
  ): Promise<ConnectionParent> {
    const limits = resolveLimits(this.options);
    const scope = scopeOfContext(ctx);
    const search = {
      scope,
      filter: paymentSearch(filter),
      orderBy: (orderBy ?? PaymentOrder.CREATED_AT) as PaymentSearchRequest['orderBy'],
    };
    const page = await this.read.payments.search({
      ...search,
      first: pageSize(first, limits.maxPageSize, limits.defaultPageSize),
      after: cursor(after),
    });
    for (const record of page.items) if (!record.partial) ctx.loaders().payment.prime(record.id, record);
    return { ...connectionOf(page, presentPayment), search };
  }

  @Query(() => Payment, {
    nullable: true,
    description:
      "One payment by id, or by its settlement transaction hash. null when it does not exist in the caller's scope.",
  })
  async payment(
    @Context() ctx: ApiContext,
    @Args('id', { type: () => ID, nullable: true }) id?: string,
    @Args('transaction', { type: () => String, nullable: true }) transaction?: string,
  ): Promise<PaymentView | null> {
    requirePrincipal(ctx);
    if ((id === undefined || id === null) === (transaction === undefined || transaction === null)) {
      throw new ApiException(ApiErrorCode.BAD_USER_INPUT, 'give exactly one of id or transaction');
    }
    if (id) {
      const record = await ctx.loaders().payment.load(hexId(id, 'id'));
      return record ? presentPayment(record) : null;
    }
    const record = await this.read.payments.byTransaction(
      scopeOfContext(ctx),
      txHash(transaction as string, 'transaction'),
    );
    return record ? presentPayment(record) : null;
  }

  // Fields a page read from the settlement index does not carry: filled from the full state, batched, when selected.
  @ResolveField(() => String)
  async scheme(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<string> {
    return (await this.full(ctx, payment)).scheme;
  }

  @ResolveField(() => DateTimeScalar, { nullable: true, description: 'First seen (first event).' })
  async createdAt(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<string | null> {
    return (await this.full(ctx, payment)).createdAt;
  }

  @ResolveField(() => DateTimeScalar, { nullable: true })
  async updatedAt(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<string | null> {
    return (await this.full(ctx, payment)).updatedAt;
  }

  @ResolveField(() => DateTimeScalar, { nullable: true })
  async verifiedAt(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<string | null> {
    return (await this.full(ctx, payment)).verifiedAt;
  }

  @ResolveField(() => String, {
    nullable: true,
    description: 'Reason code of the last verification/settlement failure.',
  })
  async failureReason(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<string | null> {
    return (await this.full(ctx, payment)).failureReason;
  }

  private async full(ctx: ApiContext, payment: PaymentView): Promise<PaymentRecord> {
    if (!payment.record.partial) return payment.record;
    return (await ctx.loaders().payment.load(payment.id)) ?? payment.record;
  }

  @ResolveField(() => PaymentLinks)
  links(@Parent() payment: PaymentView): PaymentLinks {
    const base = this.explorers[payment.network];
    if (!base) return { transaction: null, payer: null, payTo: null };
    return {
      transaction: payment.transaction ? `${base}/tx/${payment.transaction}` : null,
      payer: payment.payer ? `${base}/address/${checksum(payment.payer)}` : null,
      payTo: `${base}/address/${checksum(payment.payTo)}`,
    };
  }

  @ResolveField(() => [PaymentEvent], {
    description: "The payment stream's events in order.",
    complexity: listComplexity(10),
  })
  async timeline(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<PaymentEvent[]> {
    const r = payment.record;
    if (!r.createdAt) return [];
    return ctx.loaders().timeline.load({
      tenant: r.tenant,
      paymentId: r.id,
      from: r.createdAt,
      to: r.updatedAt ?? new Date().toISOString(),
    });
  }

  @ResolveField(() => [Refund], { complexity: listComplexity(5) })
  async refunds(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<Refund[]> {
    return (await ctx.loaders().refundsOfPayment.load(payment.id)).map(presentRefund) as Refund[];
  }

  @ResolveField(() => [Dispute], { complexity: listComplexity(2) })
  async disputes(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<Dispute[]> {
    return (await ctx.loaders().disputesOfPayment.load(payment.id)).map(presentDispute) as Dispute[];
  }

  @ResolveField(() => [Session], { description: 'Sessions bought with this payment.', complexity: listComplexity(5) })
  async sessions(@Context() ctx: ApiContext, @Parent() payment: PaymentView): Promise<Session[]> {
    return (await ctx.loaders().sessionsOfPayment.load(payment.id)).map(presentSession) as Session[];
  }
}

@Resolver(() => PaymentConnection)
export class PaymentConnectionResolver {
  constructor(private readonly read: ApiReadModel) {}

  @ResolveField(() => Int, {
    description: 'All payments matching the filter (a separate, heavier count).',
    complexity: 20,
  })
  totalCount(@Parent() connection: ConnectionParent): Promise<number> {
    return this.read.payments.count(connection.search);
  }
}
