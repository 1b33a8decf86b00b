import { Field, ObjectType } from '@nestjs/graphql';
import { MutationErrorCode } from './enums';
import { Dispute } from './dispute.model';
import { Refund } from './refund.model';

@ObjectType({ description: 'Why the command was refused. Nothing was written.' })
export class UserError {
  @Field(() => MutationErrorCode)
  code!: MutationErrorCode;

  @Field()
  message!: string;

  @Field(() => [String], { nullable: true, description: 'Path of the offending input field, when one is to blame.' })
  field!: string[] | null;
}

@ObjectType()
export class RefundPayload {
  @Field(() => Refund, { nullable: true, description: 'The refund after the command (null when refused).' })
  refund!: Refund | null;

  @Field({
    description: 'True when this request repeated an earlier one (same idempotency key): nothing new was written.',
  })
  replayed!: boolean;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class DisputePayload {
  @Field(() => Dispute, { nullable: true, description: 'The dispute after the command (null when refused).' })
  dispute!: Dispute | null;

  @Field(() => Refund, { nullable: true, description: 'resolveDispute LOST: the payout refund requested with it.' })
  payoutRefund!: Refund | null;

  @Field()
  replayed!: boolean;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
