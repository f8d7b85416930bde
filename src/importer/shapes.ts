// The value rules the database enforces (prisma/migrations/20261127050000_value_constraints), in
// TypeScript, so that the importer refuses such a value with a message naming the file and the
// field before the database refuses the whole product. test/integration/constraints.test.ts
// checks that both sides agree, character by character.

/** Unicode's control characters (Cc): C0, DEL and C1. (Finding them is the point here.) */
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

/** Lowercase letters, digits, ".", "_", "-", with at least one letter or digit. */
const PERMALINK_NAME_RE = /^[a-z0-9._-]*[a-z0-9][a-z0-9._-]*$/;

/** http:// or https:// (any case) followed by something that is not a space or a control. */
// eslint-disable-next-line no-control-regex
const HTTP_PREFIX_RE = /^https?:\/\/[^\u0000-\u0020\u007f-\u009f]/i;

const hex = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why s is not "trimmed text" (non-empty, nothing to trim at either end, no control character). */
export function trimmedTextProblem(s: string): string | null {
  if (s === '') return 'is empty';
  const control = CONTROL_RE.exec(s);
  if (control) return `contains a control character (${hex(control[0])})`;
  // String.prototype.trim's whitespace is the set the migration's eolgraph_is_trimmed_text uses.
  if (s.trim() !== s) return 'has whitespace at its start or end';
  return null;
}

export const isTrimmedText = (s: string): boolean => trimmedTextProblem(s) === null;

/** Product ids and aliases: what endoflife.date permalinks (and legacy alternate_urls) use. */
export const isPermalinkName = (s: string): boolean => PERMALINK_NAME_RE.test(s);

/** Why s cannot be stored as a link (release link, releasePolicyLink, custom field link). */
export function httpLinkProblem(s: string): string | null {
  if (!HTTP_PREFIX_RE.test(s)) return 'is not an http(s) URL';
  const control = CONTROL_RE.exec(s);
  return control ? `contains a control character (${hex(control[0])})` : null;
}

/**
 * Why s cannot be stored as a changelog template: only its start is checked (a template is
 * trimmed and rendered before use, and a YAML block scalar ends in a newline).
 */
export function httpTemplateProblem(s: string): string | null {
  return HTTP_PREFIX_RE.test(s) ? null : 'is not an http(s) URL';
}

/** "YYYY-MM-DD" within 0001-01-01 .. 9999-12-31 (what a DATE column accepts). */
export const isStorableDate = (iso: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(iso) && !iso.startsWith('0000');
