// The support-status rules of endoflife.date (product-data-enricher.rb; docs/eol-format.md §4),
// as pure functions of stored values and a calendar date. No imports from the database, GraphQL
// or the clock: "today" is always passed in. The same rules exist in SQL (the eolgraph_* functions
// of the second migration, used by filters and the release_cycle_status view); a test checks that
// both agree on the whole corpus.

/** A date-or-boolean field as stored: a flag, a date ("YYYY-MM-DD"), or neither (absent). */
export interface DateOrBoolValue {
  flag: boolean | null;
  from: string | null;
}

export const ABSENT: DateOrBoolValue = Object.freeze({ flag: null, from: null });

export function isPresent(v: DateOrBoolValue): boolean {
  return v.flag !== null || v.from !== null;
}

/**
 * is_X of a date-or-boolean field on asOf: a date D means "on and after the day after D"
 * (asOf > D, so on D itself the phase is not over yet); a boolean is taken as it is; absent → null.
 */
export function isReached(v: DateOrBoolValue, asOf: string): boolean | null {
  if (v.from !== null) return asOf > v.from;
  return v.flag;
}

/** A phase that has a value and has not ended (is_X false; an absent field is never open). */
export function isOpen(v: DateOrBoolValue, asOf: string): boolean {
  return isPresent(v) && isReached(v, asOf) === false;
}

export interface SupportFields {
  lts: DateOrBoolValue;
  eoas: DateOrBoolValue;
  eol: DateOrBoolValue;
  eoes: DateOrBoolValue;
  discontinued: DateOrBoolValue;
}

/** isLts: an absent lts is false (the site defaults it), then the same explosion. */
export function isLts(c: Pick<SupportFields, 'lts'>, asOf: string): boolean {
  return isReached(c.lts, asOf) ?? false;
}

/** Whether the LTS date lies ahead (the label then says "Upcoming LTS"). */
export function isUpcomingLts(c: Pick<SupportFields, 'lts'>, asOf: string): boolean {
  return c.lts.from !== null && !(asOf > c.lts.from);
}

/**
 * isMaintained (set_is_maintained): at least one of eoas, eol, discontinued, eoes is present and
 * not reached. Column flags play no part; a cycle with none of the four is not maintained.
 * Extended support counts, and so does discontinued: false ("still produced").
 */
export function isMaintained(c: SupportFields, asOf: string): boolean {
  return isOpen(c.eoas, asOf) || isOpen(c.eol, asOf) || isOpen(c.discontinued, asOf) || isOpen(c.eoes, asOf);
}

export type SupportPhase = 'ACTIVE' | 'SECURITY_ONLY' | 'EXTENDED' | 'ENDED' | 'UNKNOWN';

/**
 * Where a cycle stands on the support timeline eoas → eol → eoes, on asOf. `discontinued` is a
 * production flag, not a support phase, and is not considered (so a device whose updates ended but
 * which is still sold is isMaintained but ENDED).
 *
 * - UNKNOWN: none of eoas, eol, eoes is given.
 * - eol given and not reached: SECURITY_ONLY when eoas is given and reached, else ACTIVE.
 * - eol reached, or not given: EXTENDED when eoes is open; else ACTIVE when eoas is open (data
 *   that says active support continues although security support ended, or has no eol at all);
 *   else ENDED.
 */
export function supportPhase(c: SupportFields, asOf: string): SupportPhase {
  if (!isPresent(c.eoas) && !isPresent(c.eol) && !isPresent(c.eoes)) return 'UNKNOWN';
  if (isPresent(c.eol) && isReached(c.eol, asOf) === false) {
    return isPresent(c.eoas) && isReached(c.eoas, asOf) === true ? 'SECURITY_ONLY' : 'ACTIVE';
  }
  if (isOpen(c.eoes, asOf)) return 'EXTENDED';
  if (isOpen(c.eoas, asOf)) return 'ACTIVE';
  return 'ENDED';
}

/** Released on asOf: asOf on or after the release date; null when the date is unknown. */
export function isReleased(releaseDate: string | null, asOf: string): boolean | null {
  return releaseDate === null ? null : asOf >= releaseDate;
}

/** Days from asOf to the EOL date (negative once past); null when eol is a boolean or absent. */
export function daysUntil(from: string | null, asOf: string): number | null {
  if (from === null) return null;
  return Math.round((Date.parse(`${from}T00:00:00Z`) - Date.parse(`${asOf}T00:00:00Z`)) / 86_400_000);
}

/** Adds days to a calendar date. */
export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Today's UTC calendar date for a clock reading. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** The next UTC midnight after now (when every "today" answer changes). */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "YYYY-MM-DD" that is a real calendar date. */
export function isCalendarDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1) return false; // no year 0 (PostgreSQL's DATE has none either)
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(y, mo - 1, day);
  return d.getUTCFullYear() === y && d.getUTCMonth() === mo - 1 && d.getUTCDate() === day;
}
