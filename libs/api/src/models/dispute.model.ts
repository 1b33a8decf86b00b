import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { DisputeReason, DisputeStatus } from './enums';
import { PageInfo } from './page-info.model';

@ObjectType({ description: 'A dispute of a settled payment, opened by its payer.' })
export class Dispute {
  @Field(() => ID, { description: 'sha256(dispute|paymentId|idempotencyKey).' })
  id!: string;

  @Field(() => ID)
  paymentId!: string;

  @Field(() => DisputeStatus)
  status!: DisputeStatus;

  @Field(() => DisputeReason, { nullable: true })
  reason!: DisputeReason | null;

  @Field(() => String, { nullable: true })
  openedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  openedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'The provider must answer before this.' })
  respondBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  underReviewAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt!: string | null;

  @Field(() => String, { nullable: true })
  decidedBy!: string | null;

  @Field(() => String, { nullable: true })
  note!: string | null;

  @Field(() => Int)
  evidenceCount!: number;

  @Field({ description: 'Amount at stake (settled − refunded when opened), or the payment amount.' })
  amount!: string;

  @Field(() => String, { nullable: true })
  network!: string | null;

  @Field(() => String, { nullable: true })
  asset!: string | null;

  @Field(() => String, { nullable: true })
  payer!: string | null;

  @Field(() => String, { nullable: true })
  payTo!: string | null;

  @Field(() => ID, { nullable: true, description: 'The payout refund of a lost dispute.' })
  payoutRefundId!: string | null;
}

@ObjectType()
export class DisputeEdge {
  @Field()
  cursor!: string;

  @Field(() => Dispute)
  node!: Dispute;
}

@ObjectType()
export class DisputeConnection {
  @Field(() => [DisputeEdge])
  edges!: DisputeEdge[];

  @Field(() => [Dispute])
  nodes!: Dispute[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
