// Connection arguments: `first` defaults to 100 and may be at most 500 (the whole catalogue of
// ~460 products fits in one page); `after` must be a cursor this field produced.
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { decodeCursor } from '../data/sql-builder.ts';
import { badInput } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 0 || first > max) {
    throw badInput(`first must be between 0 and ${max} (the page-size limit), got ${first}`, {
      limit: max,
      value: first,
    });
  }
  return first;
}

/** Decodes an `after` cursor and checks its shape; errors name the argument. */
export function readCursor<T>(after: string | null | undefined, check: (v: unknown) => v is T, kind: string): T | null {
  if (after === null || after === undefined) return null;
  const value = decodeCursor(after);
  if (!check(value))
    throw badInput(
      `after is not a ${kind} cursor (pass the endCursor of a previous page), got ${JSON.stringify(after)}`,
    );
  return value;
}

/** Whether the selection of this field asks for `name` (directly or through fragments). */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) => {
      if (s.kind === 'Field') return s.name.value === name;
      if (s.kind === 'InlineFragment') return visit(s.selectionSet);
      const fragment = info.fragments[s.name.value];
      return fragment ? visit(fragment.selectionSet) : false;
    });
  return info.fieldNodes.some((f: FieldNode) => visit(f.selectionSet));
}

export interface Page<N> {
  nodes: N[];
  /** The cursor of the i-th node. */
  cursor: (i: number) => string;
  hasNextPage: boolean;
  totalCount: number | null;
  /** The `after` argument of the request (null: from the start). */
  after: string | null;
}

/**
 * The connection object; totalCount is only computed when the query selects it, and cursors
 * only when edges or pageInfo are read (most queries read nodes alone).
 *
 * endCursor is the cursor of the last node. A page without nodes that still has a next one
 * (`first: 0`) gives back the `after` it was asked with (null: the start), so that passing
 * endCursor as `after` always continues where the page ended; a page without nodes at the end
 * has no endCursor (there is nothing to continue to).
 */
export function connection<N>(page: Page<N>) {
  const { nodes, cursor, hasNextPage, after } = page;
  return {
    nodes,
    get edges() {
      return nodes.map((node, i) => ({ node, cursor: cursor(i) }));
    },
    get pageInfo() {
      const endCursor = nodes.length > 0 ? cursor(nodes.length - 1) : hasNextPage ? after : null;
      return { hasNextPage, endCursor };
    },
    totalCount: page.totalCount ?? 0,
  };
}
