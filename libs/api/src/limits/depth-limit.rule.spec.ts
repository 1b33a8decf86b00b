import { buildSchema, parse, validate } from 'graphql';
import { depthLimitRule } from './depth-limit.rule';

const schema = buildSchema(`
  type Node { id: ID! child: Node }
  type Query { node: Node }
`);

const errorsFor = (query: string, max: number) => validate(schema, parse(query), [depthLimitRule(max)]);

describe('depthLimitRule', () => {
  it('allows queries at the limit and refuses deeper ones with depth and limit', () => {
    expect(errorsFor('{ node { child { id } } }', 3)).toEqual([]);
    const [sut] = errorsFor('{ node { child { child { id } } } }', 3);
    expect(sut.message).toBe('Query is too deep: depth 4 exceeds the limit of 3');
    expect(sut.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', depth: 4, maxDepth: 3 });
  });

  it('follows fragments and inline fragments, survives fragment cycles, ignores introspection', () => {
    expect(errorsFor('fragment F on Node { child { child { id } } } { node { ...F } }', 3)).toHaveLength(1);
    expect(errorsFor('{ node { ... on Node { child { child { id } } } } }', 3)).toHaveLength(1);
    expect(errorsFor('fragment A on Node { child { ...A } } { node { ...A } }', 3)).toEqual([]);
    expect(errorsFor('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', 2)).toEqual([]);
  });
});
