// Step 6: writing one product in one transaction. The transaction marks itself as the importer
// (SET LOCAL eolgraph.writer), so the edit-tracking triggers of the first migration do not take
// it for an admin edit, and it re-reads the product row FOR UPDATE, so an admin edit that lands
// between planning and writing is still noticed and respected.
//
// Plain SQL through the Prisma driver adapter rather than Prisma Client's model API: a product is
// a handful of statements (child rows go in as one jsonb parameter each), where the model API
// spent ~27 ms per product in interactive-transaction and query-compiler overhead (13 s for the
// corpus instead of ~1 s; see bench/import.ts and the README).
import type { Database, Sql } from '../db/database.ts';
import type { DateOrBool, ProductDoc, Problem } from './document.ts';

export type WriteOutcome =
  | { kind: 'created' | 'updated'; warnings: Problem[] }
  | { kind: 'conflict'; reason: string }
  | { kind: 'deleted-in-database' };

export interface WriteOptions {
  overwriteEdits: boolean;
  importedAt: Date;
}

const flagOf = (v: DateOrBool): boolean | null => (v && 'flag' in v ? v.flag : null);
const fromOf = (v: DateOrBool): string | null => (v && 'date' in v ? v.date : null);

/** Marks the transaction as the importer's, so the triggers do not record an admin edit. */
export async function actAsImporter(tx: Sql): Promise<void> {
  await tx.query(`SELECT set_config('eolgraph.writer', 'importer', true)`);
}

const PRODUCT_COLUMNS = [
  'label',
  'permalink',
  'category',
  'icon_slug',
  'version_command',
  'release_policy_link',
  'changelog_template',
  'release_label',
  'lts_label',
  'eol_column',
  'eol_label',
  'eoas_column',
  'eoas_label',
  'eoes_column',
  'eoes_label',
  'discontinued_column',
  'discontinued_label',
  'latest_column',
  'latest_label',
  'release_date_column',
  'release_date_label',
  'sort_releases_by',
  'stale_release_threshold_days',
  'added_at',
  'body',
  'front_matter',
  'warnings',
  'source_path',
  'content_hash',
  'imported_at',
] as const;

const UPSERT_PRODUCT = `
INSERT INTO product (name, ${PRODUCT_COLUMNS.join(', ')}, edited_at)
VALUES ($1, ${PRODUCT_COLUMNS.map((c, i) => {
  const n = `$${i + 2}`;
  if (c === 'added_at') return `${n}::date`;
  if (c === 'front_matter' || c === 'warnings') return `${n}::jsonb`;
  if (c === 'imported_at') return `${n}::timestamptz`;
  if (c === 'stale_release_threshold_days') return `${n}::int`;
  if (c.endsWith('_column')) return `${n}::boolean`;
  return n;
}).join(', ')}, NULL)
ON CONFLICT (name) DO UPDATE SET ${PRODUCT_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, edited_at = NULL
RETURNING id`;

const DELETE_CHILDREN = `
WITH t AS (DELETE FROM product_tag WHERE product_id = $1),
     a AS (DELETE FROM product_alias WHERE product_id = $1),
     i AS (DELETE FROM identifier WHERE product_id = $1),
     f AS (DELETE FROM custom_field WHERE product_id = $1)
DELETE FROM release_cycle WHERE product_id = $1`;

// All child rows in one statement: each table's rows arrive as one jsonb array.
const INSERT_CHILDREN = `
WITH t AS (
  INSERT INTO product_tag (product_id, tag)
  SELECT $1, x.tag FROM jsonb_to_recordset($2::jsonb) AS x(tag text)
), a AS (
  INSERT INTO product_alias (alias, product_id, position)
  SELECT x.alias, $1, x.position FROM jsonb_to_recordset($3::jsonb) AS x(alias text, position int)
), i AS (
  INSERT INTO identifier (product_id, type, value, position)
  SELECT $1, x.type, x.value, x.position FROM jsonb_to_recordset($4::jsonb) AS x(type text, value text, position int)
), f AS (
  INSERT INTO custom_field (product_id, name, display, label, description, link, position)
  SELECT $1, x.name, x.display, x.label, x.description, x.link, x.position
    FROM jsonb_to_recordset($5::jsonb) AS x(name text, display text, label text, description text, link text, position int)
)
INSERT INTO release_cycle (product_id, position, name, codename, release_label, release_date, latest, latest_release_date,
  link_set, link, lts_flag, lts_from, eoas_flag, eoas_from, eol_flag, eol_from, eoes_flag, eoes_from,
  discontinued_flag, discontinued_from, out_of_order, cycle_short_hand, latest_short_hand, stale_release_threshold_days, custom)
SELECT $1, x.position, x.name, x.codename, x.release_label, x.release_date, x.latest, x.latest_release_date,
  x.link_set, x.link, x.lts_flag, x.lts_from, x.eoas_flag, x.eoas_from, x.eol_flag, x.eol_from, x.eoes_flag, x.eoes_from,
  x.discontinued_flag, x.discontinued_from, x.out_of_order, x.cycle_short_hand, x.latest_short_hand,
  x.stale_release_threshold_days, x.custom
FROM jsonb_to_recordset($6::jsonb) AS x(position int, name text, codename text, release_label text, release_date date,
  latest text, latest_release_date date, link_set boolean, link text, lts_flag boolean, lts_from date,
  eoas_flag boolean, eoas_from date, eol_flag boolean, eol_from date, eoes_flag boolean, eoes_from date,
  discontinued_flag boolean, discontinued_from date, out_of_order boolean, cycle_short_hand text,
  latest_short_hand text, stale_release_threshold_days int, custom jsonb)`;

function productValues(doc: ProductDoc, warnings: Problem[], importedAt: Date): unknown[] {
  const c = doc.columns;
  const byColumn: Record<(typeof PRODUCT_COLUMNS)[number], unknown> = {
    label: doc.label,
    permalink: doc.permalink,
    category: doc.category,
    icon_slug: doc.iconSlug,
    version_command: doc.versionCommand,
    release_policy_link: doc.releasePolicyLink,
    changelog_template: doc.changelogTemplate,
    release_label: doc.releaseLabel,
    lts_label: doc.ltsLabel,
    eol_column: c.eol.shown,
    eol_label: c.eol.label,
    eoas_column: c.eoas.shown,
    eoas_label: c.eoas.label,
    eoes_column: c.eoes.shown,
    eoes_label: c.eoes.label,
    discontinued_column: c.discontinued.shown,
    discontinued_label: c.discontinued.label,
    latest_column: c.latest.shown,
    latest_label: c.latest.label,
    release_date_column: c.releaseDate.shown,
    release_date_label: c.releaseDate.label,
    sort_releases_by: doc.sortReleasesBy,
    stale_release_threshold_days: doc.staleReleaseThresholdDays,
    added_at: doc.addedAt,
    body: doc.body,
    front_matter: JSON.stringify(doc.frontMatter),
    warnings: JSON.stringify(
      warnings.map(({ line, path, message }) => ({ path, message, ...(line !== undefined ? { line } : {}) })),
    ),
    source_path: doc.sourcePath,
    content_hash: doc.contentHash,
    imported_at: importedAt.toISOString(),
  };
  return [doc.name, ...PRODUCT_COLUMNS.map((col) => byColumn[col])];
}

function releaseRows(doc: ProductDoc): unknown[] {
  return doc.releases.map((r) => ({
    position: r.position,
    name: r.name,
    codename: r.codename,
    release_label: r.releaseLabel,
    release_date: r.releaseDate,
    latest: r.latest,
    latest_release_date: r.latestReleaseDate,
    link_set: r.linkSet,
    link: r.link,
    lts_flag: flagOf(r.lts),
    lts_from: fromOf(r.lts),
    eoas_flag: flagOf(r.eoas),
    eoas_from: fromOf(r.eoas),
    eol_flag: flagOf(r.eol),
    eol_from: fromOf(r.eol),
    eoes_flag: flagOf(r.eoes),
    eoes_from: fromOf(r.eoes),
    discontinued_flag: flagOf(r.discontinued),
    discontinued_from: fromOf(r.discontinued),
    out_of_order: r.outOfOrder,
    cycle_short_hand: r.cycleShortHand,
    latest_short_hand: r.latestShortHand,
    stale_release_threshold_days: r.staleReleaseThresholdDays,
    custom: r.custom,
  }));
}

export async function writeProduct(db: Database, doc: ProductDoc, opts: WriteOptions): Promise<WriteOutcome> {
  return db.transaction(async (tx) => {
    await actAsImporter(tx);
    const [existing] = await tx.query<{ id: number; edited_at: string | null; deleted: boolean }>(
      `SELECT p.id, p.edited_at::text AS edited_at, false AS deleted FROM product p WHERE p.name = $1 FOR UPDATE`,
      [doc.name],
    );
    if (!opts.overwriteEdits) {
      if (existing?.edited_at) {
        return {
          kind: 'conflict',
          reason: `edited in the database at ${existing.edited_at} while importing; the document was not applied (--overwrite-edits applies it)`,
        };
      }
      if (!existing) {
        const [tomb] = await tx.query(`SELECT 1 FROM deleted_product WHERE name = $1`, [doc.name]);
        if (tomb) return { kind: 'deleted-in-database' };
      }
    }

    const warnings = [...doc.warnings];
    // An alias must name one product only, and must not shadow another product's id.
    let aliases = doc.aliases;
    if (aliases.length > 0) {
      const taken = await tx.query<{ alias: string; owner: string }>(
        `SELECT a.alias, p.name AS owner FROM product_alias a JOIN product p ON p.id = a.product_id
          WHERE a.alias = ANY($1::text[]) AND p.name <> $2
         UNION ALL
         SELECT p.name, p.name FROM product p WHERE p.name = ANY($1::text[]) AND p.name <> $2`,
        [aliases, doc.name],
      );
      if (taken.length > 0) {
        const owners = new Map(taken.map((t) => [t.alias, t.owner]));
        aliases = aliases.filter((a) => !owners.has(a));
        for (const [alias, owner] of owners) {
          warnings.push({
            file: doc.sourcePath,
            path: 'alternate_urls',
            message: `alias "${alias}" already names product "${owner}"; not added`,
            severity: 'warning',
          });
        }
      }
    }

    const [product] = await tx.query<{ id: number }>(UPSERT_PRODUCT, productValues(doc, warnings, opts.importedAt));
    const productId = product!.id;
    if (existing) await tx.execute(DELETE_CHILDREN, [productId]);
    if (opts.overwriteEdits) await tx.execute(`DELETE FROM deleted_product WHERE name = $1`, [doc.name]);
    await tx.execute(INSERT_CHILDREN, [
      productId,
      JSON.stringify(doc.tags.map((tag) => ({ tag }))),
      JSON.stringify(aliases.map((alias, position) => ({ alias, position }))),
      JSON.stringify(doc.identifiers.map((id, position) => ({ ...id, position }))),
      JSON.stringify(doc.customFields.map((f, position) => ({ ...f, position }))),
      JSON.stringify(releaseRows(doc)),
    ]);
    return { kind: existing ? 'updated' : 'created', warnings };
  });
}

/** Removes products whose documents are gone (the importer's own deletes are not tombstoned). */
export async function pruneProducts(db: Database, names: string[]): Promise<number> {
  if (names.length === 0) return 0;
  return db.transaction(async (tx) => {
    await actAsImporter(tx);
    return tx.execute(`DELETE FROM product WHERE name = ANY($1::text[])`, [names]);
  });
}
