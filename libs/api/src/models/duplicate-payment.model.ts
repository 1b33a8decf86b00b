import { Field, ID, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({
  description: 'A payment that repeats an earlier one (same payer, resource and amount within the window).',
})
export class DuplicatePayment {
  @Field(() => ID)
  paymentId!: string;

  @Field(() => DateTimeScalar)
  settledAt!: string;

  @Field({ description: 'Atomic units.' })
  amount!: string;

  @Field({ description: 'What may still be refunded, atomic units.' })
  refundable!: string;

  @Field(() => ID, { description: 'The id of its one-action refund (refundDuplicatePayment).' })
  refundId!: string;

  @Field(() => String, { nullable: true, description: 'Status of that refund once requested.' })
  refundStatus!: string | null;
}

@ObjectType()
export class DuplicateOriginal {
  @Field(() => ID)
  paymentId!: string;

  @Field(() => DateTimeScalar)
  settledAt!: string;
}

@ObjectType({
  description: 'Payments by one payer to one resource for one amount: the first, then its likely duplicates.',
})
export class DuplicatePaymentGroup {
  @Field()
  tenant!: string;

  @Field()
  network!: string;

  @Field()
  asset!: string;

  @Field()
  payer!: string;

  @Field()
  payTo!: string;

  @Field()
  resource!: string;

  @Field({ description: 'Atomic units.' })
  amount!: string;

  @Field(() => DuplicateOriginal)
  original!: DuplicateOriginal;

  @Field(() => [DuplicatePayment])
  duplicates!: DuplicatePayment[];
}
