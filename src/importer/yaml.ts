// YAML typing the way endoflife.date's build read it (Jekyll + SafeYAML), on top of js-yaml 3 (the
// parser gray-matter ships). See docs/eol-format.md §1.3. The differences from js-yaml's defaults:
//
// - numbers keep their source text (YamlNumber), so "releaseCycle: 2.0" can become "2.0" as the
//   site showed it, not JS's "2";
// - dates are calendar dates (CalendarDate, "YYYY-MM-DD"), never JS Dates in a time zone, and an
//   impossible date such as 2021-02-30 stays the string it was (js-yaml would roll it to March 2);
// - yes/no/on/off (any case) are booleans, as in YAML 1.1 / SafeYAML;
// - duplicate keys: the last one wins ({ json: true }), as in Ruby.
import { createRequire } from 'node:module';
import yaml from 'js-yaml';

const require = createRequire(import.meta.url);
type TypeLike = { resolve: (data: string) => boolean; construct: (data: string) => unknown };
const jsYamlInt = require('js-yaml/lib/js-yaml/type/int.js') as TypeLike;
const jsYamlFloat = require('js-yaml/lib/js-yaml/type/float.js') as TypeLike;
const jsYamlNull = require('js-yaml/lib/js-yaml/type/null.js') as yaml.Type;
const jsYamlMerge = require('js-yaml/lib/js-yaml/type/merge.js') as yaml.Type;

/** A plain scalar YAML typed as a number, with the text it was written as. */
export class YamlNumber {
  constructor(
    readonly value: number,
    readonly source: string,
    readonly kind: 'int' | 'float',
  ) {}
  toJSON(): number | string {
    return Number.isFinite(this.value) ? this.value : this.source;
  }
}

/** A YAML date (YYYY-MM-DD), kept as a calendar date. */
export class CalendarDate {
  constructor(readonly iso: string) {}
  toJSON(): string {
    return this.iso;
  }
}

/** A YAML timestamp with a time of day; only its UTC calendar date is meaningful here. */
export class YamlTimestamp {
  constructor(
    readonly iso: string,
    readonly source: string,
  ) {}
  toJSON(): string {
    return this.source;
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d*))?(?:[ \t]*(Z|([-+])(\d{1,2})(?::(\d{2}))?))?$/;

/** Date.UTC without its quirk of reading years 0–99 as 1900–1999 (0001-01-01 is a date too). */
function utcMs(y: number, month0: number, d: number, h = 0, mi = 0, sec = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, month0, d);
  t.setUTCHours(h, mi, sec, 0);
  return t.getTime();
}

/** "YYYY-MM-DD" when y-m-d is a real calendar date, else null. */
export function calendarIso(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1) return null;
  const t = new Date(utcMs(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const timestampType = new yaml.Type('tag:yaml.org,2002:timestamp', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && (DATE_RE.test(data) || TIMESTAMP_RE.test(data)),
  construct: (data: string) => {
    const d = DATE_RE.exec(data);
    if (d) {
      const iso = calendarIso(Number(d[1]), Number(d[2]), Number(d[3]));
      // SafeYAML leaves an impossible date as the string it was; the date fields then report it.
      return iso ? new CalendarDate(iso) : data;
    }
    const t = TIMESTAMP_RE.exec(data)!;
    const iso = calendarIso(Number(t[1]), Number(t[2]), Number(t[3]));
    if (!iso) return data;
    let ms = utcMs(Number(t[1]), Number(t[2]) - 1, Number(t[3]), Number(t[4]), Number(t[5]), Number(t[6]));
    if (t[8] && t[8] !== 'Z') {
      const offset = (Number(t[10]) * 60 + Number(t[11] ?? 0)) * 60_000;
      ms -= t[9] === '-' ? -offset : offset;
    }
    return new YamlTimestamp(new Date(ms).toISOString().slice(0, 10), data);
  },
  instanceOf: CalendarDate,
});

const BOOL_RE = /^(?:true|false|yes|no|on|off)$/i;
const boolType = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && BOOL_RE.test(data),
  construct: (data: string) => /^(?:true|yes|on)$/i.test(data),
});

// SafeYAML also reads digits with "," separators as a decimal integer ("7,8" → 78, "1,000" → 1000);
// js-yaml leaves them strings.
const COMMA_INT_RE = /^[-+]?[1-9][0-9_]*,[0-9_,]*$/;
const intType = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && (jsYamlInt.resolve(data) || COMMA_INT_RE.test(data)),
  construct: (data: string) =>
    new YamlNumber(
      COMMA_INT_RE.test(data) ? Number(data.replace(/[_,]/g, '')) : (jsYamlInt.construct(data) as number),
      data,
      'int',
    ),
  instanceOf: YamlNumber,
});

const floatType = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && jsYamlFloat.resolve(data),
  construct: (data: string) => new YamlNumber(jsYamlFloat.construct(data) as number, data, 'float'),
});

// Built from the failsafe schema (str, seq, map) up, so that no js-yaml default type wins over ours.
const schema = new yaml.Schema({
  include: [yaml.FAILSAFE_SCHEMA],
  implicit: [jsYamlNull, boolType, intType, floatType, timestampType, jsYamlMerge],
  explicit: [],
} as unknown as yaml.SchemaDefinition);

/**
 * Parses YAML text with the typing above. Throws js-yaml's YAMLException on syntax errors, and
 * YamlTooLargeError once the scalars it builds (keys included, an alias's value counted at each
 * use) exceed maxChars characters: js-yaml itself joins a list used as a mapping key into one
 * string, so "? [*s, *s, …]" over one long anchored string would build hundreds of MB before
 * assertYamlSize could see it.
 */
export function parseYaml(text: string, maxChars = Infinity): unknown {
  let chars = 0;
  // js-yaml composes a block-list item or a key candidate inside an outer node that then closes
  // with the same scalar: a node counts only when no node inside it closed (the innermost).
  const inner: boolean[] = [];
  const listener = (event: yaml.EventType, state: yaml.State) => {
    if (event === 'open') {
      inner.push(false);
      return;
    }
    const hadInner = inner.pop();
    if (inner.length > 0) inner[inner.length - 1] = true;
    if (hadInner) return;
    chars += textLength(state.result);
    if (chars > maxChars) throw tooMuchText(maxChars);
  };
  return yaml.load(text, { schema, json: true, ...(Number.isFinite(maxChars) ? { listener } : {}) });
}

/**
 * Ruby's Float#to_s: the shortest text that reads back as the same number, always with a
 * fractional part ("2.0", "1.1") and Ruby's exponent style for very large or small numbers.
 */
export function rubyFloatToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mantissa, exp] = x.toExponential().split('e') as [string, string];
    const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    const e = Number(exp);
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/**
 * What Jekyll displayed for a plain scalar that YAML typed as a number. SafeYAML only treats
 * digit strings as integers and digits.digits as floats; other forms js-yaml calls numbers
 * ("1e5", "1.", ".5", ".inf", "0x1F") were strings for Jekyll, so their text is kept.
 */
export function numberAsJekyllString(n: YamlNumber): string {
  const text = n.source.replace(/[_,]/g, '');
  if (/^[-+]?\d+$/.test(text)) {
    // Ruby keeps every digit of a large integer; a double would not (a leading 0 is octal).
    if (!Number.isSafeInteger(n.value) && /^[-+]?[1-9]\d*$/.test(text))
      return BigInt(text.replace(/^\+/, '')).toString();
    return String(n.value);
  }
  if (/^[-+]?\d+\.\d+$/.test(text)) return rubyFloatToString(n.value);
  return n.source;
}

export class YamlTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlTooLargeError';
  }
}

/** Characters a scalar contributes to the front matter's text (numbers keep their source). */
function textLength(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (v instanceof YamlNumber || v instanceof YamlTimestamp) return v.source.length;
  return 0;
}

const tooMuchText = (maxChars: number) =>
  new YamlTooLargeError(
    `the front matter expands to more than ${maxChars} characters of text (aliases counted each time they are used); ` +
      'the limit is IMPORT_MAX_DOCUMENT_BYTES',
  );

/**
 * Counts the values in a parsed document as a JSON serialisation would see them (an alias is
 * counted every time it is used) and throws once the budget is exceeded, so a small file whose
 * aliases expand to billions of values ("billion laughs") is refused before anything walks it.
 * The characters of its keys and scalars are counted the same way against maxChars: 20,000
 * aliases of one 900 KB string are only 20,000 values, but 18 GB once serialised.
 */
export function assertYamlSize(value: unknown, maxNodes: number, maxDepth = 64, maxChars = Infinity): void {
  let seen = 0;
  let chars = 0;
  const text = (n: number) => {
    chars += n;
    if (chars > maxChars) throw tooMuchText(maxChars);
  };
  const visit = (v: unknown, depth: number): void => {
    seen += 1;
    if (seen > maxNodes) {
      throw new YamlTooLargeError(
        `the front matter expands to more than ${maxNodes} YAML values (aliases counted each time they are used); ` +
          'the limit is IMPORT_MAX_YAML_NODES',
      );
    }
    if (depth > maxDepth) throw new YamlTooLargeError(`the front matter is nested deeper than ${maxDepth} levels`);
    if (Array.isArray(v)) {
      for (const item of v) visit(item, depth + 1);
    } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const k in v) {
        text(k.length);
        visit((v as Record<string, unknown>)[k], depth + 1);
      }
    } else {
      text(textLength(v));
    }
  };
  visit(value, 0);
}
