import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { FailureStage } from './enums';
import { PageInfo } from './page-info.model';

@ObjectType({ description: 'A failed verification or settlement.' })
export class VerificationFailure {
  @Field(() => ID, { description: 'The event id.' })
  id!: string;

  @Field(() => FailureStage)
  stage!: FailureStage;

  @Field(() => DateTimeScalar)
  occurredAt!: string;

  @Field(() => ID, { nullable: true, description: 'null when the payload was too broken to derive a payment id.' })
  paymentId!: string | null;

  @Field({ description: 'The x402 reason code verbatim, e.g. invalid_exact_evm_signature.' })
  reason!: string;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field()
  network!: string;

  @Field()
  asset!: string;

  @Field()
  amount!: string;

  @Field(() => String, { nullable: true })
  payer!: string | null;

  @Field()
  payTo!: string;

  @Field(() => String, { nullable: true })
  resource!: string | null;

  @Field(() => String, { nullable: true })
  transaction!: string | null;
}

@ObjectType()
export class ReasonCount {
  @Field()
  reason!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class VerificationFailureEdge {
  @Field()
  cursor!: string;

  @Field(() => VerificationFailure)
  node!: VerificationFailure;
}

@ObjectType()
export class VerificationFailureConnection {
  @Field(() => [VerificationFailureEdge])
  edges!: VerificationFailureEdge[];

  @Field(() => [VerificationFailure])
  nodes!: VerificationFailure[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'A resource listed through x402 discovery (bazaar).' })
export class DiscoveryResource {
  @Field()
  resourceUrl!: string;

  @Field()
  type!: string;

  @Field({ description: 'Payment requirements (accepts[]) as JSON text.' })
  accepts!: string;

  @Field({ description: 'Metadata as JSON text.' })
  metadata!: string;

  @Field(() => String, { nullable: true })
  lastUpdated!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  updatedAt!: string | null;
}

@ObjectType()
export class DiscoveryResourceEdge {
  @Field()
  cursor!: string;

  @Field(() => DiscoveryResource)
  node!: DiscoveryResource;
}

@ObjectType()
export class DiscoveryResourceConnection {
  @Field(() => [DiscoveryResourceEdge])
  edges!: DiscoveryResourceEdge[];

  @Field(() => [DiscoveryResource])
  nodes!: DiscoveryResource[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'What one receiving address received and paid back in one asset, all time.' })
export class Balance {
  @Field()
  tenant!: string;

  @Field()
  payTo!: string;

  @Field()
  network!: string;

  @Field()
  asset!: string;

  @Field(() => Int, { nullable: true })
  decimals!: number | null;

  @Field({ description: 'Σ settled, atomic units.' })
  received!: string;

  @Field({ description: 'Σ succeeded refunds, atomic units.' })
  refunded!: string;

  @Field({ description: 'received − refunded.' })
  net!: string;

  @Field(() => String, { nullable: true })
  formattedNet!: string | null;

  @Field(() => Int)
  payments!: number;

  @Field(() => Int)
  refunds!: number;
}
