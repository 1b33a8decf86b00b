import type { Page } from '../queries/sql.util';

/** A Relay connection from a page. */
export function connectionOf<R, V>(
  page: Page<R>,
  present: (row: R) => V,
): { edges: { cursor: string; node: V }[]; nodes: V[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } {
  const nodes = page.items.map(present);
  return {
    edges: nodes.map((node, i) => ({ node, cursor: page.cursors[i] })),
    nodes,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
  };
}
