import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { SessionStatus } from './enums';
import { PageInfo } from './page-info.model';

@ObjectType({ description: 'A "pay once, then reuse" session bought by a payment.' })
export class Session {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true })
  paymentId!: string | null;

  @Field(() => String, { nullable: true })
  wallet!: string | null;

  @Field(() => String, { nullable: true })
  network!: string | null;

  @Field(() => String, { nullable: true })
  asset!: string | null;

  @Field(() => String, { nullable: true })
  policyId!: string | null;

  @Field(() => Int)
  policyVersion!: number;

  @Field(() => SessionStatus)
  status!: SessionStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  issuedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  expiresAt!: string | null;

  @Field(() => String, { nullable: true })
  maxCalls!: string | null;

  @Field(() => String, { nullable: true, description: 'Atomic units.' })
  budget!: string | null;

  @Field()
  calls!: string;

  @Field({ description: 'Atomic units.' })
  spend!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  lastUsedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: string | null;

  @Field(() => String, { nullable: true })
  revokeReason!: string | null;
}

@ObjectType()
export class SessionEdge {
  @Field()
  cursor!: string;

  @Field(() => Session)
  node!: Session;
}

@ObjectType()
export class SessionConnection {
  @Field(() => [SessionEdge])
  edges!: SessionEdge[];

  @Field(() => [Session])
  nodes!: Session[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
