// YAML typing as Jekyll (SafeYAML) read front matter: docs/eol-format.md §1.3.
import { describe, expect, it } from 'vitest';
import {
  assertYamlSize,
  CalendarDate,
  numberAsJekyllString,
  parseYaml,
  rubyFloatToString,
  YamlNumber,
  YamlTimestamp,
  YamlTooLargeError,
} from '../../../src/importer/yaml.ts';

/** The value of `k` in the one-line document "k: <text>". */
function scalar(text: string): unknown {
  return (parseYaml(`k: ${text}`) as { k: unknown }).k;
}

describe('parseYaml: numbers keep their source and read as the site showed them', () => {
  it.each([
    // plain scalar, kind, numeric value, what Jekyll displayed
    ['1.10', 'float', 1.1, '1.1'],
    ['2.0', 'float', 2, '2.0'],
    ['7.80', 'float', 7.8, '7.8'],
    ['3.0', 'float', 3, '3.0'],
    ['010', 'int', 8, '8'],
    ['1_000', 'int', 1000, '1000'],
    ['7,8', 'int', 78, '78'],
    ['1,000', 'int', 1000, '1000'],
    ['12', 'int', 12, '12'],
    ['-3', 'int', -3, '-3'],
    // forms js-yaml calls numbers but SafeYAML left as text
    ['1.', 'float', 1, '1.'],
    ['1e5', 'float', 100000, '1e5'],
  ] as const)('%s → %s %d, displayed "%s"', (text, kind, value, shown) => {
    const v = scalar(text);
    expect(v).toBeInstanceOf(YamlNumber);
    expect(v).toEqual(new YamlNumber(value, text, kind));
    expect(numberAsJekyllString(v as YamlNumber)).toBe(shown);
  });

  it('a decimal integer beyond a double keeps every digit, as Ruby shows it', () => {
    const v = scalar('12345678901234567890') as YamlNumber;
    expect(v).toBeInstanceOf(YamlNumber);
    expect(numberAsJekyllString(v)).toBe('12345678901234567890');
    expect(numberAsJekyllString(scalar('-9007199254740993') as YamlNumber)).toBe('-9007199254740993');
  });

  it.each([
    ['08', '08'],
    ['"2.0"', '2.0'],
    ["'1.10'", '1.10'],
    ['"7,8"', '7,8'],
    ['1.2.3', '1.2.3'],
  ])('%s stays the string %j', (text, expected) => {
    expect(scalar(text)).toBe(expected);
  });
});

describe('parseYaml: booleans, nulls', () => {
  it.each(['yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE'])('%s is true', (text) => {
    expect(scalar(text)).toBe(true);
  });

  it.each(['no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE'])('%s is false', (text) => {
    expect(scalar(text)).toBe(false);
  });

  it.each([
    ['"yes"', 'yes'],
    ["'no'", 'no'],
    ['"on"', 'on'],
    ['"true"', 'true'],
  ])('quoted %s stays the string %j', (text, expected) => {
    expect(scalar(text)).toBe(expected);
  });

  it.each(['null', 'Null', 'NULL', '~', ''])('%j is null', (text) => {
    expect(scalar(text)).toBeNull();
  });
});

describe('parseYaml: dates are calendar dates', () => {
  it.each(['2019-05-27', '2020-02-29', '1999-12-31', '0001-01-01', '0050-06-15', '0099-12-31', '9999-12-31'])(
    '%s is a CalendarDate with that iso',
    (text) => {
      const v = scalar(text);
      expect(v).toBeInstanceOf(CalendarDate);
      expect((v as CalendarDate).iso).toBe(text);
    },
  );

  it.each([
    ['2019-5-7', 'single-digit month and day'],
    ['2021-02-30', 'impossible date (js-yaml would roll it to 2021-03-02)'],
    ['2019-02-29', 'not a leap year'],
    ['2019-13-01', 'month 13'],
    ['2019-00-10', 'month 0'],
    ['"2019-05-27"', 'quoted'],
  ])('%s stays a string (%s)', (text) => {
    expect(scalar(text)).toBe(text.replace(/"/g, ''));
  });

  it.each([
    ['2019-05-27 10:00:00', '2019-05-27'],
    ['2019-05-27T10:00:00Z', '2019-05-27'],
    ['2019-05-27 10:00:00.5', '2019-05-27'],
    ['2019-05-27T23:30:00-05:00', '2019-05-28'],
    ['2019-05-27 01:00:00 +02:00', '2019-05-26'],
    ['0050-01-01 01:00:00 +02:00', '0049-12-31'],
  ])('timestamp %s is a YamlTimestamp on the UTC date %s', (text, iso) => {
    const v = scalar(text);
    expect(v).toBeInstanceOf(YamlTimestamp);
    expect(v).toEqual(new YamlTimestamp(iso, text));
  });

  it('a timestamp on an impossible date stays the string', () => {
    expect(scalar('2021-02-30 10:00:00')).toBe('2021-02-30 10:00:00');
  });

  it('serialises to JSON as the site would (dates as YYYY-MM-DD, numbers as numbers)', () => {
    const doc = parseYaml('a: 2019-05-27\nb: 2019-05-27 10:00:00\nc: 1.10\nd: .inf\ne: 7');
    expect(JSON.stringify(doc)).toBe('{"a":"2019-05-27","b":"2019-05-27 10:00:00","c":1.1,"d":".inf","e":7}');
  });
});

describe('parseYaml: leniencies of the Ruby parsers', () => {
  it('accepts a TAB after "key:"', () => {
    expect(parseYaml('a:\t1.10\nb:\tfoo')).toEqual({ a: new YamlNumber(1.1, '1.10', 'float'), b: 'foo' });
  });

  it('lets the last of duplicate keys win instead of throwing', () => {
    expect(parseYaml('a: 1\nb: x\na: second')).toEqual({ a: 'second', b: 'x' });
    // tools/freebsd.md (2019-2021) has `release` twice in one release.
    const doc = parseYaml('releases:\n  - release: 2019-01-01\n    release: 2019-02-01') as {
      releases: { release: CalendarDate }[];
    };
    expect(doc.releases[0]!.release.iso).toBe('2019-02-01');
  });

  it('still throws on a syntax error', () => {
    expect(() => parseYaml('a: [1, 2')).toThrow(/unexpected end of the stream within a flow collection/);
  });
});

describe('rubyFloatToString', () => {
  it.each([
    [2, '2.0'],
    [1.1, '1.1'],
    [7.8, '7.8'],
    [0, '0.0'],
    [-2, '-2.0'],
    [100, '100.0'],
    [0.0001, '0.0001'],
    [0.00001, '1.0e-05'],
    [1.5e-7, '1.5e-07'],
    [1e15, '1000000000000000.0'],
    [1e16, '1.0e+16'],
    [1.2345678901234568e20, '1.2345678901234568e+20'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('%d → %s', (x, expected) => {
    expect(rubyFloatToString(x)).toBe(expected);
  });
});

describe('assertYamlSize', () => {
  /** Nine levels of ten aliases each: 10^9 values once expanded, a few hundred bytes of text. */
  function billionLaughs(): unknown {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    return parseYaml(lines.join('\n'));
  }

  it('refuses a billion-laughs document by the expanded count', () => {
    const doc = billionLaughs();
    expect(() => assertYamlSize(doc, 100_000)).toThrow(YamlTooLargeError);
    expect(() => assertYamlSize(doc, 100_000)).toThrow(
      'the front matter expands to more than 100000 YAML values (aliases counted each time they are used); ' +
        'the limit is IMPORT_MAX_YAML_NODES',
    );
  });

  it('counts every value, aliases once per use, and accepts exactly the budget', () => {
    // root, a's list + 3 items, b's (aliased) list + 3 items = 9
    const doc = parseYaml('a: &x [1, 2, 3]\nb: *x');
    expect(() => assertYamlSize(doc, 9)).not.toThrow();
    expect(() => assertYamlSize(doc, 8)).toThrow('more than 8 YAML values');
  });

  it('refuses nesting deeper than 64 levels and accepts 64', () => {
    const nested = (depth: number) => parseYaml(`k: ${'['.repeat(depth)}x${']'.repeat(depth)}`);
    // root mapping 0, its value 1, … x at depth n+1 for n brackets
    expect(() => assertYamlSize(nested(63), 1_000_000)).not.toThrow();
    expect(() => assertYamlSize(nested(64), 1_000_000)).toThrow(YamlTooLargeError);
    expect(() => assertYamlSize(nested(64), 1_000_000)).toThrow('the front matter is nested deeper than 64 levels');
    expect(() => assertYamlSize(nested(3), 1_000_000, 3)).toThrow('nested deeper than 3 levels');
  });
});
