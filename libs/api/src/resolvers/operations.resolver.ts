import { Inject } from '@nestjs/common';
import { Args, Context, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { API_OPTIONS, resolveLimits, type ApiModuleOptions } from '../api.options';
import { requireRole, scopeOfContext, type ApiContext } from '../graphql/api-context';
import { BalanceFilter, VerificationFailureFilter } from '../inputs/filters.input';
import { cursor, optionalAddress, pageSize, text, window } from '../inputs/validate';
import { connectionComplexity } from '../limits/complexity';
import { FailureStage } from '../models/enums';
import {
  Balance,
  DiscoveryResourceConnection,
  ReasonCount,
  VerificationFailureConnection,
} from '../models/operations.model';
import { checksum, formatAmount } from '../models/presenters';
import type { FailureSearch } from '../queries/failures.reader';
import type { ReadScope } from '../queries/read-scope';
import { ApiReadModel } from '../queries/read-model';
import { connectionOf } from './connection.util';

type FailureConnectionParent = VerificationFailureConnection & { scope: ReadScope; search: FailureSearch };

@Resolver()
export class OperationsResolver {
  constructor(
    private readonly read: ApiReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @Query(() => VerificationFailureConnection, {
    description: 'Failed verifications (or settlements), newest first, with a breakdown by reason.',
    complexity: connectionComplexity(20),
  })
  async verificationFailures(
    @Context() ctx: ApiContext,
    @Args('filter', { type: () => VerificationFailureFilter, nullable: true }) filter?: VerificationFailureFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<FailureConnectionParent> {
    const limits = resolveLimits(this.options);
    const scope = scopeOfContext(ctx);
    const search: FailureSearch = {
      stage: (filter?.stage ?? FailureStage.VERIFICATION) as FailureSearch['stage'],
      reason: text(filter?.reason, 'filter.reason', 200),
      tenant: text(filter?.tenant, 'filter.tenant', 100),
      payTo: optionalAddress(filter?.payTo, 'filter.payTo'),
      occurredAt: window(filter?.occurredAt, 'filter.occurredAt'),
    };
    const page = await this.read.failures.list(
      scope,
      search,
      pageSize(first, limits.maxPageSize, limits.defaultPageSize),
      cursor(after),
    );
    const connection = connectionOf(page, (r) => ({
      ...r,
      stage: r.stage as FailureStage,
      asset: checksum(r.asset) ?? r.asset,
      payer: checksum(r.payer),
      payTo: checksum(r.payTo) ?? r.payTo,
    }));
    return { ...connection, scope, search } as unknown as FailureConnectionParent;
  }

  @Query(() => DiscoveryResourceConnection, {
    description: 'Resources listed through x402 discovery (latest version of each), by URL.',
    complexity: connectionComplexity(20),
  })
  async discoveryResources(
    @Context() ctx: ApiContext,
    @Args('type', { type: () => String, nullable: true }) type?: string,
    @Args('tenant', { type: () => String, nullable: true }) tenant?: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<DiscoveryResourceConnection> {
    const limits = resolveLimits(this.options);
    const page = await this.read.discovery.list(
      scopeOfContext(ctx),
      { type: text(type, 'type', 100), tenant: text(tenant, 'tenant', 100) },
      pageSize(first, limits.maxPageSize, limits.defaultPageSize),
      cursor(after),
    );
    return connectionOf(page, (r) => r) as unknown as DiscoveryResourceConnection;
  }

  @Query(() => [Balance], {
    description: 'Per receiving address and asset, all time: received, refunded, net. Not for payers.',
    complexity: 50,
  })
  async balances(
    @Context() ctx: ApiContext,
    @Args('filter', { type: () => BalanceFilter, nullable: true }) filter?: BalanceFilter,
  ): Promise<Balance[]> {
    requireRole(ctx, 'admin', 'provider');
    const rows = await this.read.balances.list(scopeOfContext(ctx), {
      tenant: text(filter?.tenant, 'filter.tenant', 100),
      payTo: optionalAddress(filter?.payTo, 'filter.payTo'),
      network: text(filter?.network, 'filter.network', 64),
      asset: optionalAddress(filter?.asset, 'filter.asset'),
    });
    return rows.map((r) => ({
      ...r,
      payTo: checksum(r.payTo) ?? r.payTo,
      asset: checksum(r.asset) ?? r.asset,
      formattedNet: formatAmount(r.net, r.decimals),
    }));
  }
}

@Resolver(() => VerificationFailureConnection)
export class VerificationFailureConnectionResolver {
  constructor(private readonly read: ApiReadModel) {}

  @ResolveField(() => [ReasonCount], {
    description: 'All matching failures by reason (ignores pagination).',
    complexity: 50,
  })
  byReason(@Parent() connection: FailureConnectionParent): Promise<ReasonCount[]> {
    return this.read.failures.byReason(connection.scope, connection.search);
  }
}
