import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

function childField(
  set: SelectionSetNode | undefined,
  name: string,
  fragments: Record<string, FragmentDefinitionNode>,
  out: FieldNode[],
  depth = 0,
): void {
  if (!set || depth > 20) return;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value === name) out.push(s);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      childField(s.selectionSet, name, fragments, out, depth + 1);
    } else {
      const fragment = fragments[s.name.value];
      if (fragment) childField(fragment.selectionSet, name, fragments, out, depth + 1);
    }
  }
}

/** True when the current field's selection contains the field path `path` (fragments included). */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    const next: FieldNode[] = [];
    for (const node of level) childField(node.selectionSet, name, info.fragments, next);
    if (next.length === 0) return false;
    level = next;
  }
  return true;
}
