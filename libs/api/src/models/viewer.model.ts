import { Field, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { PrincipalRole } from './enums';

@ObjectType({ description: 'Who the caller is, and what it may see.' })
export class Viewer {
  @Field()
  id!: string;

  @Field(() => PrincipalRole)
  role!: PrincipalRole;

  @Field(() => String, { nullable: true, description: 'Provider tenant (null for admins, wallet sign-ins, payers).' })
  tenant!: string | null;

  @Field(() => [String], { description: 'payTo addresses a provider is limited to (empty = all of its tenant).' })
  payTo!: string[];

  @Field(() => String, { nullable: true, description: 'The wallet of a payer.' })
  wallet!: string | null;
}

@ObjectType({ description: 'A single-use nonce for a SIWE (EIP-4361) message.' })
export class SignInChallenge {
  @Field()
  nonce!: string;

  @Field({ description: 'The domain the SIWE message must name.' })
  domain!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;
}

@ObjectType()
export class SignInPayload {
  @Field({ description: 'Bearer token for the Authorization header.' })
  token!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => Viewer)
  viewer!: Viewer;
}
