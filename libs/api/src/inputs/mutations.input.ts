import { Field, InputType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { DisputeOutcome, DisputeReason } from '../models/enums';

@InputType({ isAbstract: true })
export class IdempotentInput {
  @Field({
    description:
      'Chosen by the client (1..200 chars), stored before the first attempt and reused on every retry: the same key with the same input gives the same answer; with a different input, IDEMPOTENCY_CONFLICT.',
  })
  idempotencyKey!: string;
}

@InputType()
export class RequestRefundInput extends IdempotentInput {
  @Field()
  paymentId!: string;

  @Field({ nullable: true, description: 'Atomic units; default: everything still refundable.' })
  amount?: string;

  @Field()
  reason!: string;
}

@InputType()
export class ApproveRefundInput extends IdempotentInput {
  @Field()
  refundId!: string;
}

@InputType({
  description:
    'An EIP-3009 transferWithAuthorization the payTo wallet signed for this refund (payTo → payer, the refund amount): the facilitator submits it and pays the gas.',
})
export class RefundAuthorizationInput {
  @Field({ description: 'The payTo address (signer).' })
  from!: string;

  @Field({ description: 'The payer address.' })
  to!: string;

  @Field({ description: 'Atomic units: the refund amount.' })
  value!: string;

  @Field({ description: 'Unix seconds, decimal string.' })
  validAfter!: string;

  @Field({ description: 'Unix seconds, decimal string.' })
  validBefore!: string;

  @Field({ description: 'bytes32 hex.' })
  nonce!: string;

  @Field({ description: 'The wallet signature (65-byte ECDSA, or an ERC-1271 wallet’s bytes), hex.' })
  signature!: string;
}

@InputType()
export class ExecuteRefundInput extends IdempotentInput {
  @Field()
  refundId!: string;

  @Field(() => RefundAuthorizationInput, {
    nullable: true,
    description:
      'Provider-signed authorization; without one, the payTo’s configured hot wallet pays (within its limits).',
  })
  authorization?: RefundAuthorizationInput;
}

@InputType()
export class CancelRefundInput extends IdempotentInput {
  @Field()
  refundId!: string;

  @Field()
  reason!: string;
}

@InputType()
export class OpenDisputeInput extends IdempotentInput {
  @Field()
  paymentId!: string;

  @Field(() => DisputeReason)
  reason!: DisputeReason;

  @Field(() => [String], { nullable: true, defaultValue: [], description: 'URLs, tx hashes or text (≤ 50 items).' })
  evidence?: string[];

  @Field(() => DateTimeScalar, { nullable: true, description: 'Answer deadline; default: 7 days from now.' })
  respondBy?: Date;
}

@InputType()
export class SubmitDisputeEvidenceInput extends IdempotentInput {
  @Field()
  disputeId!: string;

  @Field(() => [String])
  evidence!: string[];
}

@InputType()
export class ResolveDisputeInput extends IdempotentInput {
  @Field()
  disputeId!: string;

  @Field(() => DisputeOutcome)
  outcome!: DisputeOutcome;

  @Field({ nullable: true })
  note?: string;
}

@InputType()
export class WithdrawDisputeInput extends IdempotentInput {
  @Field()
  disputeId!: string;
}
