// The selection of products and release cycles (filters, order, keyset pagination, totals) over
// the in-memory catalogue, with exactly the meaning of the SQL in products.ts and
// release-cycles.ts: a report then costs no SQL statement and no round trip while the catalogue
// is current. test/catalog-search.test.ts runs both over the corpus and requires the same pages.
//
// What it does not answer (returns null, and the caller asks the database):
// - a product text search: ILIKE's case folding depends on the database's locale;
// - a catalogue holding a date the string comparisons below cannot order ("YYYY-MM-DD" only; an
//   admin can store year 10000 or a BC date in Studio).
import {
  isLts,
  isMaintained,
  isReached,
  supportPhase,
  type SupportFields,
} from '../domain/status.ts';
import type { CatalogData } from './snapshot.ts';
import type { ProductSearch } from './products.ts';
import type { CycleHit, CycleSearch } from './release-cycles.ts';
import { supportFieldsOf, type CycleRow, type ProductRow } from './rows.ts';

/**
 * Code-point order of two strings: PostgreSQL's COLLATE "C" on UTF-8 text (byte order), which the
 * SQL uses for names so that the order is the same on every database and locale. JavaScript's `<`
 * compares UTF-16 units, which differs only between a surrogate pair and U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_FIELDS = [
  'releaseDate',
  'ltsFrom',
  'eoasFrom',
  'eolFrom',
  'eoesFrom',
  'discontinuedFrom',
] as const satisfies readonly (keyof CycleRow)[];

interface Entry {
  row: CycleRow;
  product: ProductRow;
  fields: SupportFields;
  /** The sort key as the SQL returns it (f.k::text): a date, 'infinity', '-infinity' or a name. */
  key: string;
}

interface Indexed {
  /** Products in name order. */
  products: ProductRow[];
  /** Each product's name and aliases, for the name/alias filters. */
  keysOf: Map<number, Set<string>>;
  tagsOf: Map<number, Set<string>>;
  /** The products of each tag and of each category, in name order: a filter on one reads only those. */
  byTag: Map<string, ProductRow[]>;
  byCategory: Map<string, ProductRow[]>;
  /** Cycles in each order (built on first use). */
  orders: Map<string, Entry[]>;
}

const indexes = new WeakMap<CatalogData, Indexed | null>();

function indexOf(data: CatalogData): Indexed | null {
  let ix = indexes.get(data);
  if (ix !== undefined) return ix;
  ix = null;
  let orderable = true;
  for (const cycles of data.cyclesByProductId.values())
    for (const c of cycles)
      for (const f of DATE_FIELDS) if (c[f] !== null && !ISO_DATE.test(c[f])) orderable = false;
  if (orderable) {
    const products = [...data.productsById.values()].sort((a, b) => compareCodePoints(a.name, b.name));
    const keysOf = new Map<number, Set<string>>();
    const tagsOf = new Map<number, Set<string>>();
    const byTag = new Map<string, ProductRow[]>();
    const byCategory = new Map<string, ProductRow[]>();
    const add = (index: Map<string, ProductRow[]>, key: string, p: ProductRow) => {
      const list = index.get(key);
      if (list) list.push(p);
      else index.set(key, [p]);
    };
    for (const p of products) {
      const rel = data.relations.get(p.id);
      keysOf.set(p.id, new Set([p.name, ...(rel?.aliases ?? [])]));
      const tags = new Set(rel?.tags ?? []);
      tagsOf.set(p.id, tags);
      for (const tag of tags) add(byTag, tag, p);
      if (p.category !== null) add(byCategory, p.category, p);
    }
    ix = { products, keysOf, tagsOf, byTag, byCategory, orders: new Map() };
  }
  indexes.set(data, ix);
  return ix;
}

/** A key compared as the SQL compares it: dates with ±infinity around them, names by code point. */
function compareKeys(a: string, b: string, byName: boolean): number {
  if (byName) return compareCodePoints(a, b);
  if (a === b) return 0;
  if (a === 'infinity' || b === '-infinity') return 1;
  if (a === '-infinity' || b === 'infinity') return -1;
  return a < b ? -1 : 1;
}

function cyclesInOrder(data: CatalogData, ix: Indexed, order: CycleSearch['order']): Entry[] {
  const id = `${order.field}:${order.direction}`;
  let entries = ix.orders.get(id);
  if (entries) return entries;
  const missing = order.direction === 'ASC' ? 'infinity' : '-infinity';
  const keyOf = (c: CycleRow, p: ProductRow) =>
    order.field === 'EOL_FROM' ? (c.eolFrom ?? missing) : order.field === 'RELEASE_DATE' ? (c.releaseDate ?? missing) : p.name;
  entries = [];
  for (const p of ix.products)
    for (const c of data.cyclesByProductId.get(p.id) ?? [])
      entries.push({ row: c, product: p, fields: supportFieldsOf(c), key: keyOf(c, p) });
  const byName = order.field === 'PRODUCT_NAME';
  const sign = order.direction === 'ASC' ? 1 : -1;
  entries.sort((a, b) => sign * compareEntry(a, b.key, b.product.name, b.row.position, byName));
  ix.orders.set(id, entries);
  return entries;
}

/** (key, product name, position) of e against the given triple, ascending. */
function compareEntry(e: Entry, key: string, product: string, position: number, byName: boolean): number {
  return (
    compareKeys(e.key, key, byName) || compareCodePoints(e.product.name, product) || e.row.position - position
  );
}

function productMatches(
  p: ProductRow,
  ix: Indexed,
  q: { name?: string | null; names?: readonly string[] | null; category?: string | null; tag?: string | null },
): boolean {
  // An empty list of names matches no product, as `= ANY('{}')` in SQL.
  if (q.name != null && !ix.keysOf.get(p.id)!.has(q.name)) return false;
  if (q.names != null) {
    const keys = ix.keysOf.get(p.id)!;
    if (!q.names.some((n) => keys.has(n))) return false;
  }
  if (q.category != null && p.category !== q.category) return false;
  if (q.tag != null && !ix.tagsOf.get(p.id)!.has(q.tag)) return false;
  return true;
}

export function searchProductsInCatalog(
  data: CatalogData,
  q: ProductSearch,
): { rows: ProductRow[]; total: number | null } | null {
  if (q.search != null && q.search !== '') return null;
  const ix = indexOf(data);
  if (!ix) return null;
  const rows: ProductRow[] = [];
  let total = 0;
  const candidates =
    q.tag != null ? (ix.byTag.get(q.tag) ?? []) : q.category != null ? (ix.byCategory.get(q.category) ?? []) : ix.products;
  for (const p of candidates) {
    if (!productMatches(p, ix, q)) continue;
    if (q.hasMaintainedRelease != null) {
      const cycles = data.cyclesByProductId.get(p.id) ?? [];
      if (cycles.some((c) => isMaintained(supportFieldsOf(c), q.asOf)) !== q.hasMaintainedRelease) continue;
    }
    total += 1;
    if (rows.length < q.first && (q.after === null || compareCodePoints(p.name, q.after) > 0)) rows.push(p);
    else if (!q.withCount && rows.length >= q.first) break;
  }
  return { rows, total: q.withCount ? total : null };
}

/** The first index in [lo, hi) where pred holds, pred being false then true along the array. */
function firstWhere<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function searchCyclesInCatalog(data: CatalogData, q: CycleSearch): { rows: CycleHit[]; total: number | null } | null {
  const ix = indexOf(data);
  if (!ix) return null;
  const byName = q.order.field === 'PRODUCT_NAME';
  const asc = q.order.direction === 'ASC';
  const entries = cyclesInOrder(data, ix, q.order);
  // In EOL order, an EOL range is one run of the entries: find its ends instead of scanning.
  let start = 0;
  let end = entries.length;
  if (q.order.field === 'EOL_FROM') {
    const { eolFrom: from, eolTo: to } = q;
    const cmp = (e: Entry, d: string) => compareKeys(e.key, d, false);
    if (asc) {
      if (from != null) start = firstWhere(entries, (e) => cmp(e, from) >= 0);
      if (to != null) end = firstWhere(entries, (e) => cmp(e, to) > 0);
    } else {
      if (to != null) start = firstWhere(entries, (e) => cmp(e, to) <= 0);
      if (from != null) end = firstWhere(entries, (e) => cmp(e, from) < 0);
    }
  }
  const productFilter = q.product != null || q.products != null || q.category != null || q.tag != null;
  const productOk = new Map<number, boolean>();
  const phases = q.supportPhases ? new Set(q.supportPhases) : null;
  const eolDated = q.eolDated || q.eolFrom != null || q.eolTo != null;
  const releaseDated = q.releaseDated || q.releasedFrom != null || q.releasedTo != null;
  const sign = asc ? 1 : -1;
  const a = q.after;
  const rows: CycleHit[] = [];
  let total = 0;
  for (let i = start; i < end; i++) {
    const e = entries[i]!;
    const { row: c, product: p, fields: f } = e;
    if (productFilter) {
      let ok = productOk.get(p.id);
      if (ok === undefined) {
        ok = productMatches(p, ix, { name: q.product, names: q.products, category: q.category, tag: q.tag });
        productOk.set(p.id, ok);
      }
      if (!ok) continue;
    }
    if (q.isEol != null && isReached(f.eol, q.asOf) !== q.isEol) continue;
    if (q.isLts != null && isLts(f, q.asOf) !== q.isLts) continue;
    if (q.isReleased != null && (c.releaseDate === null || c.releaseDate <= q.asOf !== q.isReleased)) continue;
    if (q.isMaintained != null && isMaintained(f, q.asOf) !== q.isMaintained) continue;
    if (phases && !phases.has(supportPhase(f, q.asOf))) continue;
    if (eolDated && c.eolFrom === null) continue;
    if (q.eolFrom != null && c.eolFrom! < q.eolFrom) continue;
    if (q.eolTo != null && c.eolFrom! > q.eolTo) continue;
    if (releaseDated && c.releaseDate === null) continue;
    if (q.releasedFrom != null && c.releaseDate! < q.releasedFrom) continue;
    if (q.releasedTo != null && c.releaseDate! > q.releasedTo) continue;
    total += 1;
    if (rows.length >= q.first) {
      if (!q.withCount) break;
      continue;
    }
    if (a && sign * compareEntry(e, a.key, a.product, a.position, byName) <= 0) continue;
    rows.push({ row: c, sortKey: e.key, productName: p.name });
  }
  return { rows, total: q.withCount ? total : null };
}
