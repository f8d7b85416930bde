// Reading products. Every function is one SQL statement, whatever the number of keys.
import type { Sql } from '../db/database.ts';
import { identifierMatches, purlKey, specificity } from '../domain/identifiers.ts';
import { PRODUCT_COLUMNS, type ProductRelations, type ProductRow } from './rows.ts';
import { SqlParams } from './sql-builder.ts';

export async function productsByIds(sql: Sql, ids: readonly number[]): Promise<ProductRow[]> {
  return sql.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM product p WHERE p.id = ANY($1::int[])`, [ids]);
}

/**
 * Products by id or alias. A key that is a product id wins over an alias with the same text
 * (the importer prevents that, an admin could still create it).
 */
export async function productsByNames(sql: Sql, keys: readonly string[]): Promise<Map<string, ProductRow>> {
  const rows = await sql.query<ProductRow & { key: string; exact: boolean }>(
    `SELECT k.key, (p.name = k.key) AS exact, ${PRODUCT_COLUMNS}
       FROM unnest($1::text[]) AS k(key)
       JOIN product p ON p.name = k.key
                      OR p.id IN (SELECT a.product_id FROM product_alias a WHERE a.alias = k.key)`,
    [keys],
  );
  const out = new Map<string, ProductRow>();
  for (const r of rows) {
    const { key, exact, ...row } = r;
    if (!out.has(key) || exact) out.set(key, row);
  }
  return out;
}

export async function productRelations(sql: Sql, ids: readonly number[]): Promise<Map<number, ProductRelations>> {
  const rows = await sql.query<{ id: number; tags: string[]; aliases: string[]; identifiers: string; customFields: string }>(
    `SELECT k.id,
        coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM product_tag t WHERE t.product_id = k.id), '{}') AS tags,
        coalesce((SELECT array_agg(a.alias ORDER BY a.position) FROM product_alias a WHERE a.product_id = k.id), '{}') AS aliases,
        coalesce((SELECT json_agg(json_build_object('type', i.type, 'id', i.value) ORDER BY i.position)
                    FROM identifier i WHERE i.product_id = k.id), '[]')::text AS identifiers,
        coalesce((SELECT json_agg(json_build_object('name', f.name, 'display', f.display, 'label', f.label,
                                                    'description', f.description, 'link', f.link) ORDER BY f.position)
                    FROM custom_field f WHERE f.product_id = k.id), '[]')::text AS "customFields"
       FROM unnest($1::int[]) AS k(id)`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { tags: r.tags, aliases: r.aliases, identifiers: JSON.parse(r.identifiers), customFields: JSON.parse(r.customFields) },
    ]),
  );
}

export async function productBodies(sql: Sql, ids: readonly number[]): Promise<Map<number, string>> {
  const rows = await sql.query<{ id: number; body: string }>(`SELECT id, body FROM product WHERE id = ANY($1::int[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.body]));
}

export interface ProductSearch {
  names?: readonly string[] | null;
  category?: string | null;
  tag?: string | null;
  search?: string | null;
  hasMaintainedRelease?: boolean | null;
  asOf: string;
  /** Name of the last product of the previous page. */
  after: string | null;
  first: number;
  withCount: boolean;
}

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One page of products, by name, and (optionally) how many match in all. */
export async function searchProducts(sql: Sql, q: ProductSearch): Promise<{ rows: ProductRow[]; total: number | null }> {
  const p = new SqlParams();
  const where: string[] = [];
  if (q.names) {
    const n = p.add(q.names, 'text[]');
    where.push(`(p.name = ANY(${n}) OR p.id IN (SELECT product_id FROM product_alias WHERE alias = ANY(${n})))`);
  }
  if (q.category != null) where.push(`p.category = ${p.add(q.category)}`);
  if (q.tag != null) where.push(`EXISTS (SELECT 1 FROM product_tag t WHERE t.product_id = p.id AND t.tag = ${p.add(q.tag)})`);
  if (q.search != null && q.search !== '') {
    const s = p.add(likePattern(q.search));
    where.push(
      `(p.name ILIKE ${s} OR p.label ILIKE ${s} OR EXISTS (SELECT 1 FROM product_alias a WHERE a.product_id = p.id AND a.alias ILIKE ${s}))`,
    );
  }
  if (q.hasMaintainedRelease != null) {
    const asOf = p.add(q.asOf, 'date');
    where.push(
      `${q.hasMaintainedRelease ? '' : 'NOT '}EXISTS (SELECT 1 FROM release_cycle rc WHERE rc.product_id = p.id AND eolgraph_is_maintained(
         rc.eoas_flag, rc.eoas_from, rc.eol_flag, rc.eol_from, rc.eoes_flag, rc.eoes_from, rc.discontinued_flag, rc.discontinued_from, ${asOf}))`,
    );
  }
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const after = q.after !== null ? `AND f.name COLLATE "C" > ${p.add(q.after)}` : '';
  const limit = p.add(q.first, 'int');
  const rows = await sql.query<ProductRow & { total: number | null }>(
    `WITH f AS (SELECT p.id, p.name FROM product p ${filter})
     SELECT c.total, page.* FROM (${q.withCount ? 'SELECT count(*)::int AS total FROM f' : 'SELECT NULL::int AS total'}) c
     LEFT JOIN LATERAL (
       SELECT ${PRODUCT_COLUMNS} FROM f JOIN product p ON p.id = f.id
        WHERE true ${after} ORDER BY f.name COLLATE "C" LIMIT ${limit}
     ) page ON true`,
    p.values,
  );
  const total = rows[0]?.total ?? null;
  return { rows: rows.filter((r) => r.id !== null).map(({ total: _t, ...row }) => row as ProductRow), total };
}

export async function categoryCounts(sql: Sql): Promise<{ name: string; productCount: number }[]> {
  return sql.query(
    `SELECT category AS name, count(*)::int AS "productCount" FROM product WHERE category IS NOT NULL GROUP BY category ORDER BY category`,
  );
}

export async function tagCounts(sql: Sql): Promise<{ name: string; productCount: number }[]> {
  return sql.query(`SELECT tag AS name, count(*)::int AS "productCount" FROM product_tag GROUP BY tag ORDER BY tag`);
}

/**
 * The product a purl or CPE (or another identifier) belongs to: candidates are narrowed in SQL
 * (same type and prefix), matched exactly in TypeScript (src/domain/identifiers.ts); the most
 * specific stored identifier wins, then the product id.
 */
export async function productIdByIdentifier(sql: Sql, given: string): Promise<number | null> {
  const g = given.trim();
  let rows: { productId: number; name: string; type: string; value: string }[];
  if (/^pkg:/i.test(g)) {
    const key = purlKey(g);
    if (!key) return null;
    rows = await sql.query(
      `SELECT i.product_id AS "productId", p.name, i.type, i.value FROM identifier i JOIN product p ON p.id = i.product_id
        WHERE i.type = 'purl' AND lower(i.value) LIKE $1`,
      [`pkg:${key.type}/%`],
    );
  } else if (/^cpe:/i.test(g)) {
    // starts_with, not LIKE: stored CPEs contain backslash escapes ("erlang\/otp", "joomla\!"),
    // which LIKE would read as its own escape character and then never match.
    rows = await sql.query(
      `SELECT i.product_id AS "productId", p.name, i.type, i.value FROM identifier i JOIN product p ON p.id = i.product_id
        WHERE i.type = 'cpe' AND starts_with(lower($1), lower(split_part(i.value, ':*', 1)))`,
      [g],
    );
  } else {
    rows = await sql.query(
      `SELECT i.product_id AS "productId", p.name, i.type, i.value FROM identifier i JOIN product p ON p.id = i.product_id
        WHERE i.value = $1`,
      [g],
    );
  }
  const matches = rows
    .filter((r) => identifierMatches(r.type, r.value, g))
    .sort((a, b) => specificity(b.value) - specificity(a.value) || a.name.localeCompare(b.name));
  return matches[0]?.productId ?? null;
}
