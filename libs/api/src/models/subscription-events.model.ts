import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ description: 'A payment was settled on chain (pushed as soon as the fact is on the log).' })
export class PaymentSettledEvent {
  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  paymentId!: string;

  @Field()
  tenant!: string;

  @Field()
  network!: string;

  @Field()
  asset!: string;

  @Field()
  amount!: string;

  @Field()
  payer!: string;

  @Field()
  payTo!: string;

  @Field(() => String, { nullable: true })
  resource!: string | null;

  @Field()
  transaction!: string;

  @Field()
  blockNumber!: string;

  @Field(() => DateTimeScalar)
  settledAt!: string;
}

@ObjectType({ description: 'A refund changed (refund.* event).' })
export class RefundUpdatedEvent {
  @Field(() => ID)
  eventId!: string;

  @Field({ description: 'The event type, e.g. refund.succeeded.' })
  type!: string;

  @Field(() => ID)
  refundId!: string;

  @Field(() => ID)
  paymentId!: string;

  @Field({ description: 'Status after this event.' })
  status!: string;

  @Field(() => Int)
  sequence!: number;

  @Field(() => String, { nullable: true })
  amount!: string | null;

  @Field(() => String, { nullable: true })
  transaction!: string | null;

  @Field(() => DateTimeScalar)
  occurredAt!: string;
}

@ObjectType({ description: 'A dispute changed (dispute.* event).' })
export class DisputeUpdatedEvent {
  @Field(() => ID)
  eventId!: string;

  @Field()
  type!: string;

  @Field(() => ID)
  disputeId!: string;

  @Field(() => ID)
  paymentId!: string;

  @Field({
    description: 'Status after this event (needs_response, under_review, won, lost, withdrawn; unchanged on evidence).',
  })
  status!: string;

  @Field(() => Int)
  sequence!: number;

  @Field(() => DateTimeScalar)
  occurredAt!: string;
}
