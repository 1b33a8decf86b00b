import { Field, InputType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { DisputeStatus, FailureStage, PaymentStatus, RefundStatus, SessionStatus } from '../models/enums';

@InputType({ description: '[from, to): from inclusive, to exclusive. Either end may be open.' })
export class TimeRangeInput {
  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date;
}

@InputType({ description: 'A closed range [from, to).' })
export class RequiredTimeRangeInput {
  @Field(() => DateTimeScalar)
  from!: Date;

  @Field(() => DateTimeScalar)
  to!: Date;
}

@InputType()
export class PaymentFilter {
  @Field(() => [PaymentStatus], { nullable: true })
  status?: PaymentStatus[];

  @Field({ nullable: true, description: 'Admins: one tenant. Others: narrows within their scope.' })
  tenant?: string;

  @Field({ nullable: true })
  payer?: string;

  @Field({ nullable: true })
  payTo?: string;

  @Field({ nullable: true })
  resource?: string;

  @Field({ nullable: true })
  network?: string;

  @Field({ nullable: true })
  asset?: string;

  @Field(() => TimeRangeInput, { nullable: true, description: 'When the payment was first seen.' })
  createdAt?: TimeRangeInput;

  @Field(() => TimeRangeInput, { nullable: true, description: 'When the payment settled.' })
  settledAt?: TimeRangeInput;

  @Field({ nullable: true, description: 'Atomic units, inclusive.' })
  minAmount?: string;

  @Field({ nullable: true, description: 'Atomic units, inclusive.' })
  maxAmount?: string;
}

@InputType()
export class RefundFilter {
  @Field(() => [RefundStatus], { nullable: true })
  status?: RefundStatus[];

  @Field({ nullable: true })
  paymentId?: string;

  @Field({ nullable: true })
  tenant?: string;

  @Field({ nullable: true })
  payTo?: string;

  @Field(() => TimeRangeInput, { nullable: true })
  requestedAt?: TimeRangeInput;
}

@InputType()
export class DisputeFilter {
  @Field(() => [DisputeStatus], { nullable: true })
  status?: DisputeStatus[];

  @Field({ nullable: true })
  paymentId?: string;

  @Field({ nullable: true })
  tenant?: string;

  @Field({ nullable: true })
  payTo?: string;
}

@InputType()
export class SessionFilter {
  @Field(() => [SessionStatus], { nullable: true })
  status?: SessionStatus[];

  @Field({ nullable: true })
  wallet?: string;

  @Field({ nullable: true })
  paymentId?: string;

  @Field({ nullable: true })
  tenant?: string;
}

@InputType()
export class VerificationFailureFilter {
  @Field(() => FailureStage, { nullable: true, defaultValue: FailureStage.VERIFICATION })
  stage?: FailureStage;

  @Field({ nullable: true })
  reason?: string;

  @Field({ nullable: true })
  tenant?: string;

  @Field({ nullable: true })
  payTo?: string;

  @Field(() => TimeRangeInput, { nullable: true })
  occurredAt?: TimeRangeInput;
}

@InputType()
export class RevenueFilter {
  @Field({ nullable: true })
  tenant?: string;

  @Field({ nullable: true })
  payTo?: string;

  @Field({ nullable: true })
  resource?: string;

  @Field({ nullable: true })
  network?: string;

  @Field({ nullable: true })
  asset?: string;
}

@InputType()
export class BalanceFilter {
  @Field({ nullable: true })
  tenant?: string;

  @Field({ nullable: true })
  payTo?: string;

  @Field({ nullable: true })
  network?: string;

  @Field({ nullable: true })
  asset?: string;
}
