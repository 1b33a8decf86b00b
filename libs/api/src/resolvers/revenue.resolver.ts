import { Args, Context, Info, Int, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { RevenueInterval as AnalyticsInterval } from '@x402-ledger/analytics';
import { requireRole, scopeOfContext, type ApiContext } from '../graphql/api-context';
import { selects } from '../graphql/selection.util';
import { RequiredTimeRangeInput, RevenueFilter } from '../inputs/filters.input';
import { badInput, optionalAddress, text } from '../inputs/validate';
import { RevenueGroupBy, RevenueInterval } from '../models/enums';
import { checksum } from '../models/presenters';
import { Revenue } from '../models/revenue.model';
import { ApiReadModel } from '../queries/read-model';
import type { RevenueGroupBy as GroupByValue } from '../queries/revenue.reader';

const MAX_RANGE_DAYS: Record<RevenueInterval, number> = { hour: 93, day: 800, week: 800, month: 3660 };

@Resolver(() => Revenue)
export class RevenueResolver {
  constructor(private readonly read: ApiReadModel) {}

  @Query(() => Revenue, {
    description:
      'Gross, refunds, net, counts and unique payers per bucket and group, split by network and asset. Not for payers.',
    complexity: ({ childComplexity }) => 20 + childComplexity,
  })
  async revenue(
    @Context() ctx: ApiContext,
    @Info() info: GraphQLResolveInfo,
    @Args('range', { type: () => RequiredTimeRangeInput }) range: RequiredTimeRangeInput,
    @Args('interval', { type: () => RevenueInterval, defaultValue: RevenueInterval.DAY }) interval: RevenueInterval,
    @Args('groupBy', { type: () => RevenueGroupBy, defaultValue: RevenueGroupBy.NONE }) groupBy: RevenueGroupBy,
    @Args('filter', { type: () => RevenueFilter, nullable: true }) filter?: RevenueFilter,
    @Args('limit', { type: () => Int, defaultValue: 50, description: 'Most series (largest gross first), ≤ 200.' })
    limit?: number,
    @Args('fillGaps', {
      defaultValue: true,
      description: 'Return every bucket of the range (zeros where nothing happened).',
    })
    fillGaps?: boolean,
  ): Promise<Revenue> {
    requireRole(ctx, 'admin', 'provider');
    if (range.from.getTime() >= range.to.getTime()) throw badInput('range.from must be before range.to');
    const days = (range.to.getTime() - range.from.getTime()) / 86_400_000;
    if (days > MAX_RANGE_DAYS[interval])
      throw badInput(`a ${interval} series covers at most ${MAX_RANGE_DAYS[interval]} days`);
    const n = limit ?? 50;
    if (!Number.isInteger(n) || n < 1 || n > 200) throw badInput('limit must be 1..200');
    const series = await this.read.revenue.series({
      scope: scopeOfContext(ctx),
      from: range.from,
      to: range.to,
      interval: interval as unknown as AnalyticsInterval,
      groupBy: groupBy as unknown as GroupByValue,
      filter: {
        tenant: text(filter?.tenant, 'filter.tenant', 100),
        payTo: optionalAddress(filter?.payTo, 'filter.payTo'),
        resource: text(filter?.resource, 'filter.resource', 4096),
        network: text(filter?.network, 'filter.network', 64),
        asset: optionalAddress(filter?.asset, 'filter.asset'),
      },
      uniquePayers: {
        buckets: selects(info, ['series', 'buckets', 'uniquePayers']),
        totals: selects(info, ['series', 'totals', 'uniquePayers']),
      },
      limit: n,
      fillGaps: fillGaps ?? true,
    });
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      interval,
      series: series.map((s) => ({
        ...s,
        key: groupBy === RevenueGroupBy.PAY_TO ? checksum(s.key) : s.key,
        asset: checksum(s.asset) ?? s.asset,
        totals: { ...s.totals, uniquePayers: s.totals.uniquePayers ?? 0 },
        buckets: s.buckets.map((b) => ({ ...b, uniquePayers: b.uniquePayers ?? 0 })),
      })),
    };
  }
}
