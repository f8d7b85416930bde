// The operations behind the root fields: arguments in, nodes out. Resolvers stay a few lines;
// SQL lives in src/data, rules in src/domain.
import type { GraphQLResolveInfo } from 'graphql';
import { productIdByIdentifier, searchProducts } from '../data/products.ts';
import { searchCyclesInCatalog, searchProductsInCatalog } from '../data/catalog-search.ts';
import { searchCycles, type CycleOrderField, type CycleSearch, type Direction } from '../data/release-cycles.ts';
import { encodeCursor } from '../data/sql-builder.ts';
import { addDays, isCalendarDate, type SupportPhase } from '../domain/status.ts';
import { resolveVersion } from '../domain/versions.ts';
import { asOfFor, type Context } from './context.ts';
import { eventually, type Eventually } from './loaders.ts';
import { badInput } from './errors.ts';
import type {
  DateRange,
  ProductFilter,
  ProductReleaseFilter,
  ReleaseCycleFilter,
  ReleaseCycleOrder,
} from './generated/resolvers-types.ts';
import type { ProductRow } from '../data/rows.ts';
import { CycleNode, ProductNode } from './models.ts';
import { connection, pageSize, readCursor, selects } from './pagination.ts';

export async function productByName(ctx: Context, name: string, asOf?: string | null): Promise<ProductNode | null> {
  const date = asOfFor(ctx, asOf);
  const row = await ctx.loaders.productByName.load(name);
  return row ? new ProductNode(row, date) : null;
}

export function productNodeById(ctx: Context, id: number, asOf: string): Eventually<ProductNode> {
  return eventually(ctx.loaders.productOf(id), (row) => {
    if (!row) throw new Error(`product ${id} disappeared while the request ran`);
    return new ProductNode(row, asOf);
  });
}

// Exactly { n }: a releaseCycles cursor also has an `n` and must not pass for a products cursor.
const isNameCursor = (v: unknown): v is { n: string } =>
  typeof v === 'object' && v !== null && Object.keys(v).length === 1 && typeof (v as { n: unknown }).n === 'string';

export async function findProducts(
  ctx: Context,
  args: { filter?: ProductFilter | null; first?: number | null; after?: string | null; asOf?: string | null },
  info: GraphQLResolveInfo,
) {
  const first = pageSize(args.first, ctx.maxPageSize);
  const asOf = asOfFor(ctx, args.asOf);
  const after = readCursor(args.after, isNameCursor, 'products');
  const f = args.filter ?? {};
  const search = {
    names: f.names ?? null,
    category: f.category ?? null,
    tag: f.tag ?? null,
    // Spaces around the term are a copy-paste accident, never meant (a blank term: no filter).
    search: f.search?.trim() ?? null,
    hasMaintainedRelease: f.hasMaintainedRelease ?? null,
    asOf,
    after: after?.n ?? null,
    first: first + 1,
    withCount: selects(info, 'totalCount'),
  };
  // Selected in memory while the catalogue is current (the same answer as the SQL, no statement).
  const { rows, total } =
    (ctx.catalog && searchProductsInCatalog(ctx.catalog, search)) ?? (await searchProducts(ctx.sql, search));
  // Rows from the in-memory catalogue when there is one: the same objects every request, so what
  // is derived from them (labels, links) is computed once.
  const page = rows.slice(0, first).map((r) => ctx.catalog?.productsById.get(r.id) ?? r);
  for (const r of page) ctx.loaders.productById.prime(r.id, r);
  return connection({
    nodes: page.map((r) => new ProductNode(r, asOf)),
    cursor: (i) => encodeCursor({ n: page[i]!.name }),
    hasNextPage: rows.length > first,
    totalCount: total,
    after: args.after ?? null,
  });
}

/** The last date the Date scalar accepts ("YYYY-MM-DD" has four digits for the year). */
const LAST_DATE = '9999-12-31';

/** A DateRange whose from is after its to matches nothing: a mistake to report, not to answer. */
function checkRange(name: string, range: DateRange | null | undefined): void {
  if (range?.from != null && range.to != null && range.from > range.to) {
    throw badInput(`${name}.from (${range.from}) is after ${name}.to (${range.to}): the range holds no date`);
  }
}

interface CycleCursor {
  o: string;
  k: string;
  n: string;
  p: number;
}

export async function findCycles(
  ctx: Context,
  args: {
    filter?: ReleaseCycleFilter | null;
    orderBy?: ReleaseCycleOrder | null;
    first?: number | null;
    after?: string | null;
    asOf?: string | null;
  },
  info: GraphQLResolveInfo,
) {
  const first = pageSize(args.first, ctx.maxPageSize);
  const asOf = asOfFor(ctx, args.asOf);
  const order = {
    field: (args.orderBy?.field ?? 'PRODUCT_NAME') as CycleOrderField,
    direction: (args.orderBy?.direction ?? 'ASC') as Direction,
  };
  const orderKey = `${order.field}:${order.direction}`;
  const isCursor = (v: unknown): v is CycleCursor => {
    const c = v as CycleCursor;
    return (
      typeof c === 'object' &&
      c !== null &&
      c.o === orderKey &&
      typeof c.k === 'string' &&
      // The key and position go into SQL as a date (or text) and an int: a forged value must be
      // refused here, not fail the cast in the database.
      (order.field === 'PRODUCT_NAME' || isCalendarDate(c.k) || c.k === 'infinity' || c.k === '-infinity') &&
      typeof c.n === 'string' &&
      Number.isInteger(c.p) &&
      c.p >= 0 &&
      c.p <= 2_147_483_647
    );
  };
  const after = readCursor(args.after, isCursor, `releaseCycles (ordered by ${order.field} ${order.direction})`);
  const f = args.filter ?? {};
  checkRange('eolBetween', f.eolBetween);
  checkRange('releasedBetween', f.releasedBetween);
  let eolFrom = f.eolBetween?.from ?? null;
  let eolTo = f.eolBetween?.to ?? null;
  if (f.eolWithinDays != null) {
    if (f.eolWithinDays < 0 || f.eolWithinDays > 36_500) {
      throw badInput(`eolWithinDays must be between 0 and 36500, got ${f.eolWithinDays}`);
    }
    // Within N days of asOf, both ends inclusive, combined with eolBetween if both are given. The
    // window stops at the last date a Date can hold: asOf + N may lie beyond year 9999, which no
    // date in the API (and no date the importer accepts) reaches.
    const from = asOf;
    const end = addDays(asOf, f.eolWithinDays);
    const to = isCalendarDate(end) ? end : LAST_DATE;
    eolFrom = eolFrom && eolFrom > from ? eolFrom : from;
    eolTo = eolTo && eolTo < to ? eolTo : to;
  }
  const search: CycleSearch = {
    // Both may be given: a cycle must then match both (an empty list matches nothing).
    product: f.product ?? null,
    products: f.products ?? null,
    category: f.category ?? null,
    tag: f.tag ?? null,
    isEol: f.isEol ?? null,
    isMaintained: f.isMaintained ?? null,
    isLts: f.isLts ?? null,
    isReleased: f.isReleased ?? null,
    supportPhases: (f.supportPhase as SupportPhase[] | null | undefined) ?? null,
    eolFrom,
    eolTo,
    // "cycles whose eol is a boolean never match" (SDL), also when both ends are left open.
    eolDated: f.eolBetween != null,
    releaseDated: f.releasedBetween != null,
    releasedFrom: f.releasedBetween?.from ?? null,
    releasedTo: f.releasedBetween?.to ?? null,
    asOf,
    order,
    after: after ? { key: after.k, product: after.n, position: after.p } : null,
    first: first + 1,
    withCount: selects(info, 'totalCount'),
  };
  const { rows, total } =
    (ctx.catalog && searchCyclesInCatalog(ctx.catalog, search)) ?? (await searchCycles(ctx.sql, search));
  const page = rows.slice(0, first);
  // Each node carries its product's row (CycleNode.label/latest): from the catalogue when there is
  // one, else in one batched statement.
  const loaded = await ctx.loaders.productById.loadMany([...new Set(page.map((r) => r.row.productId))]);
  const productRows = new Map<number, ProductRow>();
  for (const p of loaded) if (p && !(p instanceof Error)) productRows.set(p.id, p);
  return connection({
    nodes: page.map((r) => {
      const product = productRows.get(r.row.productId);
      if (!product) throw new Error(`product ${r.row.productId} disappeared while the request ran`);
      return CycleNode.of(r.row, asOf, product);
    }),
    cursor: (i) => {
      const r = page[i]!;
      return encodeCursor({ o: orderKey, k: r.sortKey, n: r.productName, p: r.row.position } satisfies CycleCursor);
    },
    hasNextPage: rows.length > first,
    totalCount: total,
    after: args.after ?? null,
  });
}

/** A product's cycles as nodes, in document order, with the product row attached. */
export function releasesOf(ctx: Context, product: ProductNode): Eventually<CycleNode[]> {
  return eventually(ctx.loaders.releaseRowsOf(product.id), (rows) => CycleNode.ofAll(rows, product.asOf, product.row));
}

export function filterReleases(cycles: CycleNode[], filter: ProductReleaseFilter | null | undefined): CycleNode[] {
  if (!filter) return cycles;
  return cycles.filter(
    (c) =>
      (filter.isEol == null || c.isEol === filter.isEol) &&
      (filter.isMaintained == null || c.isMaintained === filter.isMaintained) &&
      (filter.isLts == null || c.isLts === filter.isLts) &&
      (filter.isReleased == null || c.isReleased === filter.isReleased) &&
      (filter.supportPhase == null || filter.supportPhase.includes(c.supportPhase)),
  );
}

export async function releaseCycleByName(ctx: Context, productName: string, name: string, asOf?: string | null) {
  const product = await productByName(ctx, productName, asOf);
  if (!product) return null;
  const cycles = await releasesOf(ctx, product);
  if (name === 'latest') return cycles[0] ?? null;
  // Exact name first, then the URL slug form ("stable-12" for "stable/12").
  return cycles.find((c) => c.name === name) ?? cycles.find((c) => c.slug === name) ?? null;
}

export async function releaseCycleForVersion(ctx: Context, productName: string, version: string, asOf?: string | null) {
  const product = await productByName(ctx, productName, asOf);
  if (!product) return null;
  const cycles = await releasesOf(ctx, product);
  const name = resolveVersion(
    version,
    cycles.map((c) => c.name),
  );
  return name === null ? null : (cycles.find((c) => c.name === name) ?? null);
}

export async function productForIdentifier(ctx: Context, identifier: string, asOf?: string | null) {
  const date = asOfFor(ctx, asOf);
  const id = await productIdByIdentifier(ctx.sql, identifier);
  return id === null ? null : productNodeById(ctx, id, date);
}
