// Step 5: endoflife.date's own validator rules (product-data-validator.rb at HEAD, docs/eol-format.md
// §6.2). Most of them appeared between 2024 and 2025 (§6.3), so older documents legitimately break
// them: every rule here yields a warning, never a rejection.
import type { DateOrBool, ProductDoc, ReleaseDoc } from './document.ts';
import type { Collector } from './normalise.ts';

const URL_RE = /^https?:\/\/.+$/;
const CYCLE_RE = /^[a-z0-9.\-+_]+$/;
const TAG_RE = /^[a-z0-9-]+$/;

function addDays(iso: string, days: number): string {
  const t = Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

const asDate = (v: DateOrBool): string | null => (v && 'date' in v ? v.date : null);

export function validateDocument(c: Collector, doc: ProductDoc, raw: Record<string, unknown>, today: string): void {
  const horizon = addDays(today, 7);
  // The document's permalink as written (the stored one is always "/" + the id).
  const permalink = typeof raw.permalink === 'string' ? raw.permalink : doc.permalink;
  if (!/^\/[a-z0-9-]+$/.test(permalink)) c.warn('permalink', `${permalink} does not match ^/[a-z0-9-]+$`);
  for (const t of doc.tags) if (!TAG_RE.test(t)) c.warn('tags', `tag "${t}" does not match ^[a-z0-9-]+$`);
  if (Array.isArray(raw.alternate_urls)) {
    const aliases = new Set(doc.aliases); // (a document may have tens of thousands)
    raw.alternate_urls.forEach((u, i) => {
      // (Entries the normaliser ignored, it already reported.)
      const kept = typeof u === 'string' && aliases.has((u.startsWith('/') ? u.slice(1) : u).trim());
      if (kept && !/^\/[a-z0-9\-_]+$/.test(u)) {
        c.warn(`alternate_urls[${i}]`, `${JSON.stringify(u)} does not match ^/[a-z0-9-_]+$`);
      }
    });
  }
  // releasePolicyLink, changelogTemplate and the release and custom field links are checked where
  // they are read (normalise.ts): a value that is not an http(s) URL is not stored at all.
  const image = raw.releaseImage;
  if (image !== undefined && (typeof image !== 'string' || !URL_RE.test(image.trim())))
    c.warn('releaseImage', 'is not an http(s) URL');
  for (const f of doc.customFields) {
    if (f.label === null) c.warn('customFields', `custom field "${f.name}" has no label`);
  }

  const declared = new Set(doc.customFields.map((f) => f.name));
  const ids = new Map<string, string>();
  let previousDate: string | null = null;
  for (const r of doc.releases) {
    const p = (k: string) => `releases[${r.position}].${k}`;
    if (!CYCLE_RE.test(r.name)) c.warn(p('releaseCycle'), `"${r.name}" does not match ^[a-z0-9.-+_]+$`);
    const id = r.name.replace(/\//g, '-');
    const clash = ids.get(id);
    if (clash !== undefined) c.warn(p('releaseCycle'), `"${r.name}" and "${clash}" have the same release id "${id}"`);
    ids.set(id, r.name);

    if (r.releaseDate === null) c.warn(p('releaseDate'), `cycle "${r.name}" has no releaseDate`);
    else if (r.releaseDate > horizon) c.warn(p('releaseDate'), `${r.releaseDate} is more than 7 days in the future`);
    if (r.eol === null) c.warn(p('eol'), `cycle "${r.name}" has no eol`);
    if (doc.columns.eoas.shown && r.eoas === null)
      c.warn(p('eoas'), `cycle "${r.name}" has no eoas although the eoas column is shown`);
    if (doc.columns.discontinued.shown && r.discontinued === null) {
      c.warn(p('discontinued'), `cycle "${r.name}" has no discontinued although the discontinued column is shown`);
    }
    if (doc.columns.latest.shown) {
      if (r.latest === null) c.warn(p('latest'), `cycle "${r.name}" has no latest although the latest column is shown`);
      if (r.latestReleaseDate !== null && r.latestReleaseDate > horizon) {
        c.warn(p('latestReleaseDate'), `${r.latestReleaseDate} is more than 7 days in the future`);
      }
    }
    checkDateOrder(c, doc, r, p);

    for (const [key, value] of Object.entries(r.custom ?? {})) {
      if (!declared.has(key)) c.warn(p(key), `"${key}" is not a standard field and is not declared in customFields`);
      else if (value !== null && typeof value !== 'string') c.warn(p(key), 'custom field values must be text or dates');
    }

    // Newest first, except releases flagged outOfOrder (they are neither checked nor compared).
    if (!r.outOfOrder && r.releaseDate !== null) {
      if (previousDate !== null && r.releaseDate > previousDate) {
        c.warn(
          p('releaseDate'),
          `cycle "${r.name}" (${r.releaseDate}) is listed after a cycle released earlier (${previousDate}); releases go newest first`,
        );
      }
      previousDate = r.releaseDate;
    }
  }
}

function checkDateOrder(c: Collector, doc: ProductDoc, r: ReleaseDoc, p: (k: string) => string): void {
  const rd = r.releaseDate;
  const eoas = asDate(r.eoas);
  const eol = asDate(r.eol);
  const eoes = asDate(r.eoes);
  const eoasCol = doc.columns.eoas.shown;
  const eoesCol = doc.columns.eoes.shown;
  const before = (a: string | null, b: string | null, an: string, bn: string, key: string, when = true) => {
    if (when && a !== null && b !== null && a > b) c.warn(p(key), `${an} ${a} is after ${bn} ${b}`);
  };
  before(rd, eoas, 'releaseDate', 'eoas', 'eoas', eoasCol);
  before(rd, eol, 'releaseDate', 'eol', 'eol');
  before(rd, eoes, 'releaseDate', 'eoes', 'eoes', eoesCol);
  before(eoas, eol, 'eoas', 'eol', 'eol', eoasCol);
  before(eoas, eoes, 'eoas', 'eoes', 'eoes', eoasCol && eoesCol);
  before(eol, eoes, 'eol', 'eoes', 'eoes', eoesCol);
}
