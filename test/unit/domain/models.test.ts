// CycleNode and ProductNode: the API fields computed from stored rows (docs/eol-format.md §4, §5.1),
// with hand-built rows.
import { describe, expect, it } from 'vitest';
import type { CycleRow, ProductRow } from '../../../src/data/rows.ts';
import { CycleNode, ProductNode } from '../../../src/graphql/models.ts';

const TODAY = '2026-08-22';

/** A product as the importer stores one without column settings (site defaults). */
const productRow = (over: Partial<ProductRow> = {}): ProductRow => ({
  id: 1,
  name: 'foo',
  label: 'Foo',
  category: 'os',
  iconSlug: null,
  versionCommand: null,
  releasePolicyLink: null,
  changelogTemplate: null,
  releaseLabel: null,
  ltsLabel: null,
  eolColumn: true,
  eolLabel: null,
  eoasColumn: false,
  eoasLabel: null,
  eoesColumn: false,
  eoesLabel: null,
  discontinuedColumn: false,
  discontinuedLabel: null,
  latestColumn: true,
  latestLabel: null,
  releaseDateColumn: true,
  releaseDateLabel: null,
  addedAt: '2021-07-18',
  updatedAt: '2026-08-22T08:52:34.000Z',
  warnings: '[]',
  ...over,
});

/** A cycle with no date-or-boolean field set. */
const cycleRow = (over: Partial<CycleRow> = {}): CycleRow => ({
  id: 10,
  productId: 1,
  position: 0,
  name: '1.0',
  codename: null,
  releaseLabel: null,
  releaseDate: '2020-01-01',
  latest: null,
  latestReleaseDate: null,
  linkSet: false,
  link: null,
  ltsFlag: null,
  ltsFrom: null,
  eoasFlag: null,
  eoasFrom: null,
  eolFlag: null,
  eolFrom: null,
  eoesFlag: null,
  eoesFrom: null,
  discontinuedFlag: null,
  discontinuedFrom: null,
  outOfOrder: false,
  cycleShortHand: null,
  latestShortHand: null,
  custom: null,
  ...over,
});

const node = (over: Partial<CycleRow>, asOf = TODAY) => new CycleNode(cycleRow(over), asOf);

type Field = 'eoas' | 'eol' | 'eoes' | 'discontinued' | 'lts';
const GETTERS: Record<Field, { is: (n: CycleNode) => boolean | null; from: (n: CycleNode) => string | null }> = {
  eoas: { is: (n) => n.isEoas, from: (n) => n.eoasFrom },
  eol: { is: (n) => n.isEol, from: (n) => n.eolFrom },
  eoes: { is: (n) => n.isEoes, from: (n) => n.eoesFrom },
  discontinued: { is: (n) => n.isDiscontinued, from: (n) => n.discontinuedFrom },
  lts: { is: (n) => n.isLts, from: (n) => n.ltsFrom },
};
const FIELDS = Object.keys(GETTERS) as Field[];
const set = (field: Field, flag: boolean | null, from: string | null): Partial<CycleRow> => ({
  [`${field}Flag`]: flag,
  [`${field}From`]: from,
});

describe('CycleNode: is*/…From of every date-or-boolean field', () => {
  it.each(
    FIELDS.flatMap((field) => [
      { field, asOf: '2026-08-21', is: false },
      { field, asOf: '2026-08-22', is: false },
      { field, asOf: '2026-08-23', is: true },
      { field, asOf: '2026-12-31', is: true },
    ]),
  )('$field: 2026-08-22 on $asOf → $is', ({ field, asOf, is }) => {
    const n = node(set(field, null, '2026-08-22'), asOf);
    expect(GETTERS[field].is(n)).toBe(is);
    expect(GETTERS[field].from(n)).toBe('2026-08-22');
  });

  it.each(
    FIELDS.flatMap((field) => [
      { field, flag: true as boolean | null, is: true as boolean | null },
      { field, flag: false as boolean | null, is: false as boolean | null },
      // absent: null, except lts, which the site defaults to false
      { field, flag: null as boolean | null, is: field === 'lts' ? false : null },
    ]),
  )('$field: flag $flag → $is, from null', ({ field, flag, is }) => {
    const n = node(set(field, flag, null));
    expect(GETTERS[field].is(n)).toBe(is);
    expect(GETTERS[field].from(n)).toBeNull();
  });

  it('a field only reads its own columns', () => {
    const n = node({ eolFlag: true, eoasFrom: '2030-01-01', eoesFlag: false, discontinuedFrom: '2020-01-01' });
    expect([n.isEoas, n.isEol, n.isEoes, n.isDiscontinued, n.isLts]).toEqual([false, true, false, true, false]);
    expect([n.eoasFrom, n.eolFrom, n.eoesFrom, n.discontinuedFrom, n.ltsFrom]).toEqual([
      '2030-01-01',
      null,
      null,
      '2020-01-01',
      null,
    ]);
  });
});

describe('CycleNode: isMaintained, supportPhase, daysUntilEol', () => {
  it.each<[string, Partial<CycleRow>, boolean, string]>([
    ['eol today', { eolFrom: '2026-08-22' }, true, 'ACTIVE'],
    ['eol yesterday', { eolFrom: '2026-08-21' }, false, 'ENDED'],
    ['eol false', { eolFlag: false }, true, 'ACTIVE'],
    ['eol true', { eolFlag: true }, false, 'ENDED'],
    ['eol true, eoes 2029-01-31', { eolFlag: true, eoesFrom: '2029-01-31' }, true, 'EXTENDED'],
    ['eol true, eoas false (samsung)', { eolFlag: true, eoasFlag: false }, true, 'ACTIVE'],
    ['eoas past, eol future', { eoasFrom: '2026-01-01', eolFrom: '2027-01-01' }, true, 'SECURITY_ONLY'],
    ['nothing', {}, false, 'UNKNOWN'],
    ['discontinued false alone', { discontinuedFlag: false }, true, 'UNKNOWN'],
    ['lts true alone', { ltsFlag: true }, false, 'UNKNOWN'],
  ])('%s → maintained %s, %s', (_label, over, maintained, phase) => {
    const n = node(over);
    expect(n.isMaintained).toBe(maintained);
    expect(n.supportPhase).toBe(phase);
  });

  it.each<[Partial<CycleRow>, string, number | null]>([
    [{ eolFrom: '2026-08-22' }, '2026-08-21', 1],
    [{ eolFrom: '2026-08-22' }, '2026-08-22', 0],
    [{ eolFrom: '2026-08-22' }, '2026-08-23', -1],
    [{ eolFrom: '2029-05-31' }, TODAY, 1013],
    [{ eolFrom: '2020-01-01' }, TODAY, -2425],
    [{ eolFlag: true }, TODAY, null],
    [{ eolFlag: false }, TODAY, null],
    [{}, TODAY, null],
    // only eol counts
    [{ eoesFrom: '2029-01-31', eolFlag: true }, TODAY, null],
  ])('%j on %s → daysUntilEol %s', (over, asOf, days) => {
    expect(node(over, asOf).daysUntilEol).toBe(days);
  });
});

describe('CycleNode: plain fields', () => {
  it('returns the row as stored, dates as YYYY-MM-DD', () => {
    const n = node({
      productId: 7,
      position: 3,
      name: '24.04',
      codename: 'Noble Numbat',
      releaseDate: '2024-04-25',
      outOfOrder: true,
    });
    expect({
      productId: n.productId,
      name: n.name,
      slug: n.slug,
      position: n.position,
      codename: n.codename,
      releaseDate: n.releaseDate,
      outOfOrder: n.outOfOrder,
      asOf: n.asOf,
    }).toEqual({
      productId: 7,
      name: '24.04',
      slug: '24.04',
      position: 3,
      codename: 'Noble Numbat',
      releaseDate: '2024-04-25',
      outOfOrder: true,
      asOf: TODAY,
    });
  });

  it.each([
    ['stable/12', 'stable-12'],
    ['a/b/c', 'a-b-c'],
    ['galaxy-s23', 'galaxy-s23'],
    ['24.04', '24.04'],
  ])('slug of %j → %j', (name, slug) => {
    expect(node({ name }).slug).toBe(slug);
  });
});

describe('CycleNode.labelFor', () => {
  it.each<[string, Partial<CycleRow>, Partial<ProductRow>, string]>([
    ['no template: the cycle name', { name: '3.12' }, {}, '3.12'],
    ['the product template', { name: '3.12' }, { releaseLabel: 'Python __RELEASE_CYCLE__' }, 'Python 3.12'],
    [
      'the release template beats the product one',
      { name: '8.2', releaseLabel: '__RELEASE_CYCLE__ (Rapid Release)' },
      { releaseLabel: '__RELEASE_CYCLE__{%if r.codename %} ({{r.codename}}){%endif%}' },
      '8.2 (Rapid Release)',
    ],
    [
      'mongodb: the product template with an undefined variable',
      { name: '8.0', codename: 'x' },
      { releaseLabel: '__RELEASE_CYCLE__{%if r.codename %} ({{r.codename}}){%endif%}' },
      '8.0',
    ],
    [
      'ubuntu',
      { name: '24.04', codename: 'Noble Numbat', ltsFlag: true },
      { releaseLabel: "__RELEASE_CYCLE__ '__CODENAME__'" },
      "24.04 'Noble Numbat' (LTS)",
    ],
    [
      'azul-zulu: HTML stripped',
      { name: '20', releaseLabel: '20 (<abbr title="Short Term Support">STS</abbr>)' },
      {},
      '20 (STS)',
    ],
    [
      'custom LTSLabel, HTML stripped',
      { name: '115', ltsFlag: true },
      { ltsLabel: "<abbr title='Extended Support Release'>ESR</abbr>" },
      '115 (ESR)',
    ],
    ['lts false: no suffix', { name: '23.10', ltsFlag: false }, {}, '23.10'],
  ])('%s → %s', (_label, over, productOver, expected) => {
    expect(node(over).labelFor(productRow(productOver))).toBe(expected);
  });

  it.each([
    ['2026-08-22', '26 (Upcoming LTS)'],
    ['2026-10-27', '26 (Upcoming LTS)'],
    ['2026-10-28', '26 (Upcoming LTS)'],
    ['2026-10-29', '26 (LTS)'],
  ])('nodejs 26 (lts 2026-10-28) on %s → %s', (asOf, expected) => {
    expect(node({ name: '26', ltsFrom: '2026-10-28' }, asOf).labelFor(productRow())).toBe(expected);
  });
});

describe('CycleNode.latestFor', () => {
  const TEMPLATE = 'https://example.com/__RELEASE_CYCLE__/#__LATEST__';
  const withLatest: Partial<CycleRow> = { name: '3.12', latest: '3.12.4', latestReleaseDate: '2024-06-06' };

  it('null when the product hides the latest column, even with data', () => {
    expect(node(withLatest).latestFor(productRow({ latestColumn: false, changelogTemplate: TEMPLATE }))).toBeNull();
  });

  it.each<[string, Partial<CycleRow>, string | null, string | null]>([
    ['the product template', {}, TEMPLATE, 'https://example.com/3.12/#3.12.4'],
    ['no template, no link', {}, null, null],
    ['link: null + changelogTemplate → null (§4.8)', { linkSet: true, link: null }, TEMPLATE, null],
    ['a plain release link', { linkSet: true, link: 'https://r.example/x' }, TEMPLATE, 'https://r.example/x'],
    [
      'a release link template',
      { linkSet: true, link: 'https://r.example/__LATEST__' },
      null,
      'https://r.example/3.12.4',
    ],
  ])('%s', (_label, over, changelogTemplate, link) => {
    expect(node({ ...withLatest, ...over }).latestFor(productRow({ changelogTemplate }))).toEqual({
      name: '3.12.4',
      date: '2024-06-06',
      link,
    });
  });

  it('name and date are null when the cycle has no latest', () => {
    expect(node({ name: '1.0' }).latestFor(productRow())).toEqual({ name: null, date: null, link: null });
  });
});

describe('CycleNode.customFor', () => {
  const custom = JSON.stringify({
    supportedPhpVersions: '8.1 - 8.3',
    technicalGuidance: '2026-01-01',
    chromeVersion: 17,
    flag: true,
    nothing: null,
    undeclared: 'x',
  });

  it('null when the product declares no custom field', () => {
    expect(node({ custom }).customFor([])).toBeNull();
  });

  it('every declared field in declaration order, values as text, null when missing', () => {
    const declared = ['technicalGuidance', 'supportedPhpVersions', 'chromeVersion', 'flag', 'nothing', 'missing'];
    expect(node({ custom }).customFor(declared.map((name) => ({ name })))).toEqual([
      { name: 'technicalGuidance', value: '2026-01-01' },
      { name: 'supportedPhpVersions', value: '8.1 - 8.3' },
      { name: 'chromeVersion', value: '17' },
      { name: 'flag', value: 'true' },
      { name: 'nothing', value: null },
      { name: 'missing', value: null },
    ]);
  });

  it('a cycle without custom values: every declared field null', () => {
    expect(node({ custom: null }).customFor([{ name: 'a' }, { name: 'b' }])).toEqual([
      { name: 'a', value: null },
      { name: 'b', value: null },
    ]);
  });
});

describe('CycleNode: ubuntu 24.04 as in the API v1 example (§5.1)', () => {
  it('gives the documented values', () => {
    const product = productRow({
      name: 'ubuntu',
      releaseLabel: "__RELEASE_CYCLE__ '__CODENAME__'",
      changelogTemplate: `https://wiki.ubuntu.com/{{"__CODENAME__"|replace:' ',''}}/ReleaseNotes/`,
      eoasColumn: true,
      eoesColumn: true,
    });
    const n = new CycleNode(
      cycleRow({
        name: '24.04',
        codename: 'Noble Numbat',
        ltsFlag: true,
        releaseDate: '2024-04-25',
        eoasFrom: '2029-05-31',
        eolFrom: '2029-05-31',
        eoesFrom: '2036-05-31',
        latest: '24.04.4',
        latestReleaseDate: '2026-02-12',
      }),
      TODAY,
      product,
    );
    expect({
      name: n.name,
      codename: n.codename,
      label: n.labelFor(product),
      releaseDate: n.releaseDate,
      isLts: n.isLts,
      ltsFrom: n.ltsFrom,
      isEoas: n.isEoas,
      eoasFrom: n.eoasFrom,
      isEol: n.isEol,
      eolFrom: n.eolFrom,
      isEoes: n.isEoes,
      eoesFrom: n.eoesFrom,
      isMaintained: n.isMaintained,
      latest: n.latestFor(product),
      custom: n.customFor([]),
    }).toEqual({
      name: '24.04',
      codename: 'Noble Numbat',
      label: "24.04 'Noble Numbat' (LTS)",
      releaseDate: '2024-04-25',
      isLts: true,
      ltsFrom: null,
      isEoas: false,
      eoasFrom: '2029-05-31',
      isEol: false,
      eolFrom: '2029-05-31',
      isEoes: false,
      eoesFrom: '2036-05-31',
      isMaintained: true,
      latest: { name: '24.04.4', date: '2026-02-12', link: 'https://wiki.ubuntu.com/NobleNumbat/ReleaseNotes/' },
      custom: null,
    });
    expect(n.productRow).toBe(product);
    expect(n.supportPhase).toBe('ACTIVE');
    expect(n.daysUntilEol).toBe(1013);
  });
});

describe('ProductNode', () => {
  it('columns: the site defaults and their labels', () => {
    expect(new ProductNode(productRow(), TODAY).columns).toEqual({
      releaseDate: { shown: true, label: 'Released' },
      latest: { shown: true, label: 'Latest' },
      eoas: { shown: false, label: 'Active Support' },
      eol: { shown: true, label: 'Security Support' },
      eoes: { shown: false, label: 'Extended Support' },
      discontinued: { shown: false, label: 'Discontinued' },
    });
  });

  it('columns: labels given by the document (HTML kept)', () => {
    const p = new ProductNode(
      productRow({
        eolLabel: 'General Support',
        eoesColumn: true,
        eoesLabel: 'Long Term Service Pack Support',
        latestColumn: false,
        eoasColumn: true,
        eoasLabel: '<abbr title="Active">Active</abbr> Support',
      }),
      TODAY,
    );
    expect(p.columns).toEqual({
      releaseDate: { shown: true, label: 'Released' },
      latest: { shown: false, label: 'Latest' },
      eoas: { shown: true, label: '<abbr title="Active">Active</abbr> Support' },
      eol: { shown: true, label: 'General Support' },
      eoes: { shown: true, label: 'Long Term Service Pack Support' },
      discontinued: { shown: false, label: 'Discontinued' },
    });
  });

  it('labels (API v1): HTML stripped, null when the column is off', () => {
    expect(new ProductNode(productRow(), TODAY).labels).toEqual({
      eoas: null,
      discontinued: null,
      eol: 'Security Support',
      eoes: null,
    });
    expect(
      new ProductNode(
        productRow({
          eoasColumn: true,
          eoasLabel: '<abbr title="Active">Active</abbr> Support',
          discontinuedColumn: true,
          eolColumn: false,
          eolLabel: 'Hidden anyway',
          eoesColumn: true,
        }),
        TODAY,
      ).labels,
    ).toEqual({ eoas: 'Active Support', discontinued: 'Discontinued', eol: null, eoes: 'Extended Support' });
  });

  it('plain fields come from the row', () => {
    const p = new ProductNode(
      productRow({
        id: 9,
        name: 'sles',
        label: 'SUSE Linux Enterprise Server',
        iconSlug: 'suse',
        versionCommand: 'cat /etc/os-release',
        releasePolicyLink: 'https://www.suse.com/lifecycle',
        changelogTemplate: 'https://x/__RELEASE_CYCLE__',
      }),
      TODAY,
    );
    expect([
      p.id,
      p.name,
      p.label,
      p.category,
      p.iconSlug,
      p.versionCommand,
      p.releasePolicyLink,
      p.changelogTemplate,
      p.addedAt,
      p.updatedAt,
    ]).toEqual([
      9,
      'sles',
      'SUSE Linux Enterprise Server',
      'os',
      'suse',
      'cat /etc/os-release',
      'https://www.suse.com/lifecycle',
      'https://x/__RELEASE_CYCLE__',
      '2021-07-18',
      '2026-08-22T08:52:34.000Z',
    ]);
  });

  it.each<[string, { path: string; message: string; line?: number }[]]>([
    ['[]', []],
    [
      '[{"path":"releases[0].eol","message":"m","line":12},{"path":"x"},{"message":"y"},null,{"path":"t","message":"n"}]',
      [
        { path: 'releases[0].eol', message: 'm', line: 12 },
        { path: 't', message: 'n' },
      ],
    ],
    ['{"path":"a","message":"b"}', []],
    ['not json', []],
  ])('importWarnings of %j', (warnings, expected) => {
    expect(new ProductNode(productRow({ warnings }), TODAY).importWarnings).toEqual(expected);
  });
});
