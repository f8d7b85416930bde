// Row shapes read from the database and the SELECT lists that produce them (camelCase aliases, so
// rows map onto these interfaces directly). Dates arrive as "YYYY-MM-DD" strings from the driver
// adapters; json/jsonb as text.
import type { DateOrBoolValue, SupportFields } from '../domain/status.ts';

export interface ProductRow {
  id: number;
  name: string;
  label: string;
  category: string | null;
  iconSlug: string | null;
  versionCommand: string | null;
  releasePolicyLink: string | null;
  changelogTemplate: string | null;
  releaseLabel: string | null;
  ltsLabel: string | null;
  eolColumn: boolean;
  eolLabel: string | null;
  eoasColumn: boolean;
  eoasLabel: string | null;
  eoesColumn: boolean;
  eoesLabel: string | null;
  discontinuedColumn: boolean;
  discontinuedLabel: string | null;
  latestColumn: boolean;
  latestLabel: string | null;
  releaseDateColumn: boolean;
  releaseDateLabel: string | null;
  addedAt: string | null;
  updatedAt: string;
  /** jsonb text: [{path, message, line?}] */
  warnings: string;
}

/** Product columns (not the body or the raw front matter, which are large and rarely asked for). */
export const PRODUCT_COLUMNS = `p.id, p.name, p.label, p.category, p.icon_slug AS "iconSlug",
  p.version_command AS "versionCommand", p.release_policy_link AS "releasePolicyLink",
  p.changelog_template AS "changelogTemplate", p.release_label AS "releaseLabel", p.lts_label AS "ltsLabel",
  p.eol_column AS "eolColumn", p.eol_label AS "eolLabel", p.eoas_column AS "eoasColumn", p.eoas_label AS "eoasLabel",
  p.eoes_column AS "eoesColumn", p.eoes_label AS "eoesLabel", p.discontinued_column AS "discontinuedColumn",
  p.discontinued_label AS "discontinuedLabel", p.latest_column AS "latestColumn", p.latest_label AS "latestLabel",
  p.release_date_column AS "releaseDateColumn", p.release_date_label AS "releaseDateLabel",
  p.added_at AS "addedAt", to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt",
  p.warnings::text AS warnings`;

export interface CycleRow {
  id: number;
  productId: number;
  position: number;
  name: string;
  codename: string | null;
  releaseLabel: string | null;
  releaseDate: string | null;
  latest: string | null;
  latestReleaseDate: string | null;
  linkSet: boolean;
  link: string | null;
  ltsFlag: boolean | null;
  ltsFrom: string | null;
  eoasFlag: boolean | null;
  eoasFrom: string | null;
  eolFlag: boolean | null;
  eolFrom: string | null;
  eoesFlag: boolean | null;
  eoesFrom: string | null;
  discontinuedFlag: boolean | null;
  discontinuedFrom: string | null;
  outOfOrder: boolean;
  cycleShortHand: string | null;
  latestShortHand: string | null;
  /** jsonb text or null */
  custom: string | null;
}

export const CYCLE_COLUMNS = `rc.id, rc.product_id AS "productId", rc.position, rc.name, rc.codename,
  rc.release_label AS "releaseLabel", rc.release_date AS "releaseDate", rc.latest,
  rc.latest_release_date AS "latestReleaseDate", rc.link_set AS "linkSet", rc.link,
  rc.lts_flag AS "ltsFlag", rc.lts_from AS "ltsFrom", rc.eoas_flag AS "eoasFlag", rc.eoas_from AS "eoasFrom",
  rc.eol_flag AS "eolFlag", rc.eol_from AS "eolFrom", rc.eoes_flag AS "eoesFlag", rc.eoes_from AS "eoesFrom",
  rc.discontinued_flag AS "discontinuedFlag", rc.discontinued_from AS "discontinuedFrom",
  rc.out_of_order AS "outOfOrder", rc.cycle_short_hand AS "cycleShortHand",
  rc.latest_short_hand AS "latestShortHand", rc.custom::text AS custom`;

export interface IdentifierRow {
  type: string;
  id: string;
}

export interface CustomFieldRow {
  name: string;
  display: string;
  label: string | null;
  description: string | null;
  link: string | null;
}

/** A product's rows in other tables, fetched together in one statement. */
export interface ProductRelations {
  tags: string[];
  aliases: string[];
  identifiers: IdentifierRow[];
  customFields: CustomFieldRow[];
}

const field = (flag: boolean | null, from: string | null): DateOrBoolValue => ({ flag, from });

// Rows are immutable once read, and the in-memory catalogue hands out the same row objects until
// the data changes; what is derived from a row alone is therefore kept beside it (weakly: it goes
// with the row).
const fieldsOfRow = new WeakMap<CycleRow, SupportFields>();

/** The date-or-boolean fields of a cycle row, as the support-status rules take them. */
export function supportFieldsOf(row: CycleRow): SupportFields {
  let f = fieldsOfRow.get(row);
  if (!f) {
    f = {
      lts: field(row.ltsFlag, row.ltsFrom),
      eoas: field(row.eoasFlag, row.eoasFrom),
      eol: field(row.eolFlag, row.eolFrom),
      eoes: field(row.eoesFlag, row.eoesFrom),
      discontinued: field(row.discontinuedFlag, row.discontinuedFrom),
    };
    fieldsOfRow.set(row, f);
  }
  return f;
}
