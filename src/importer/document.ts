// What the importer makes of one product document, after reading, YAML typing and normalising
// legacy names: plain data, ready to validate and to write.

/** A problem found in a document. Errors reject the document; warnings are stored with it. */
export interface Problem {
  file: string;
  /** 1-based line in the file, when it could be located. */
  line?: number;
  /** Where in the front matter, e.g. "releases[3].eol" or "title"; "" for the file as a whole. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** A date-or-boolean field (eol, eoas, eoes, discontinued, lts) as the document gives it. */
export type DateOrBool = { date: string } | { flag: boolean } | null;

/** A column of the support table: shown or not, and the label when the document gives one. */
export interface Column {
  shown: boolean;
  label: string | null;
}

export type ColumnName = 'releaseDate' | 'latest' | 'eoas' | 'eol' | 'eoes' | 'discontinued';

export const CATEGORIES = [
  'app',
  'database',
  'device',
  'framework',
  'lang',
  'os',
  'server-app',
  'service',
  'standard',
] as const;

export const CUSTOM_FIELD_DISPLAYS = [
  'none',
  'api-only',
  'after-release-column',
  'before-latest-column',
  'after-latest-column',
] as const;

export interface CustomFieldDoc {
  name: string;
  display: (typeof CUSTOM_FIELD_DISPLAYS)[number];
  label: string | null;
  description: string | null;
  link: string | null;
}

export interface ReleaseDoc {
  position: number;
  name: string;
  codename: string | null;
  releaseLabel: string | null;
  releaseDate: string | null;
  latest: string | null;
  latestReleaseDate: string | null;
  /** The document has a `link` key (a null link then means "explicitly no link"). */
  linkSet: boolean;
  link: string | null;
  lts: DateOrBool;
  eoas: DateOrBool;
  eol: DateOrBool;
  eoes: DateOrBool;
  discontinued: DateOrBool;
  outOfOrder: boolean;
  cycleShortHand: string | null;
  latestShortHand: string | null;
  staleReleaseThresholdDays: number | null;
  /** Every non-standard key of the release: declared custom fields and legacy extras. */
  custom: Record<string, unknown> | null;
}

export interface ProductDoc {
  /** Path as given to the importer, relative to the project when inside it. */
  sourcePath: string;
  contentHash: string;
  name: string;
  label: string;
  permalink: string;
  category: string | null;
  /** Effective tags: the document's plus the category, sorted, without duplicates. */
  tags: string[];
  aliases: string[];
  iconSlug: string | null;
  versionCommand: string | null;
  releasePolicyLink: string | null;
  changelogTemplate: string | null;
  releaseLabel: string | null;
  ltsLabel: string | null;
  columns: Record<ColumnName, Column>;
  sortReleasesBy: string | null;
  staleReleaseThresholdDays: number | null;
  addedAt: string | null;
  identifiers: { type: string; value: string }[];
  customFields: CustomFieldDoc[];
  body: string;
  /** The parsed front matter as JSON (numbers whose text differs from JS's keep their text). */
  frontMatter: Record<string, unknown>;
  releases: ReleaseDoc[];
  warnings: Problem[];
}
