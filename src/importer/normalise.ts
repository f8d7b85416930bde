// Step 3 and 4 of the pipeline: typed front matter → ProductDoc. Maps the legacy field names of
// every era (docs/eol-format.md §2.3, §3.3, including the two inverted booleans), coerces values
// to what each field holds, and records every problem. Errors make the document unusable (it is
// rejected, nothing of it is written); warnings are kept with the product.
import {
  CATEGORIES,
  CUSTOM_FIELD_DISPLAYS,
  type Column,
  type ColumnName,
  type CustomFieldDoc,
  type DateOrBool,
  type Problem,
  type ProductDoc,
  type ReleaseDoc,
} from './document.ts';
import { httpLinkProblem, httpTemplateProblem, isPermalinkName, isStorableDate, trimmedTextProblem } from './shapes.ts';
import { CalendarDate, calendarIso, numberAsJekyllString, YamlNumber, YamlTimestamp } from './yaml.ts';

/** Release keys the format defines (current and legacy); every other key is a custom field. */
const RELEASE_KEYS = new Set([
  'releaseCycle',
  'releaseLabel',
  'codename',
  'releaseDate',
  'release',
  'eoas',
  'support',
  'eol',
  'eoes',
  'extendedSupport',
  'discontinued',
  'lts',
  'latest',
  'latestReleaseDate',
  'link',
  'outOfOrder',
  'staleReleaseThresholdDays',
  'cycleShortHand',
  'latestShortHand',
]);

/** Product keys we read, or know and deliberately ignore (display-only or bot-only leftovers). */
const PRODUCT_KEYS = new Set([
  'title',
  'permalink',
  'category',
  'tags',
  'addedAt',
  'iconSlug',
  'icon_slug',
  'alternate_urls',
  'versionCommand',
  'command',
  'releasePolicyLink',
  'link',
  'changelogTemplate',
  'releaseLabel',
  'LTSLabel',
  'eolColumn',
  'eoasColumn',
  'activeSupportColumn',
  'eoesColumn',
  'extendedSupportColumn',
  'discontinuedColumn',
  'latestColumn',
  'releaseColumn',
  'releaseDateColumn',
  'identifiers',
  'purls',
  'customFields',
  'customColumns',
  'releases',
  'auto',
  'staleReleaseThresholdDays',
  'staleReleaseThresholdYears',
  'description',
  'sortReleasesBy',
  'layout',
  'releaseImage',
  'eolWarnThreshold',
  'eoasWarnThreshold',
  'activeSupportWarnThreshold',
  'eoesWarnThreshold',
  'extendedSupportWarnThreshold',
  'discontinuedWarnThreshold',
  // leftovers the site never read
  'icon',
  'image',
  'url',
]);

const LOOSE_DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

export class Collector {
  readonly problems: Problem[] = [];
  constructor(
    readonly file: string,
    private readonly lineOf: (path: string) => number | undefined,
  ) {}
  add(severity: Problem['severity'], path: string, message: string): void {
    const line = this.lineOf(path);
    this.problems.push({ file: this.file, ...(line !== undefined ? { line } : {}), path, message, severity });
  }
  error(path: string, message: string): void {
    this.add('error', path, message);
  }
  warn(path: string, message: string): void {
    this.add('warning', path, message);
  }
  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
}

/** Short, safe rendering of a value for messages. */
export function show(value: unknown): string {
  if (value instanceof CalendarDate) return value.iso;
  if (value instanceof YamlNumber || value instanceof YamlTimestamp) return value.source;
  if (typeof value === 'string') {
    // JSON escapes C0 controls; DEL and C1 (U+009B is a terminal's CSI) are escaped too.
    const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    return shown.replace(/[\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** A text field: strings as they are; numbers as Jekyll displayed them; dates as YYYY-MM-DD. */
function text(c: Collector, path: string, value: unknown, opts: { quoteHint?: boolean } = {}): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (value instanceof YamlNumber) {
    const s = numberAsJekyllString(value);
    if (opts.quoteHint) c.warn(path, `should be a quoted string; the number ${value.source} is read as "${s}"`);
    return s;
  }
  if (value instanceof CalendarDate) {
    if (opts.quoteHint) c.warn(path, `should be a quoted string; the date ${value.iso} is read as "${value.iso}"`);
    return value.iso;
  }
  if (value instanceof YamlTimestamp) return value.source;
  if (typeof value === 'boolean') {
    c.warn(path, `expected text, got the boolean ${value}; read as "${value}"`);
    return String(value);
  }
  c.warn(path, `expected text, got ${show(value)}; ignored`);
  return null;
}

/** A calendar date: YAML dates, loose "2022-12-1" strings; legacy placeholders are absent. */
function date(c: Collector, path: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof CalendarDate) return value.iso;
  if (value instanceof YamlTimestamp) {
    // Its UTC date can leave the four-digit years (9999-12-31T23:00:00-05:00).
    if (!isStorableDate(value.iso)) {
      c.error(path, `${value.source} falls outside 0001-01-01 .. 9999-12-31 in UTC`);
      return null;
    }
    c.warn(path, `${value.source} has a time of day; only its date ${value.iso} is used`);
    return value.iso;
  }
  if (typeof value === 'string') {
    const m = LOOSE_DATE_RE.exec(value.trim());
    if (m) {
      const iso = calendarIso(Number(m[1]), Number(m[2]), Number(m[3]));
      if (iso) return iso;
      c.error(path, `${show(value)} is not a calendar date`);
      return null;
    }
    if (/^(?:NA|N\/A|TBD|)$/i.test(value.trim())) {
      c.warn(path, `${show(value)} is a placeholder, not a date; treated as absent`);
      return null;
    }
  }
  c.error(path, `expected a date (YYYY-MM-DD), got ${show(value)}`);
  return null;
}

/** A date-or-boolean field. `null` (explicit) is treated as absent, see the README. */
function dateOrBool(c: Collector, path: string, value: unknown): DateOrBool {
  if (value === undefined) return null;
  if (value === null) {
    // The site would keep the key with is_X = null, which makes the cycle "maintained forever"
    // (docs/eol-format.md §4.3, a quirk no document relies on); CONTRIBUTING says null means "none".
    c.warn(path, 'null is treated as absent (no such phase)');
    return null;
  }
  if (typeof value === 'boolean') return { flag: value };
  const d = date(c, path, value);
  return d === null ? null : { date: d };
}

function bool(c: Collector, path: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  c.warn(path, `expected true or false, got ${show(value)}; using ${fallback}`);
  return fallback;
}

function int(c: Collector, path: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (value instanceof YamlNumber && Number.isInteger(value.value) && value.value >= 0 && value.value <= 2 ** 31 - 1) {
    return value.value;
  }
  c.warn(path, `expected a whole number of days, got ${show(value)}; ignored`);
  return null;
}

/** The JSON kept as "raw front matter": numbers whose text JS would change keep their text. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof YamlNumber) {
    return Number.isFinite(value.value) && String(value.value) === value.source ? value.value : value.source;
  }
  if (value instanceof CalendarDate) return value.iso;
  if (value instanceof YamlTimestamp) return value.source;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

function column(c: Collector, path: string, value: unknown, fallback: boolean): Column {
  if (value === undefined || value === null) return { shown: fallback, label: null };
  if (typeof value === 'boolean') return { shown: value, label: null };
  if (typeof value === 'string') return { shown: true, label: value };
  if (value instanceof YamlNumber) return { shown: true, label: numberAsJekyllString(value) };
  c.warn(path, `expected true, false or a label, got ${show(value)}; using the default`);
  return { shown: fallback, label: null };
}

/**
 * A link the database can store (http or https, no control character), or null with a warning
 * saying why the document's value is not stored. Blank counts as absent.
 */
function link(c: Collector, path: string, value: string | null, instead: string): string | null {
  if (value === null || value.trim() === '') return null;
  const problem = httpLinkProblem(value);
  if (problem === null) return value;
  c.warn(path, `${show(value)} ${problem}; not stored${instead}`);
  return null;
}

/** Picks the current name, else its legacy name; warns when both are present. */
function pick(c: Collector, obj: Record<string, unknown>, current: string, legacy: string): [string, unknown] {
  if (current in obj) {
    if (legacy in obj)
      c.warn(legacy, `both ${current} and its legacy name ${legacy} are present; ${legacy} is ignored`);
    return [current, obj[current]];
  }
  return [legacy, obj[legacy]];
}

function isMapping(v: unknown): v is Record<string, unknown> {
  // By prototype, not by .constructor: a mapping may have a key named "constructor".
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

export interface NormaliseInput {
  file: string;
  contentHash: string;
  data: Record<string, unknown>;
  body: string;
  lineOf: (path: string) => number | undefined;
}

export interface NormaliseResult {
  doc: ProductDoc | null;
  /** The product id, when it could be determined (even for a rejected document). */
  name: string | null;
  problems: Problem[];
}

export function normaliseDocument(input: NormaliseInput): NormaliseResult {
  const c = new Collector(input.file, input.lineOf);
  const d = input.data;

  for (const key of Object.keys(d)) {
    if (!PRODUCT_KEYS.has(key)) {
      const hint =
        key === 'alternative_urls' ? ' (did you mean alternate_urls? the site ignores this spelling too)' : '';
      c.warn(key, `unknown product field "${key}"${hint}; kept only in the raw front matter`);
    }
  }

  // Identity: the API id comes from permalink, not from the file name.
  const label = text(c, 'title', d.title);
  if (label === null || label.trim() === '') c.error('title', 'is required: every product needs a title');
  // The id decides which stored product a document replaces: a permalink that YAML typed as
  // something else (permalink: 0, permalink: true) is an error, not a product named "0".
  if (d.permalink !== undefined && d.permalink !== null && typeof d.permalink !== 'string') {
    c.error('permalink', `must be a path such as "/nodejs", got ${show(d.permalink)}`);
  }
  let permalink = typeof d.permalink === 'string' ? d.permalink : null;
  const stem = input.file.replace(/^.*\//, '').replace(/\.[^.]*$/, '');
  if (permalink === null || permalink.trim() === '') {
    c.warn('permalink', `is missing; the product id falls back to the file name "${stem}"`);
    permalink = `/${stem}`;
  }
  const name = permalink.startsWith('/') ? permalink.slice(1) : permalink;
  // The database holds ids in this shape (product_name_permalink_shape).
  if (!isPermalinkName(name)) {
    c.error(
      'permalink',
      `${show(permalink)} cannot be a product id (it must be "/" followed by lowercase letters, digits, ".", "_" or "-")`,
    );
  }

  let category = text(c, 'category', d.category);
  if (category === 'db') category = 'database'; // renamed 2024-01-04
  if (category === null) {
    c.warn('category', 'is missing; the product has no category');
  } else if (!(CATEGORIES as readonly string[]).includes(category)) {
    c.warn('category', `${show(category)} is not one of ${CATEGORIES.join(', ')}; the product has no category`);
    category = null;
  }

  const tags = new Set<string>();
  const addTag = (path: string, tag: string) => {
    const problem = trimmedTextProblem(tag);
    if (problem === null) tags.add(tag);
    else c.warn(path, `tag ${show(tag)} ${problem}; ignored`);
  };
  const rawTags = d.tags;
  if (typeof rawTags === 'string') {
    for (const t of rawTags.split(/\s+/)) if (t) addTag('tags', t);
  } else if (Array.isArray(rawTags)) {
    rawTags.forEach((t, i) => {
      const s = text(c, `tags[${i}]`, t);
      if (s && s.trim()) for (const part of s.split(/\s+/)) if (part) addTag(`tags[${i}]`, part);
    });
  } else if (rawTags !== undefined && rawTags !== null) {
    c.warn('tags', `expected a space-separated string or a list, got ${show(rawTags)}; ignored`);
  }
  if (category) tags.add(category);

  const aliases: string[] = [];
  const aliasSet = new Set<string>(); // (aliases.includes() made 80,000 aliases quadratic)
  if (d.alternate_urls !== undefined && d.alternate_urls !== null) {
    if (!Array.isArray(d.alternate_urls)) {
      c.warn('alternate_urls', `expected a list, got ${show(d.alternate_urls)}; ignored`);
    } else {
      d.alternate_urls.forEach((u, i) => {
        const s = text(c, `alternate_urls[${i}]`, u);
        if (s === null) return;
        // Only a leading "/" is dropped: legacy entries without it ("gke") stay whole.
        const alias = (s.startsWith('/') ? s.slice(1) : s).trim();
        if (!isPermalinkName(alias)) {
          c.warn(
            `alternate_urls[${i}]`,
            `${show(s)} cannot be an alias (lowercase letters, digits, ".", "_" and "-" only); ignored`,
          );
        } else if (alias === name || aliasSet.has(alias)) {
          c.warn(`alternate_urls[${i}]`, `${show(s)} repeats the product id or another alias; ignored`);
        } else {
          aliases.push(alias);
          aliasSet.add(alias);
        }
      });
    }
  }

  let iconSlug = text(c, 'iconSlug', 'iconSlug' in d ? d.iconSlug : d.icon_slug);
  if (iconSlug === 'NA' || iconSlug === '') iconSlug = null; // 2021-2023 spelling of "no icon"
  const [vcKey, vc] = pick(c, d, 'versionCommand', 'command');
  const versionCommand = text(c, vcKey, vc);
  const [rplKey, rpl] = pick(c, d, 'releasePolicyLink', 'link');
  const releasePolicyLink = link(c, rplKey, text(c, rplKey, rpl), '');
  const rawTemplate = text(c, 'changelogTemplate', d.changelogTemplate);
  let changelogTemplate = rawTemplate === null || rawTemplate.trim() === '' ? null : rawTemplate;
  const templateProblem = changelogTemplate === null ? null : httpTemplateProblem(changelogTemplate);
  if (templateProblem !== null) {
    c.warn(
      'changelogTemplate',
      `${show(changelogTemplate)} ${templateProblem}; not stored (cycles get no link from it)`,
    );
    changelogTemplate = null;
  }

  const [eoasKey, eoasCol] = pick(c, d, 'eoasColumn', 'activeSupportColumn');
  const [eoesKey, eoesCol] = pick(c, d, 'eoesColumn', 'extendedSupportColumn');
  // While releaseColumn existed the layout ignored latestColumn: releaseColumn wins (§2.3).
  const latestKey = 'releaseColumn' in d ? 'releaseColumn' : 'latestColumn';
  const columns: Record<ColumnName, Column> = {
    releaseDate: column(c, 'releaseDateColumn', d.releaseDateColumn, true),
    latest: column(c, latestKey, d[latestKey], true),
    eoas: column(c, eoasKey, eoasCol, false),
    eol: column(c, 'eolColumn', d.eolColumn, true),
    eoes: column(c, eoesKey, eoesCol, false),
    discontinued: column(c, 'discontinuedColumn', d.discontinuedColumn, false),
  };

  const identifiers: { type: string; value: string }[] = [];
  const identifierSet = new Set<string>(); // [type, value] as JSON (a linear search made 40,000 quadratic)
  const [idKey, rawIds] = pick(c, d, 'identifiers', 'purls');
  if (rawIds !== undefined && rawIds !== null) {
    if (!Array.isArray(rawIds)) {
      c.warn(idKey, `expected a list of {type: id} entries, got ${show(rawIds)}; ignored`);
    } else {
      rawIds.forEach((entry, i) => {
        const p = `${idKey}[${i}]`;
        if (!isMapping(entry) || Object.keys(entry).length !== 1) {
          c.warn(p, 'each identifier must be a single "type: id" entry (e.g. "- purl: pkg:npm/x"); ignored');
          return;
        }
        const [type, raw] = Object.entries(entry)[0]!;
        const value = text(c, p, raw)?.trim();
        if (!value) {
          c.warn(p, `identifier "${type}" has no value; ignored`);
          return;
        }
        const typeProblem = trimmedTextProblem(type);
        const valueProblem = trimmedTextProblem(value);
        if (typeProblem !== null || valueProblem !== null) {
          c.warn(
            p,
            `identifier ${show(type)} ${show(value)}: the ${typeProblem ? `type ${typeProblem}` : `value ${valueProblem}`}; ignored`,
          );
          return;
        }
        const key = JSON.stringify([type, value]);
        if (identifierSet.has(key)) {
          c.warn(p, `duplicate identifier ${type} ${value}; ignored`);
          return;
        }
        if (!['purl', 'cpe', 'repology'].includes(type)) c.warn(p, `unknown identifier type "${type}"`);
        else if (type === 'purl' && !/^pkg:[a-zA-Z][a-zA-Z0-9.+-]*\/\S+$/.test(value))
          c.warn(p, `${show(value)} is not a valid purl (pkg:type/namespace/name)`);
        else if (type === 'cpe' && !/^cpe:(?:2\.3:[aho*-]:|\/[aho]:)/.test(value))
          c.warn(p, `${show(value)} is not a valid CPE (cpe:2.3:… or cpe:/…)`);
        identifiers.push({ type, value });
        identifierSet.add(key);
      });
    }
  }

  const customFields: CustomFieldDoc[] = [];
  const customFieldNames = new Set<string>(); // (customFields.some() made 30,000 quadratic)
  const [cfKey, rawCf] = pick(c, d, 'customFields', 'customColumns');
  if (rawCf !== undefined && rawCf !== null) {
    if (!Array.isArray(rawCf)) {
      c.warn(cfKey, `expected a list of field declarations, got ${show(rawCf)}; ignored`);
    } else {
      rawCf.forEach((entry, i) => {
        const p = `${cfKey}[${i}]`;
        if (!isMapping(entry)) {
          c.warn(p, 'expected a mapping {name, display, label}; ignored');
          return;
        }
        // customColumns (2023-11 → 2025-05) named them property/position.
        const fieldName = text(c, `${p}.name`, 'name' in entry ? entry.name : entry.property);
        const display = text(c, `${p}.display`, 'display' in entry ? entry.display : entry.position);
        if (!fieldName || !fieldName.trim()) {
          c.warn(p, 'a custom field needs a name; ignored');
          return;
        }
        const nameProblem = trimmedTextProblem(fieldName);
        if (nameProblem !== null) {
          c.warn(`${p}.name`, `custom field name ${show(fieldName)} ${nameProblem}; ignored`);
          return;
        }
        if (!display || !(CUSTOM_FIELD_DISPLAYS as readonly string[]).includes(display)) {
          c.warn(
            `${p}.display`,
            `${show(display)} is not one of ${CUSTOM_FIELD_DISPLAYS.join(', ')}; field "${fieldName}" ignored`,
          );
          return;
        }
        if (customFieldNames.has(fieldName)) {
          c.warn(p, `custom field "${fieldName}" is declared twice; the second is ignored`);
          return;
        }
        customFieldNames.add(fieldName);
        customFields.push({
          name: fieldName,
          display: display as CustomFieldDoc['display'],
          label: text(c, `${p}.label`, entry.label),
          description: text(c, `${p}.description`, entry.description),
          link: link(c, `${p}.link`, text(c, `${p}.link`, entry.link), ''),
        });
      });
    }
  }

  const releases: ReleaseDoc[] = [];
  if (!('releases' in d) || d.releases === null || d.releases === undefined) {
    c.error('releases', 'is required: a list of release cycles');
  } else if (!Array.isArray(d.releases)) {
    c.error('releases', `must be a list of release cycles, got ${show(d.releases)}`);
  } else {
    if (d.releases.length === 0) c.warn('releases', 'the list is empty: the product has no release cycles');
    const seen = new Map<string, number>();
    d.releases.forEach((raw, i) => {
      const r = normaliseRelease(c, raw, i);
      if (!r) return;
      const previous = seen.get(r.name);
      if (previous !== undefined) {
        c.error(`releases[${i}].releaseCycle`, `duplicate cycle "${r.name}" (also releases[${previous}])`);
        return;
      }
      seen.set(r.name, i);
      releases.push(r);
    });
  }

  const validName = isPermalinkName(name) ? name : null;
  if (c.hasErrors || label === null) return { doc: null, name: validName, problems: c.problems };

  const doc: ProductDoc = {
    sourcePath: input.file,
    contentHash: input.contentHash,
    name,
    label,
    // As the database keeps it (product_permalink_shape): "/" + the id, whatever the document's form.
    permalink: `/${name}`,
    category,
    tags: [...tags].sort(),
    aliases,
    iconSlug,
    versionCommand,
    releasePolicyLink,
    changelogTemplate,
    releaseLabel: text(c, 'releaseLabel', d.releaseLabel),
    ltsLabel: text(c, 'LTSLabel', d.LTSLabel),
    columns,
    sortReleasesBy: text(c, 'sortReleasesBy', d.sortReleasesBy),
    staleReleaseThresholdDays: int(c, 'staleReleaseThresholdDays', d.staleReleaseThresholdDays),
    addedAt: date(c, 'addedAt', d.addedAt),
    identifiers,
    customFields,
    body: input.body,
    frontMatter: toJsonValue(d) as Record<string, unknown>,
    releases,
    warnings: [],
  };
  // addedAt is display metadata: a bad value must not reject the product.
  for (const p of c.problems) if (p.path === 'addedAt' && p.severity === 'error') p.severity = 'warning';
  if (c.hasErrors) return { doc: null, name, problems: c.problems };
  doc.warnings = c.problems;
  return { doc, name, problems: c.problems };
}

function normaliseRelease(c: Collector, raw: unknown, i: number): ReleaseDoc | null {
  const base = `releases[${i}]`;
  if (!isMapping(raw)) {
    c.error(base, `each release must be a mapping of fields, got ${show(raw)}`);
    return null;
  }
  const cycle = raw.releaseCycle;
  if (cycle === undefined || cycle === null || (typeof cycle === 'string' && cycle.trim() === '')) {
    c.error(`${base}.releaseCycle`, 'is required: the release has no cycle name');
    return null;
  }
  const name = text(c, `${base}.releaseCycle`, cycle, { quoteHint: true });
  if (name === null || name.trim() === '') {
    c.error(`${base}.releaseCycle`, `${show(cycle)} cannot be a cycle name`);
    return null;
  }
  // The cycle's identity (lookups, URLs): not guessed at, refused (release_cycle_name_trimmed_text).
  const nameProblem = trimmedTextProblem(name);
  if (nameProblem !== null) {
    c.error(`${base}.releaseCycle`, `${show(name)} cannot be a cycle name: it ${nameProblem}`);
    return null;
  }
  const f = (key: string) => `${base}.${key}`;

  // release → releaseDate (≤ 2022-05)
  const [rdKey, rd] = pickRelease(c, raw, base, 'releaseDate', 'release');
  // support → eoas with the boolean inverted: support: true meant "still actively supported".
  let eoas: DateOrBool;
  if ('eoas' in raw || !('support' in raw)) {
    if ('eoas' in raw && 'support' in raw)
      c.warn(f('support'), 'both eoas and its legacy name support are present; support is ignored');
    eoas = dateOrBool(c, f('eoas'), raw.eoas);
  } else {
    const v = dateOrBool(c, f('support'), raw.support);
    eoas = v && 'flag' in v ? { flag: !v.flag } : v;
  }
  // extendedSupport → eoes: true = "extended support ongoing" (eoes: false); false = "none" (absent).
  let eoes: DateOrBool;
  if ('eoes' in raw || !('extendedSupport' in raw)) {
    if ('eoes' in raw && 'extendedSupport' in raw) {
      c.warn(
        f('extendedSupport'),
        'both eoes and its legacy name extendedSupport are present; extendedSupport is ignored',
      );
    }
    eoes = dateOrBool(c, f('eoes'), raw.eoes);
  } else {
    const v = dateOrBool(c, f('extendedSupport'), raw.extendedSupport);
    eoes = v && 'flag' in v ? (v.flag ? { flag: false } : null) : v;
  }

  let linkSet = false;
  let rawLink: string | null = null;
  if ('link' in raw) {
    if (raw.link === null || (typeof raw.link === 'string' && raw.link.trim() === '')) {
      linkSet = true; // '' was the pre-2023 way to say "no link"
    } else if (typeof raw.link === 'string') {
      // Not an http(s) link: as if there were no link key (the product's changelog template applies).
      rawLink = link(c, f('link'), raw.link, " (the product's changelog template applies instead)");
      linkSet = rawLink !== null;
    } else {
      c.warn(f('link'), `expected a URL or null, got ${show(raw.link)}; the product's changelog template is used`);
    }
  }

  let latest = text(c, f('latest'), raw.latest, { quoteHint: true });
  if (latest !== null && latest.trim() === '') {
    // pan-os.md writes `latest: ""` for cycles whose last version is unknown.
    c.warn(f('latest'), `${show(latest)} is blank; treated as absent (no latest version)`);
    latest = null;
  }
  const latestProblem = latest === null ? null : trimmedTextProblem(latest);
  if (latestProblem !== null) {
    c.warn(f('latest'), `${show(latest)} ${latestProblem}; not stored`);
    latest = null;
  }
  if (latest !== null && /\{\{|\{%/.test(latest)) {
    c.warn(f('latest'), "contains Liquid that needs the site's build data; kept as written");
  }

  let custom: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(raw)) {
    if (RELEASE_KEYS.has(key)) continue;
    custom ??= {};
    if (value instanceof YamlNumber) custom[key] = numberAsJekyllString(value);
    else custom[key] = toJsonValue(value);
  }

  return {
    position: i,
    name,
    codename: text(c, f('codename'), raw.codename),
    releaseLabel: text(c, f('releaseLabel'), raw.releaseLabel),
    releaseDate: date(c, f(rdKey), rd),
    latest,
    latestReleaseDate: date(c, f('latestReleaseDate'), raw.latestReleaseDate),
    linkSet,
    link: rawLink,
    lts: dateOrBool(c, f('lts'), raw.lts),
    eoas,
    eol: dateOrBool(c, f('eol'), raw.eol),
    eoes,
    discontinued: dateOrBool(c, f('discontinued'), raw.discontinued),
    outOfOrder: bool(c, f('outOfOrder'), raw.outOfOrder, false),
    cycleShortHand: text(c, f('cycleShortHand'), raw.cycleShortHand),
    latestShortHand: text(c, f('latestShortHand'), raw.latestShortHand),
    staleReleaseThresholdDays: int(c, f('staleReleaseThresholdDays'), raw.staleReleaseThresholdDays),
    custom,
  };
}

function pickRelease(
  c: Collector,
  raw: Record<string, unknown>,
  base: string,
  current: string,
  legacy: string,
): [string, unknown] {
  if (current in raw) {
    if (legacy in raw)
      c.warn(`${base}.${legacy}`, `both ${current} and its legacy name ${legacy} are present; ${legacy} is ignored`);
    return [current, raw[current]];
  }
  return [legacy, raw[legacy]];
}
