import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { RefundStatus } from './enums';
import { PageInfo } from './page-info.model';

@ObjectType({ description: 'A refund of (part of) a settled payment.' })
export class Refund {
  @Field(() => ID, { description: 'sha256(refund|paymentId|idempotencyKey).' })
  id!: string;

  @Field(() => ID)
  paymentId!: string;

  @Field(() => RefundStatus)
  status!: RefundStatus;

  @Field({ description: 'Requested amount, atomic units.' })
  amount!: string;

  @Field(() => String, { nullable: true })
  formattedAmount!: string | null;

  @Field({ description: 'Confirmed on-chain amount (0 until succeeded).' })
  refundedAmount!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'provider | payer | arbiter' })
  requestedBy!: string | null;

  @Field(() => String, { nullable: true })
  approvedBy!: string | null;

  @Field(() => ID, { nullable: true, description: 'Set when this refund pays out a lost dispute.' })
  disputeId!: string | null;

  @Field(() => String, { nullable: true })
  failureReason!: string | null;

  @Field(() => String, { nullable: true, description: 'Refund transaction hash.' })
  transaction!: string | null;

  @Field(() => String, { nullable: true, description: 'authorization | hot_wallet' })
  method!: string | null;

  @Field(() => String, { nullable: true })
  network!: string | null;

  @Field(() => String, { nullable: true })
  asset!: string | null;

  @Field(() => Int, { nullable: true })
  decimals!: number | null;

  @Field(() => String, { nullable: true })
  payer!: string | null;

  @Field(() => String, { nullable: true })
  payTo!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  requestedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  approvedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  submittedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  succeededAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  failedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  canceledAt!: string | null;
}

@ObjectType()
export class RefundEdge {
  @Field()
  cursor!: string;

  @Field(() => Refund)
  node!: Refund;
}

@ObjectType()
export class RefundConnection {
  @Field(() => [RefundEdge])
  edges!: RefundEdge[];

  @Field(() => [Refund])
  nodes!: Refund[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
