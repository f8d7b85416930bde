// The support-status rules (docs/eol-format.md §0 rules 1–2, §4.2, §4.3, §4.8), table-driven: for
// every date the day before, the day of and the day after; booleans; absent values; the legacy
// inversions end to end through the importer.
import { describe, expect, it } from 'vitest';
import type { DateOrBool } from '../../../src/importer/document.ts';
import { prepareDocument } from '../../../src/importer/import.ts';
import {
  ABSENT,
  addDays,
  daysUntil,
  isCalendarDate,
  isLts,
  isMaintained,
  isOpen,
  isReleased,
  isPresent,
  isReached,
  isUpcomingLts,
  nextUtcMidnight,
  supportPhase,
  utcDate,
  type DateOrBoolValue,
  type SupportFields,
  type SupportPhase,
} from '../../../src/domain/status.ts';

/** The reference "today" of docs/eol-format.md. */
const TODAY = '2026-08-22';

const on = (from: string): DateOrBoolValue => ({ flag: null, from });
const flag = (b: boolean): DateOrBoolValue => ({ flag: b, from: null });
const cycle = (fields: Partial<SupportFields> = {}): SupportFields => ({
  lts: ABSENT,
  eoas: ABSENT,
  eol: ABSENT,
  eoes: ABSENT,
  discontinued: ABSENT,
  ...fields,
});

/** Dates D with the day before and the day after, across month, year and leap-day edges. */
const BOUNDARIES: [before: string, day: string, after: string][] = [
  ['2026-08-21', '2026-08-22', '2026-08-23'],
  ['2026-12-30', '2026-12-31', '2027-01-01'],
  ['2024-02-28', '2024-02-29', '2024-03-01'],
  ['2026-02-28', '2026-03-01', '2026-03-02'],
];

type Field = 'eoas' | 'eol' | 'eoes' | 'discontinued' | 'lts';
const FIELDS: Field[] = ['eoas', 'eol', 'eoes', 'discontinued', 'lts'];

/** is_F of a cycle that has only F set: lts goes through isLts (absent → false), the others through isReached. */
const isField = (field: Field, value: DateOrBoolValue, asOf: string): boolean | null =>
  field === 'lts' ? isLts(cycle({ lts: value }), asOf) : isReached(cycle({ [field]: value })[field], asOf);

describe('isReached / isLts: a date D is reached strictly after D', () => {
  const rows = FIELDS.flatMap((field) =>
    BOUNDARIES.flatMap(([before, day, after]) => [
      { field, d: day, asOf: before, expected: false },
      { field, d: day, asOf: day, expected: false },
      { field, d: day, asOf: after, expected: true },
    ]),
  );
  it.each(rows)('$field: $d on $asOf → $expected', ({ field, d, asOf, expected }) => {
    expect(isField(field, on(d), asOf)).toBe(expected);
  });
});

describe('isReached / isLts: booleans as they are, absent as null (lts: false)', () => {
  const rows = FIELDS.flatMap((field) => [
    { field, value: flag(true), label: 'true', expected: true },
    { field, value: flag(false), label: 'false', expected: false },
    { field, value: ABSENT, label: 'absent', expected: field === 'lts' ? false : null },
  ]);
  it.each(rows)('$field: $label → $expected on any date', ({ field, value, expected }) => {
    for (const asOf of ['1970-01-01', TODAY, '2999-12-31']) expect(isField(field, value, asOf)).toBe(expected);
  });
});

describe('isPresent / isOpen', () => {
  it.each([
    [ABSENT, false],
    [flag(true), true],
    [flag(false), true],
    [on(TODAY), true],
  ])('isPresent(%j) → %s', (value, expected) => {
    expect(isPresent(value)).toBe(expected);
  });

  it.each([
    // a phase is open while it has a value that is not reached; an absent phase is never open
    [ABSENT, '2026-08-22', false],
    [flag(true), '2026-08-22', false],
    [flag(false), '2026-08-22', true],
    [on('2026-08-22'), '2026-08-21', true],
    [on('2026-08-22'), '2026-08-22', true],
    [on('2026-08-22'), '2026-08-23', false],
  ])('isOpen(%j) on %s → %s', (value, asOf, expected) => {
    expect(isOpen(value, asOf)).toBe(expected);
  });
});

describe('isUpcomingLts: an lts date that lies ahead', () => {
  it.each(
    BOUNDARIES.flatMap(([before, day, after]) => [
      [day, before, true, false],
      [day, day, true, false],
      [day, after, false, true],
    ]),
  )('lts %s on %s → upcoming %s, isLts %s', (d, asOf, upcoming, lts) => {
    expect(isUpcomingLts(cycle({ lts: on(d) }), asOf)).toBe(upcoming);
    expect(isLts(cycle({ lts: on(d) }), asOf)).toBe(lts);
  });

  it.each([
    ['true', flag(true)],
    ['false', flag(false)],
    ['absent', ABSENT],
  ])('lts %s is never upcoming', (_label, lts) => {
    expect(isUpcomingLts(cycle({ lts }), TODAY)).toBe(false);
  });
});

describe('isMaintained (set_is_maintained, §4.3)', () => {
  const four = ['eoas', 'eol', 'eoes', 'discontinued'] as const;

  it.each(
    four.flatMap((field) =>
      BOUNDARIES.flatMap(([before, day, after]) => [
        { field, d: day, asOf: before, expected: true },
        { field, d: day, asOf: day, expected: true },
        { field, d: day, asOf: after, expected: false },
      ]),
    ),
  )('only $field: $d, on $asOf → $expected', ({ field, d, asOf, expected }) => {
    expect(isMaintained(cycle({ [field]: on(d) }), asOf)).toBe(expected);
  });

  it.each(
    four.flatMap((field) => [
      { field, value: flag(true), label: 'true', expected: false },
      { field, value: flag(false), label: 'false', expected: true },
    ]),
  )('only $field: $label → $expected', ({ field, value, expected }) => {
    expect(isMaintained(cycle({ [field]: value }), TODAY)).toBe(expected);
  });

  it.each<[string, Partial<SupportFields>, boolean]>([
    ['none of the four fields', {}, false],
    [
      'all four reached',
      { eoas: flag(true), eol: on('2026-08-21'), eoes: flag(true), discontinued: flag(true) },
      false,
    ],
    ['one open among reached ones (eoes)', { eoas: flag(true), eol: flag(true), eoes: on(TODAY) }, true],
    ['absent fields are ignored: eol absent, eoas in the future', { eoas: on('2026-08-23') }, true],
    ['absent fields are ignored: eol absent, eoas past', { eoas: on('2026-08-21') }, false],
    ['extended support counts: eol reached, eoes in the future', { eol: flag(true), eoes: on('2029-01-31') }, true],
    ['extended support counts: eol date past, eoes today', { eol: on('2026-01-01'), eoes: on(TODAY) }, true],
    ['extended support over: eol reached, eoes yesterday', { eol: flag(true), eoes: on('2026-08-21') }, false],
    ['samsung quirk: eol true, eoas false', { eol: flag(true), eoas: flag(false) }, true],
    ['discontinued: false alone ("still produced")', { discontinued: flag(false) }, true],
    ['discontinued: false although eol is reached', { eol: flag(true), discontinued: flag(false) }, true],
    ['lts plays no part: lts true alone', { lts: flag(true) }, false],
    ['lts plays no part: lts date in the future alone', { lts: on('2027-01-01') }, false],
    ['lts plays no part: lts false with eol true', { lts: flag(false), eol: flag(true) }, false],
    ['lts plays no part: lts true with eol true', { lts: flag(true), eol: flag(true) }, false],
  ])('%s → %s', (_label, fields, expected) => {
    expect(isMaintained(cycle(fields), TODAY)).toBe(expected);
  });
});

describe('worked cases of §4.8 (today = 2026-08-22)', () => {
  it.each<[string, Partial<SupportFields>, boolean | null, string | null, boolean]>([
    ['eol: 2026-08-22', { eol: on('2026-08-22') }, false, '2026-08-22', true],
    ['eol: 2026-08-21', { eol: on('2026-08-21') }, true, '2026-08-21', false],
    ['eol: false', { eol: flag(false) }, false, null, true],
    ['eol: true', { eol: flag(true) }, true, null, false],
    ['eol: true, eoes: 2029-01-31', { eol: flag(true), eoes: on('2029-01-31') }, true, null, true],
    ['eol: true, eoas: false', { eol: flag(true), eoas: flag(false) }, true, null, true],
    ['no eol, no other field', {}, null, null, false],
    // eoas present without eoasColumn: hidden in the API, but it counts
    ['eol: true, eoas: 2026-12-31 (no eoasColumn)', { eol: flag(true), eoas: on('2026-12-31') }, true, null, true],
  ])('%s → isEol %s, eolFrom %s, isMaintained %s', (_label, fields, isEol, eolFrom, maintained) => {
    const c = cycle(fields);
    expect(isReached(c.eol, TODAY)).toBe(isEol);
    expect(c.eol.from).toBe(eolFrom);
    expect(isMaintained(c, TODAY)).toBe(maintained);
  });

  it('eoes absent → isEoes null, eoesFrom null', () => {
    const c = cycle({ eol: on('2030-01-01') });
    expect(isReached(c.eoes, TODAY)).toBeNull();
    expect(c.eoes.from).toBeNull();
  });

  it('lts: 2026-08-22 → isLts false, ltsFrom 2026-08-22, upcoming', () => {
    const c = cycle({ lts: on('2026-08-22') });
    expect(isLts(c, TODAY)).toBe(false);
    expect(c.lts.from).toBe('2026-08-22');
    expect(isUpcomingLts(c, TODAY)).toBe(true);
  });

  it('lts: true → isLts true, ltsFrom null', () => {
    const c = cycle({ lts: flag(true) });
    expect(isLts(c, TODAY)).toBe(true);
    expect(c.lts.from).toBeNull();
    expect(isUpcomingLts(c, TODAY)).toBe(false);
  });
});

describe('supportPhase', () => {
  const E = '2026-06-30'; // eoas
  const L = '2027-06-30'; // eol
  const X = '2029-06-30'; // eoes
  it.each<[string, Partial<SupportFields>, string, SupportPhase]>([
    // UNKNOWN: none of eoas, eol, eoes (discontinued and lts are not support phases)
    ['nothing', {}, TODAY, 'UNKNOWN'],
    ['only discontinued: false', { discontinued: flag(false) }, TODAY, 'UNKNOWN'],
    ['only discontinued: true', { discontinued: flag(true) }, TODAY, 'UNKNOWN'],
    ['only lts: true', { lts: flag(true) }, TODAY, 'UNKNOWN'],
    // eol alone
    ['eol L, day before', { eol: on(L) }, '2027-06-29', 'ACTIVE'],
    ['eol L, on L', { eol: on(L) }, L, 'ACTIVE'],
    ['eol L, day after', { eol: on(L) }, '2027-07-01', 'ENDED'],
    ['eol false', { eol: flag(false) }, TODAY, 'ACTIVE'],
    ['eol true', { eol: flag(true) }, TODAY, 'ENDED'],
    // eoas then eol: SECURITY_ONLY from the day after eoas through the eol date
    ['eoas E, eol L, day before E', { eoas: on(E), eol: on(L) }, '2026-06-29', 'ACTIVE'],
    ['eoas E, eol L, on E', { eoas: on(E), eol: on(L) }, E, 'ACTIVE'],
    ['eoas E, eol L, day after E', { eoas: on(E), eol: on(L) }, '2026-07-01', 'SECURITY_ONLY'],
    ['eoas E, eol L, on L', { eoas: on(E), eol: on(L) }, L, 'SECURITY_ONLY'],
    ['eoas E, eol L, day after L', { eoas: on(E), eol: on(L) }, '2027-07-01', 'ENDED'],
    ['eoas true, eol false', { eoas: flag(true), eol: flag(false) }, TODAY, 'SECURITY_ONLY'],
    ['eoas false, eol false', { eoas: flag(false), eol: flag(false) }, TODAY, 'ACTIVE'],
    ['eoas true, eol in the future', { eoas: flag(true), eol: on(L) }, TODAY, 'SECURITY_ONLY'],
    // eol then eoes: EXTENDED from the day after eol through the eoes date
    ['eol L, eoes X, on L', { eol: on(L), eoes: on(X) }, L, 'ACTIVE'],
    ['eol L, eoes X, day after L', { eol: on(L), eoes: on(X) }, '2027-07-01', 'EXTENDED'],
    ['eol L, eoes X, day before X', { eol: on(L), eoes: on(X) }, '2029-06-29', 'EXTENDED'],
    ['eol L, eoes X, on X', { eol: on(L), eoes: on(X) }, X, 'EXTENDED'],
    ['eol L, eoes X, day after X', { eol: on(L), eoes: on(X) }, '2029-07-01', 'ENDED'],
    ['eoas E, eol L, eoes X, day after L', { eoas: on(E), eol: on(L), eoes: on(X) }, '2027-07-01', 'EXTENDED'],
    ['eol true, eoes false', { eol: flag(true), eoes: flag(false) }, TODAY, 'EXTENDED'],
    ['eol true, eoes true', { eol: flag(true), eoes: flag(true) }, TODAY, 'ENDED'],
    ['eol not reached, eoes already over (data oddity)', { eol: flag(false), eoes: flag(true) }, TODAY, 'ACTIVE'],
    // eol reached but active support still open
    ['eol true, eoas false (samsung)', { eol: flag(true), eoas: flag(false) }, TODAY, 'ACTIVE'],
    ['eol L, eoas later G, day after L', { eol: on(L), eoas: on('2027-12-31') }, '2027-07-01', 'ACTIVE'],
    ['eol L, eoas later G, on G', { eol: on(L), eoas: on('2027-12-31') }, '2027-12-31', 'ACTIVE'],
    ['eol L, eoas later G, day after G', { eol: on(L), eoas: on('2027-12-31') }, '2028-01-01', 'ENDED'],
    [
      'eol true, eoas false, eoes false: eoes first',
      { eol: flag(true), eoas: flag(false), eoes: flag(false) },
      TODAY,
      'EXTENDED',
    ],
    // eol absent
    ['no eol, eoas E, on E', { eoas: on(E) }, E, 'ACTIVE'],
    ['no eol, eoas E, day after E', { eoas: on(E) }, '2026-07-01', 'ENDED'],
    ['no eol, eoas false', { eoas: flag(false) }, TODAY, 'ACTIVE'],
    ['no eol, eoas true', { eoas: flag(true) }, TODAY, 'ENDED'],
    ['no eol, eoes X, on X', { eoes: on(X) }, X, 'EXTENDED'],
    ['no eol, eoes X, day after X', { eoes: on(X) }, '2029-07-01', 'ENDED'],
    ['no eol, eoas true, eoes false', { eoas: flag(true), eoes: flag(false) }, TODAY, 'EXTENDED'],
    // discontinued is a production flag, not a phase
    [
      'eol true, discontinued false (maintained, but ENDED)',
      { eol: flag(true), discontinued: flag(false) },
      TODAY,
      'ENDED',
    ],
    ['eol false, discontinued true', { eol: flag(false), discontinued: flag(true) }, TODAY, 'ACTIVE'],
    // lts is not a phase either
    ['eol true, lts true', { eol: flag(true), lts: flag(true) }, TODAY, 'ENDED'],
  ])('%s (%s) → %s', (_label, fields, asOf, expected) => {
    expect(supportPhase(cycle(fields), asOf)).toBe(expected);
  });

  describe('invariants over every combination', () => {
    const VALUES: [string, DateOrBoolValue][] = [
      ['absent', ABSENT],
      ['true', flag(true)],
      ['false', flag(false)],
      ['past', on('2026-08-21')],
      ['today', on(TODAY)],
      ['future', on('2026-08-23')],
    ];
    const DISCONTINUED: [string, DateOrBoolValue][] = [
      ['absent', ABSENT],
      ['false', flag(false)],
    ];
    const grid = VALUES.flatMap(([a, eoas]) =>
      VALUES.flatMap(([l, eol]) =>
        VALUES.flatMap(([x, eoes]) =>
          DISCONTINUED.map(([d, discontinued]) => ({
            name: `eoas ${a}, eol ${l}, eoes ${x}, discontinued ${d}`,
            c: cycle({ eoas, eol, eoes, discontinued }),
          })),
        ),
      ),
    );

    it('covers 6 × 6 × 6 × 2 combinations', () => {
      expect(grid).toHaveLength(432);
      expect(new Set(grid.map((g) => supportPhase(g.c, TODAY)))).toEqual(
        new Set(['UNKNOWN', 'ACTIVE', 'SECURITY_ONLY', 'EXTENDED', 'ENDED']),
      );
    });

    it('UNKNOWN iff none of eoas, eol, eoes is present', () => {
      const violations = grid.filter(
        ({ c }) =>
          (supportPhase(c, TODAY) === 'UNKNOWN') !== (!isPresent(c.eoas) && !isPresent(c.eol) && !isPresent(c.eoes)),
      );
      expect(violations.map((v) => v.name)).toEqual([]);
    });

    it('ENDED implies not maintained, unless discontinued is false', () => {
      const violations = grid.filter(
        ({ c }) => supportPhase(c, TODAY) === 'ENDED' && isMaintained(c, TODAY) && c.discontinued.flag !== false,
      );
      expect(violations.map((v) => v.name)).toEqual([]);
      // and the exception does occur: ENDED yet maintained through discontinued: false
      expect(
        grid.some(
          ({ c }) => supportPhase(c, TODAY) === 'ENDED' && isMaintained(c, TODAY) && c.discontinued.flag === false,
        ),
      ).toBe(true);
    });

    it('a cycle that is not maintained is ENDED or UNKNOWN', () => {
      const violations = grid.filter(
        ({ c }) => !isMaintained(c, TODAY) && !['ENDED', 'UNKNOWN'].includes(supportPhase(c, TODAY)),
      );
      expect(violations.map((v) => v.name)).toEqual([]);
    });

    it('agrees with the documented derivation, phase by phase', () => {
      // The rule of status.ts's doc comment, stated over "open" (present, not reached) and "reached".
      const open = (v: DateOrBoolValue) => isPresent(v) && isReached(v, TODAY) === false;
      const reached = (v: DateOrBoolValue) => isReached(v, TODAY) === true;
      const expected = (c: SupportFields): SupportPhase => {
        if (!isPresent(c.eoas) && !isPresent(c.eol) && !isPresent(c.eoes)) return 'UNKNOWN';
        if (open(c.eol)) return reached(c.eoas) ? 'SECURITY_ONLY' : 'ACTIVE';
        if (open(c.eoes)) return 'EXTENDED';
        return open(c.eoas) ? 'ACTIVE' : 'ENDED';
      };
      const violations = grid
        .filter(({ c }) => supportPhase(c, TODAY) !== expected(c))
        .map(({ name, c }) => `${name}: ${supportPhase(c, TODAY)}, expected ${expected(c)}`);
      expect(violations).toEqual([]);
    });
  });
});

describe('isReleased: released on asOf when asOf is on or after releaseDate', () => {
  it.each<[string | null, string, boolean | null]>([
    ['2024-04-25', '2024-04-24', false],
    ['2024-04-25', '2024-04-25', true],
    ['2024-04-25', '2024-04-26', true],
    [null, '2024-04-25', null],
  ])('releaseDate %s on %s → %s', (releaseDate, asOf, expected) => {
    expect(isReleased(releaseDate, asOf)).toBe(expected);
  });
});

describe('daysUntil', () => {
  it.each<[string | null, string, number | null]>([
    ['2026-08-22', '2026-08-22', 0],
    ['2026-08-23', '2026-08-22', 1],
    ['2026-08-21', '2026-08-22', -1],
    ['2026-09-21', '2026-08-22', 30],
    ['2025-03-01', '2024-03-01', 365],
    ['2024-03-01', '2023-03-01', 366],
    ['2024-03-01', '2024-02-28', 2],
    ['2027-01-01', '2026-12-31', 1],
    ['2020-01-01', '2026-08-22', -2425],
    [null, '2026-08-22', null],
  ])('from %s on %s → %s', (from, asOf, expected) => {
    expect(daysUntil(from, asOf)).toBe(expected);
  });
});

describe('addDays', () => {
  it.each<[string, number, string]>([
    ['2026-08-22', 0, '2026-08-22'],
    ['2026-08-22', 1, '2026-08-23'],
    ['2026-08-22', -1, '2026-08-21'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2026-08-22', 30, '2026-09-21'],
    ['2026-08-22', 36_500, '2126-07-29'],
  ])('%s %+d → %s', (iso, days, expected) => {
    expect(addDays(iso, days)).toBe(expected);
    expect(daysUntil(expected, iso)).toBe(days);
  });
});

describe('utcDate / nextUtcMidnight', () => {
  it.each([
    ['2026-08-22T00:00:00.000Z', '2026-08-22', '2026-08-23T00:00:00.000Z'],
    ['2026-08-22T12:34:56.789Z', '2026-08-22', '2026-08-23T00:00:00.000Z'],
    ['2026-08-22T23:59:59.999Z', '2026-08-22', '2026-08-23T00:00:00.000Z'],
    // a clock reading with an offset is still judged by its UTC date
    ['2026-08-22T23:30:00-02:00', '2026-08-23', '2026-08-24T00:00:00.000Z'],
    ['2026-08-23T00:30:00+02:00', '2026-08-22', '2026-08-23T00:00:00.000Z'],
    ['2026-12-31T18:00:00.000Z', '2026-12-31', '2027-01-01T00:00:00.000Z'],
    ['2024-02-28T10:00:00.000Z', '2024-02-28', '2024-02-29T00:00:00.000Z'],
  ])('%s → today %s, next midnight %s', (reading, today, next) => {
    const now = new Date(reading);
    expect(utcDate(now)).toBe(today);
    expect(nextUtcMidnight(now).toISOString()).toBe(next);
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2026-08-22', true],
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2026-12-31', true],
    ['9999-12-31', true],
    ['0001-01-01', true],
    // Date.UTC would read the year 99 as 1999
    ['0099-01-01', true],
    ['0004-02-29', true],
    ['0000-01-01', false],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['0100-02-29', false],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    ['2026-1-01', false],
    ['2026-01-1', false],
    ['20260101', false],
    ['2026-01-01T00:00:00Z', false],
    [' 2026-01-01', false],
    ['2026-01-01\n', false],
    ['', false],
    ['today', false],
  ])('%j → %s', (s, expected) => {
    expect(isCalendarDate(s)).toBe(expected);
  });
});

describe('legacy support / extendedSupport, end to end through the importer (§3.3)', () => {
  const toValue = (v: DateOrBool): DateOrBoolValue =>
    v === null ? ABSENT : 'date' in v ? { flag: null, from: v.date } : { flag: v.flag, from: null };

  const text = [
    '---',
    'title: Legacy',
    'permalink: /legacy',
    'category: os',
    'releases:',
    '  - releaseCycle: "support-true"',
    '    releaseDate: 2020-01-01',
    '    support: true',
    '  - releaseCycle: "support-false"',
    '    releaseDate: 2020-01-01',
    '    support: false',
    '  - releaseCycle: "support-date"',
    '    releaseDate: 2020-01-01',
    '    support: 2021-06-30',
    '  - releaseCycle: "extended-true"',
    '    releaseDate: 2020-01-01',
    '    eol: true',
    '    extendedSupport: true',
    '  - releaseCycle: "extended-false"',
    '    releaseDate: 2020-01-01',
    '    eol: true',
    '    extendedSupport: false',
    '  - releaseCycle: "extended-false-alone"',
    '    releaseDate: 2020-01-01',
    '    extendedSupport: false',
    '  - releaseCycle: "extended-date"',
    '    releaseDate: 2020-01-01',
    '    eol: true',
    '    extendedSupport: 2027-01-31',
    '---',
    'Body.',
    '',
  ].join('\n');

  const prepared = prepareDocument(
    Buffer.from(text, 'utf8'),
    'products/legacy.md',
    { maxBytes: 1e6, maxYamlNodes: 1e5 },
    TODAY,
  );
  const byName = new Map(
    (prepared.doc?.releases ?? []).map((r) => [
      r.name,
      cycle({
        lts: toValue(r.lts),
        eoas: toValue(r.eoas),
        eol: toValue(r.eol),
        eoes: toValue(r.eoes),
        discontinued: toValue(r.discontinued),
      }),
    ]),
  );
  const get = (name: string): SupportFields => {
    const c = byName.get(name);
    if (!c) throw new Error(`release ${name} was not imported`);
    return c;
  };

  it('accepts the document with all seven releases', () => {
    expect(prepared.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect([...byName.keys()]).toEqual([
      'support-true',
      'support-false',
      'support-date',
      'extended-true',
      'extended-false',
      'extended-false-alone',
      'extended-date',
    ]);
  });

  it('support: true → eoas: false, maintained on any date', () => {
    const c = get('support-true');
    expect(c.eoas).toEqual(flag(false));
    for (const asOf of ['1970-01-01', TODAY, '2999-12-31']) {
      expect(isReached(c.eoas, asOf)).toBe(false);
      expect(isMaintained(c, asOf)).toBe(true);
      expect(supportPhase(c, asOf)).toBe('ACTIVE');
    }
  });

  it('support: false → eoas: true, isEoas true, not maintained', () => {
    const c = get('support-false');
    expect(c.eoas).toEqual(flag(true));
    expect(isReached(c.eoas, TODAY)).toBe(true);
    expect(isMaintained(c, TODAY)).toBe(false);
  });

  it.each([
    ['2021-06-29', false, true],
    ['2021-06-30', false, true],
    ['2021-07-01', true, false],
  ])('support: 2021-06-30 keeps its date; on %s isEoas %s, maintained %s', (asOf, isEoas, maintained) => {
    const c = get('support-date');
    expect(c.eoas).toEqual(on('2021-06-30'));
    expect(isReached(c.eoas, asOf)).toBe(isEoas);
    expect(isMaintained(c, asOf)).toBe(maintained);
  });

  it('extendedSupport: true → eoes: false, isEoes false, maintained although EOL', () => {
    const c = get('extended-true');
    expect(c.eoes).toEqual(flag(false));
    expect(isReached(c.eoes, TODAY)).toBe(false);
    expect(isReached(c.eol, TODAY)).toBe(true);
    expect(isMaintained(c, TODAY)).toBe(true);
    expect(supportPhase(c, TODAY)).toBe('EXTENDED');
  });

  it('extendedSupport: false → eoes absent (isEoes null), not maintained', () => {
    for (const name of ['extended-false', 'extended-false-alone']) {
      const c = get(name);
      expect(c.eoes).toEqual(ABSENT);
      expect(isReached(c.eoes, TODAY)).toBeNull();
      expect(isMaintained(c, TODAY)).toBe(false);
    }
    expect(supportPhase(get('extended-false'), TODAY)).toBe('ENDED');
    expect(supportPhase(get('extended-false-alone'), TODAY)).toBe('UNKNOWN');
  });

  it.each([
    ['2027-01-30', false, true],
    ['2027-01-31', false, true],
    ['2027-02-01', true, false],
  ])('extendedSupport: 2027-01-31 keeps its date; on %s isEoes %s, maintained %s', (asOf, isEoes, maintained) => {
    const c = get('extended-date');
    expect(c.eoes).toEqual(on('2027-01-31'));
    expect(isReached(c.eoes, asOf)).toBe(isEoes);
    expect(isMaintained(c, asOf)).toBe(maintained);
  });
});
