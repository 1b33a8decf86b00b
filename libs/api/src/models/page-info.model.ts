import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Relay page info (forward pagination).' })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}
