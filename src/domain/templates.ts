// Labels and changelog links (docs/eol-format.md §4.5): placeholders first, then Liquid with an
// empty context, as endoflife.date's render_eol_template does. liquidjs covers the standard and
// Jekyll filters the documents use; drop_zero_patch is the site's own and is registered here.
// Templates come from documents written by many hands, so rendering is bounded (size, time,
// memory) and a template that fails renders as null instead of failing the request.
import { Liquid } from 'liquidjs';

const liquid = new Liquid({
  strictFilters: false,
  strictVariables: false,
  parseLimit: 20_000,
  renderLimit: 200,
  memoryLimit: 1_000_000,
});

// "4.3.0" → "4.3", "4.0.0" → "4.0": drops a zero patch component. "4.0" has no patch component
// and stays "4.0" (godot's tags are "4.0-stable", not "4-stable").
liquid.registerFilter('drop_zero_patch', (v: unknown) => String(v ?? '').replace(/^(.+\..+)\.0$/, '$1'));

export interface TemplateVars {
  releaseCycle: string;
  codename: string | null;
  releaseDate: string | null;
  latest: string | null;
  latestReleaseDate: string | null;
  cycleShortHand: string | null;
  latestShortHand: string | null;
}

const PLACEHOLDERS: [string, keyof TemplateVars][] = [
  ['__RELEASE_CYCLE__', 'releaseCycle'],
  ['__CODENAME__', 'codename'],
  ['__RELEASE_DATE__', 'releaseDate'],
  ['__LATEST_RELEASE_DATE__', 'latestReleaseDate'],
  ['__LATEST__', 'latest'],
  ['__CYCLE_SHORT_HAND__', 'cycleShortHand'],
  ['__LATEST_SHORT_HAND__', 'latestShortHand'],
];

// Rendering is pure, and W2 (the whole catalogue) renders ~8,000 labels and links per request:
// results are memoised. Bounded: the map is dropped when it grows past the limit.
const memo = new Map<string, string | null>();
const MEMO_LIMIT = 100_000;

// A template that runs into the time or memory limit (nested loops: `{% for i in (1..1000) %}`
// three deep) costs ~200 ms before it fails, and would cost that again for every cycle it renders:
// 200 cycles blocked the process for 38 s. A time limit also depends on how busy the machine is,
// so one failure is not held against a template; the second is, and the template then renders as
// null (the label falls back to the cycle name, the link to none) without being tried for the next
// ten minutes (a template that is fine but met two long pauses of the machine gets its chance
// again; one that is not costs two attempts every ten minutes).
const LIMIT_HITS_TO_GIVE_UP = 2;
const GIVE_UP_MS = 10 * 60_000;
const limitHits = new Map<string, { count: number; since: number }>();
const LIMIT_EXCEEDED = /template render limit exceeded|memory alloc limit exceeded/;

/** How many times rendering this template ran into a limit (for the tests). */
export function limitHitsOf(template: string): number {
  return limitHits.get(template)?.count ?? 0;
}

/**
 * Renders Liquid with an empty context. endoflife.date's Ruby Liquid parses in lax mode, where a
 * quote right after an empty string literal is ignored (`replace: '.','''` in visual-cobol.md
 * replaces dots with nothing); liquidjs is strict and refuses it, so such a template is retried
 * with the stray quote removed.
 */
function renderLiquid(text: string): string {
  try {
    return String(liquid.parseAndRenderSync(text, {}));
  } catch (err) {
    const lax = text.replace(/(['"])\1\1/g, '$1$1');
    if (lax === text) throw err;
    return String(liquid.parseAndRenderSync(lax, {}));
  }
}

/** Substitutes the placeholders and renders the result as Liquid; null if the template fails. */
export function renderTemplate(template: string, vars: TemplateVars): string | null {
  const key = `${template}\u0000${vars.releaseCycle}\u0000${vars.codename ?? ''}\u0000${vars.releaseDate ?? ''}\u0000${vars.latest ?? ''}\u0000${vars.latestReleaseDate ?? ''}\u0000${vars.cycleShortHand ?? ''}\u0000${vars.latestShortHand ?? ''}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const hits = limitHits.get(template);
  if (hits && hits.count >= LIMIT_HITS_TO_GIVE_UP) {
    if (Date.now() - hits.since < GIVE_UP_MS) return null;
    limitHits.delete(template); // tried again, from the start
  }
  let text = template.trim();
  for (const [placeholder, field] of PLACEHOLDERS) {
    if (text.includes(placeholder)) text = text.split(placeholder).join(vars[field] ?? '');
  }
  let out: string | null;
  try {
    out = text.includes('{') ? renderLiquid(text) : text;
  } catch (err) {
    // The time and memory limits: counted against the template (above), not remembered for
    // these values. Other failures (syntax) are properties of the template: remembered.
    if (LIMIT_EXCEEDED.test(String((err as Error).message))) {
      if (limitHits.size >= MEMO_LIMIT) limitHits.clear();
      limitHits.set(template, { count: (limitHits.get(template)?.count ?? 0) + 1, since: Date.now() });
      return null;
    }
    out = null;
  }
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, out);
  return out;
}

/** The API's HTML stripping: script/comment/style blocks, then every tag; no entity decoding. */
export function stripHtml(s: string): string {
  return s
    .replace(/<script[\s\S]*?<\/script>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]*>/g, '');
}

export const DEFAULT_LTS_LABEL = '<abbr title="Long Term Support">LTS</abbr>';

export interface LabelInput {
  vars: TemplateVars;
  /** Release-level releaseLabel, else the product's; null → the cycle name. */
  template: string | null;
  ltsLabel: string | null;
  /** lts as stored. */
  lts: { flag: boolean | null; from: string | null };
  isLts: boolean;
}

/** The cycle label with its LTS suffix, HTML kept (the site's label). */
export function cycleLabelHtml(input: LabelInput): string {
  const base =
    input.template !== null
      ? (renderTemplate(input.template, input.vars) ?? input.vars.releaseCycle)
      : input.vars.releaseCycle;
  const lts = input.ltsLabel ?? DEFAULT_LTS_LABEL;
  if (input.lts.from !== null) {
    return input.isLts ? `${base} (${lts})` : `${base} (<span title="${input.lts.from}">Upcoming</span> ${lts})`;
  }
  if (input.lts.flag === true) return `${base} (${lts})`;
  return base;
}

/** The API label: the site's label with HTML stripped. */
export function cycleLabel(input: LabelInput): string {
  return stripHtml(cycleLabelHtml(input));
}

/**
 * The changelog link (set_cycle_link): a release-level link is rendered when it contains "__",
 * kept as is otherwise, and an explicit null means no link; without a link key the product's
 * changelogTemplate is rendered; without either there is no link.
 */
export function cycleLink(
  release: { linkSet: boolean; link: string | null },
  changelogTemplate: string | null,
  vars: TemplateVars,
): string | null {
  if (release.linkSet) {
    if (release.link === null) return null;
    return release.link.includes('__') ? renderTemplate(release.link, vars) : release.link;
  }
  return changelogTemplate ? renderTemplate(changelogTemplate, vars) : null;
}
