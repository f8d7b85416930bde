// Reading release cycles. Filters on computed fields (isEol, isMaintained, supportPhase, …) are
// evaluated in the database with the eolgraph_* functions of the support_status migration, on the
// request's asOf, so a report over all cycles pages correctly and stays one statement.
import type { Sql } from '../db/database.ts';
import type { SupportPhase } from '../domain/status.ts';
import { CYCLE_COLUMNS, type CycleRow } from './rows.ts';
import { SqlParams } from './sql-builder.ts';

export async function cyclesByProductIds(sql: Sql, ids: readonly number[]): Promise<CycleRow[]> {
  return sql.query<CycleRow>(
    `SELECT ${CYCLE_COLUMNS} FROM release_cycle rc WHERE rc.product_id = ANY($1::int[]) ORDER BY rc.product_id, rc.position`,
    [ids],
  );
}

export type CycleOrderField = 'EOL_FROM' | 'RELEASE_DATE' | 'PRODUCT_NAME';
export type Direction = 'ASC' | 'DESC';

export interface CycleSearch {
  /** Only this product (id or alias). */
  product?: string | null;
  /** Only these products (ids or aliases); an empty list matches nothing. With `product`, both hold. */
  products?: readonly string[] | null;
  category?: string | null;
  tag?: string | null;
  isEol?: boolean | null;
  isMaintained?: boolean | null;
  isLts?: boolean | null;
  isReleased?: boolean | null;
  supportPhases?: readonly SupportPhase[] | null;
  eolFrom?: string | null;
  eolTo?: string | null;
  /** Only cycles with an EOL date: eolBetween was given, even with both ends open. */
  eolDated?: boolean;
  releasedFrom?: string | null;
  releasedTo?: string | null;
  /** Only cycles with a release date: releasedBetween was given, even with both ends open. */
  releaseDated?: boolean;
  asOf: string;
  order: { field: CycleOrderField; direction: Direction };
  /** Sort position of the last cycle of the previous page. */
  after: { key: string; product: string; position: number } | null;
  first: number;
  withCount: boolean;
}

/** A cycle of a page, with its position in the order (for the cursor). */
export interface CycleHit {
  row: CycleRow;
  sortKey: string;
  productName: string;
}

/** The SQL expressions of the computed fields, for a release_cycle aliased rc, on asOf. */
export function statusSql(asOf: string) {
  return {
    isEol: `eolgraph_is_reached(rc.eol_flag, rc.eol_from, ${asOf})`,
    isLts: `eolgraph_is_lts(rc.lts_flag, rc.lts_from, ${asOf})`,
    isMaintained: `eolgraph_is_maintained(rc.eoas_flag, rc.eoas_from, rc.eol_flag, rc.eol_from, rc.eoes_flag, rc.eoes_from, rc.discontinued_flag, rc.discontinued_from, ${asOf})`,
    supportPhase: `eolgraph_support_phase(rc.eoas_flag, rc.eoas_from, rc.eol_flag, rc.eol_from, rc.eoes_flag, rc.eoes_from, ${asOf})`,
    asOf,
  };
}

function sortKey(order: CycleSearch['order']): string {
  // Cycles without the date sort last in both directions: 'infinity' is largest, '-infinity'
  // smallest, and DESC puts the smallest last.
  const missing = order.direction === 'ASC' ? `'infinity'::date` : `'-infinity'::date`;
  if (order.field === 'EOL_FROM') return `coalesce(rc.eol_from, ${missing})`;
  if (order.field === 'RELEASE_DATE') return `coalesce(rc.release_date, ${missing})`;
  return `p.name COLLATE "C"`;
}

export async function searchCycles(sql: Sql, q: CycleSearch): Promise<{ rows: CycleHit[]; total: number | null }> {
  const p = new SqlParams();
  const where: string[] = [];
  const needsAsOf =
    q.isEol != null || q.isMaintained != null || q.isLts != null || q.isReleased != null || q.supportPhases != null;
  const status = statusSql(needsAsOf ? p.add(q.asOf, 'date') : 'NULL::date');
  if (q.product != null) {
    const n = p.add(q.product);
    where.push(`(p.name = ${n} OR p.id IN (SELECT product_id FROM product_alias WHERE alias = ${n}))`);
  }
  if (q.products != null) {
    const n = p.add(q.products, 'text[]');
    where.push(`(p.name = ANY(${n}) OR p.id IN (SELECT product_id FROM product_alias WHERE alias = ANY(${n})))`);
  }
  if (q.category != null) where.push(`p.category = ${p.add(q.category)}`);
  if (q.tag != null) where.push(`EXISTS (SELECT 1 FROM product_tag t WHERE t.product_id = p.id AND t.tag = ${p.add(q.tag)})`);
  if (q.isEol != null) where.push(`${status.isEol} = ${p.add(q.isEol, 'boolean')}`);
  if (q.isLts != null) where.push(`${status.isLts} = ${p.add(q.isLts, 'boolean')}`);
  if (q.isReleased != null) where.push(`rc.release_date ${q.isReleased ? '<=' : '>'} ${status.asOf}`);
  if (q.isMaintained != null) where.push(`${status.isMaintained} = ${p.add(q.isMaintained, 'boolean')}`);
  if (q.supportPhases != null) where.push(`${status.supportPhase} = ANY(${p.add(q.supportPhases, 'text[]')})`);
  if (q.eolDated) where.push(`rc.eol_from IS NOT NULL`);
  if (q.eolFrom != null) where.push(`rc.eol_from >= ${p.add(q.eolFrom, 'date')}`);
  if (q.eolTo != null) where.push(`rc.eol_from <= ${p.add(q.eolTo, 'date')}`);
  if (q.releaseDated) where.push(`rc.release_date IS NOT NULL`);
  if (q.releasedFrom != null) where.push(`rc.release_date >= ${p.add(q.releasedFrom, 'date')}`);
  if (q.releasedTo != null) where.push(`rc.release_date <= ${p.add(q.releasedTo, 'date')}`);

  const dir = q.order.direction === 'ASC' ? 'ASC' : 'DESC';
  const cmp = dir === 'ASC' ? '>' : '<';
  const keyCast = q.order.field === 'PRODUCT_NAME' ? 'text' : 'date';
  const after =
    q.after !== null
      ? `WHERE (f.k, f.pn, f.pos) ${cmp} (${p.add(q.after.key, keyCast)}, ${p.add(q.after.product)}, ${p.add(q.after.position, 'int')})`
      : '';
  const limit = p.add(q.first, 'int');
  const rows = await sql.query<CycleRow & { sortKey: string; productName: string; total: number | null }>(
    `WITH f AS (
       SELECT rc.id, ${sortKey(q.order)} AS k, p.name COLLATE "C" AS pn, rc.position AS pos
         FROM release_cycle rc JOIN product p ON p.id = rc.product_id
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     )
     SELECT c.total, page.* FROM (${q.withCount ? 'SELECT count(*)::int AS total FROM f' : 'SELECT NULL::int AS total'}) c
     LEFT JOIN LATERAL (
       SELECT f.k::text AS "sortKey", f.pn AS "productName", ${CYCLE_COLUMNS}
         FROM f JOIN release_cycle rc ON rc.id = f.id
         ${after}
        ORDER BY f.k ${dir}, f.pn ${dir}, f.pos ${dir}
        LIMIT ${limit}
     ) page ON true`,
    p.values,
  );
  const total = rows[0]?.total ?? null;
  return {
    rows: rows
      .filter((r) => r.id !== null)
      .map(({ total: _t, sortKey, productName, ...row }) => ({ row: row as CycleRow, sortKey, productName })),
    total,
  };
}
