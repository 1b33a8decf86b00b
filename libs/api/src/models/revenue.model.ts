import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ isAbstract: true })
export class RevenueFigures {
  @Field({ description: 'Σ settled amounts, atomic units.' })
  gross!: string;

  @Field({ description: 'Σ succeeded refunds (counted when they succeeded), atomic units.' })
  refunds!: string;

  @Field({ description: 'gross − refunds (negative when refunds of earlier payments landed).' })
  net!: string;

  @Field(() => Int, { description: 'Settled payments.' })
  count!: number;

  @Field(() => Int)
  refundCount!: number;

  @Field(() => Int, { description: 'Distinct payers (HyperLogLog: exact below ~65k).' })
  uniquePayers!: number;
}

@ObjectType()
export class RevenueTotals extends RevenueFigures {}

@ObjectType()
export class RevenueBucket extends RevenueFigures {
  @Field(() => DateTimeScalar, { description: 'Start of the bucket (UTC).' })
  start!: string;
}

@ObjectType({ description: 'Revenue of one (group, network, asset) over the range.' })
export class RevenueSeries {
  @Field(() => String, { nullable: true, description: 'The groupBy value (payTo or resource); null when not grouped.' })
  key!: string | null;

  @Field()
  network!: string;

  @Field()
  asset!: string;

  @Field(() => Int, { nullable: true })
  decimals!: number | null;

  @Field(() => RevenueTotals)
  totals!: RevenueTotals;

  @Field(() => [RevenueBucket], { description: 'Every bucket of the range (gaps are zeros unless fillGaps: false).' })
  buckets!: RevenueBucket[];
}

@ObjectType()
export class Revenue {
  @Field(() => DateTimeScalar)
  from!: string;

  @Field(() => DateTimeScalar)
  to!: string;

  @Field()
  interval!: string;

  @Field(() => [RevenueSeries], { description: 'Largest gross first.' })
  series!: RevenueSeries[];
}
