import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { ComplexityEstimatorArgs } from '@nestjs/graphql';

/** The estimated cost of an operation: field `complexity` extensions (connections scale with `first`), else 1. */
export function operationComplexity(
  schema: GraphQLSchema,
  query: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number {
  return getComplexity({
    schema,
    query,
    variables: variables ?? {},
    operationName,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}

export function tooComplex(cost: number, max: number): GraphQLError {
  return new GraphQLError(`Query is too complex: cost ${cost} exceeds the limit of ${max}`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', cost, maxCost: max, http: { status: 400 } },
  });
}

/** Cost of a connection field: its children × page size (+1 for the page itself). */
export function connectionComplexity(defaultFirst: number): (options: ComplexityEstimatorArgs) => number {
  return ({ args, childComplexity }) => {
    const first = typeof args['first'] === 'number' ? (args['first'] as number) : defaultFirst;
    return 1 + Math.max(1, first) * Math.max(1, childComplexity);
  };
}

/** Cost of a nested list (refunds/disputes/sessions/timeline of one payment): assume up to `n` items. */
export function listComplexity(n: number): (options: ComplexityEstimatorArgs) => number {
  return ({ childComplexity }) => 2 + n * Math.max(1, childComplexity);
}
