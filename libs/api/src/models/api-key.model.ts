import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ description: 'An API key record (the key itself is shown once, at creation).' })
export class ApiKey {
  @Field()
  keyId!: string;

  @Field({ description: 'provider | admin' })
  role!: string;

  @Field(() => String, { nullable: true })
  tenant!: string | null;

  @Field(() => [String])
  payTo!: string[];

  @Field()
  label!: string;

  @Field()
  createdBy!: string;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: string | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field({ description: 'The key: `Authorization: Bearer <key>`. Store it now; only its hash is kept.' })
  key!: string;

  @Field(() => ApiKey)
  apiKey!: ApiKey;
}

@InputType()
export class CreateApiKeyInput {
  @Field({ description: 'Tenant id of the provider.' })
  tenant!: string;

  @Field(() => [String], { nullable: true, defaultValue: [], description: 'Limit the key to these payTo addresses.' })
  payTo?: string[];

  @Field()
  label!: string;
}
