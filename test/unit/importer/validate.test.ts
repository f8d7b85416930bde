// endoflife.date's HEAD validator rules (docs/eol-format.md §6.2), run through prepareDocument as
// the importer runs them. Legacy documents legitimately break them (§6.3): warnings only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareDocument } from '../../../src/importer/import.ts';
import { corpusDir, noCorpus } from '../../helpers/env.ts';
import { FILE, fullRelease, LIMITS, lineWith, PRODUCT, problems, productText, release, TODAY } from './fixtures.ts';

function prepare(text: string, today = TODAY) {
  return prepareDocument(Buffer.from(text, 'utf8'), FILE, LIMITS, today);
}

/** The warnings of a document the validator must not reject. */
function warnings(text: string, today = TODAY) {
  const r = prepare(text, today);
  expect(r.doc).not.toBeNull();
  expect(r.problems.every((p) => p.severity === 'warning')).toBe(true);
  expect(r.doc!.warnings).toEqual(r.problems);
  return problems(r.problems);
}

describe('validateDocument: a clean document', () => {
  it('has no warnings', () => {
    const text = productText(
      [...PRODUCT, 'eoasColumn: true', 'eoesColumn: true', 'releasePolicyLink: https://example.com/policy'],
      fullRelease('2', '2021-01-01', 'eoas: 2022-01-01', 'eoes: 2030-01-01', 'link: https://example.com/2'),
      fullRelease('1', '2020-01-01', 'eoas: true', 'eoes: false', 'link: null'),
    );
    expect(warnings(text)).toEqual([]);
  });
});

describe('validateDocument: release order (newest first)', () => {
  it('warns about a release listed after an older one', () => {
    const text = productText(
      PRODUCT,
      fullRelease('3', '2021-01-01'),
      fullRelease('2', '2022-01-01'),
      fullRelease('1', '2020-01-01'),
    );
    expect(warnings(text)).toEqual([
      {
        severity: 'warning',
        path: 'releases[1].releaseDate',
        line: lineWith(text, 'releaseDate: 2022-01-01'),
        message:
          'cycle "2" (2022-01-01) is listed after a cycle released earlier (2021-01-01); releases go newest first',
      },
    ]);
  });

  it('allows equal dates', () => {
    const text = productText(PRODUCT, fullRelease('2', '2021-01-01'), fullRelease('1', '2021-01-01'));
    expect(warnings(text)).toEqual([]);
  });

  it.each([
    // jenkins.md: the weekly line is kept at the top
    ['an outOfOrder release is not checked', ['2026-08-01', '2021-01-01', '2020-01-01'], 0],
    // … nor compared with: the next release is checked against the one before it
    ['an outOfOrder release is not compared with', ['2021-01-01', '2010-01-01', '2020-01-01'], 1],
  ])('%s', (_what, dates, outOfOrder) => {
    const releases = dates.map((d, i) => fullRelease(`c${i}`, d, ...(i === outOfOrder ? ['outOfOrder: true'] : [])));
    expect(warnings(productText(PRODUCT, ...releases))).toEqual([]);
  });

  it('skips releases without releaseDate in the comparison', () => {
    const text = productText(
      PRODUCT,
      fullRelease('3', '2021-01-01'),
      release('releaseCycle: "2"', 'eol: false', 'latest: "2.0"'),
      fullRelease('1', '2022-01-01'),
    );
    expect(warnings(text).map((w) => w.path)).toEqual(['releases[1].releaseDate', 'releases[2].releaseDate']);
  });
});

describe('validateDocument: release fields', () => {
  it('warns about a custom field that is not declared', () => {
    const text = productText(
      [...PRODUCT, 'customFields:', '  - name: declared', '    display: api-only', '    label: Declared'],
      fullRelease('1', '2020-01-01', 'declared: "x"', 'buildID: "42"'),
    );
    expect(warnings(text)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].buildID',
        line: lineWith(text, 'buildID'),
        message: '"buildID" is not a standard field and is not declared in customFields',
      },
    ]);
  });

  it.each(['Debian 8 "Jessie"', 'V1', 'stable/12', '1.0 LTS'])(
    'warns that releaseCycle %j breaks the regex',
    (cycle) => {
      const text = productText(PRODUCT, fullRelease(cycle.replace(/"/g, '\\"'), '2020-01-01'));
      expect(warnings(text)).toEqual([
        {
          severity: 'warning',
          path: 'releases[0].releaseCycle',
          line: lineWith(text, 'releaseCycle'),
          message: `"${cycle}" does not match ^[a-z0-9.-+_]+$`,
        },
      ]);
    },
  );

  it.each(['1.2', 'galaxy-z-flip8', 'motorola-razr+-2026', 'a_b', '24.04'])('accepts releaseCycle %j', (cycle) => {
    expect(warnings(productText(PRODUCT, fullRelease(cycle, '2020-01-01')))).toEqual([]);
  });

  it('warns about a release without eol or releaseDate', () => {
    const text = productText(PRODUCT, release('releaseCycle: "1"', 'latest: "1.0"'));
    const line = lineWith(text, 'releaseCycle');
    expect(warnings(text)).toEqual([
      { severity: 'warning', path: 'releases[0].releaseDate', line, message: 'cycle "1" has no releaseDate' },
      { severity: 'warning', path: 'releases[0].eol', line, message: 'cycle "1" has no eol' },
    ]);
  });

  it.each([
    ['2026-08-29', []],
    ['2026-08-30', ['2026-08-30 is more than 7 days in the future']],
  ])('releaseDate %s with today 2026-08-22: %j', (date, messages) => {
    const text = productText(PRODUCT, fullRelease('1', date));
    expect(warnings(text)).toEqual(
      messages.map((message) => ({
        severity: 'warning',
        path: 'releases[0].releaseDate',
        line: lineWith(text, 'releaseDate'),
        message,
      })),
    );
  });

  it('warns about a latestReleaseDate more than 7 days ahead, only while the latest column is shown', () => {
    const rel = fullRelease('1', '2026-08-01', 'latestReleaseDate: 2026-09-01');
    const text = productText(PRODUCT, rel);
    expect(warnings(text)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].latestReleaseDate',
        line: lineWith(text, 'latestReleaseDate'),
        message: '2026-09-01 is more than 7 days in the future',
      },
    ]);
    expect(warnings(productText([...PRODUCT, 'latestColumn: false'], rel))).toEqual([]);
  });

  it.each([
    [
      'ftp://example.com/1.0',
      ['"ftp://example.com/1.0" is not an http(s) URL; not stored (the product\'s changelog template applies instead)'],
    ],
    [
      'example.com/1.0',
      ['"example.com/1.0" is not an http(s) URL; not stored (the product\'s changelog template applies instead)'],
    ],
    [
      '"javascript:alert(1)"',
      ['"javascript:alert(1)" is not an http(s) URL; not stored (the product\'s changelog template applies instead)'],
    ],
    ['https://example.com/__LATEST__', []],
    ['http://example.com', []],
  ])('link %s: %j', (link, messages) => {
    const text = productText(PRODUCT, fullRelease('1', '2020-01-01', `link: ${link}`));
    expect(warnings(text)).toEqual(
      messages.map((message) => ({
        severity: 'warning',
        path: 'releases[0].link',
        line: lineWith(text, '    link:'),
        message,
      })),
    );
  });
});

describe('validateDocument: date order', () => {
  const cols = [...PRODUCT, 'eoasColumn: true', 'eoesColumn: true'];

  it.each([
    [
      'releaseDate after eol',
      PRODUCT,
      ['eol: 2019-01-01'],
      [['eol', 'releaseDate 2020-01-01 is after eol 2019-01-01']],
    ],
    [
      'releaseDate after eoas',
      cols,
      ['eoas: 2019-06-01', 'eol: 2025-01-01'],
      [['eoas', 'releaseDate 2020-01-01 is after eoas 2019-06-01']],
    ],
    [
      'eoas after eol',
      cols,
      ['eoas: 2024-01-01', 'eol: 2023-01-01'],
      [['eol', 'eoas 2024-01-01 is after eol 2023-01-01']],
    ],
    [
      'eol after eoes',
      cols,
      ['eoas: 2021-01-01', 'eol: 2025-01-01', 'eoes: 2024-01-01'],
      [['eoes', 'eol 2025-01-01 is after eoes 2024-01-01']],
    ],
    [
      'everything reversed',
      cols,
      ['eoas: 2019-01-01', 'eol: 2018-01-01', 'eoes: 2017-01-01'],
      [
        ['eoas', 'releaseDate 2020-01-01 is after eoas 2019-01-01'],
        ['eol', 'releaseDate 2020-01-01 is after eol 2018-01-01'],
        ['eoes', 'releaseDate 2020-01-01 is after eoes 2017-01-01'],
        ['eol', 'eoas 2019-01-01 is after eol 2018-01-01'],
        ['eoes', 'eoas 2019-01-01 is after eoes 2017-01-01'],
        ['eoes', 'eol 2018-01-01 is after eoes 2017-01-01'],
      ],
    ],
    // eoas and eoes are only compared while their columns are shown
    ['eoas/eoes with hidden columns', PRODUCT, ['eoas: 2019-01-01', 'eol: 2025-01-01', 'eoes: 2017-01-01'], []],
    ['booleans are not dates', cols, ['eoas: true', 'eol: true', 'eoes: false'], []],
    ['equal dates', cols, ['eoas: 2020-01-01', 'eol: 2020-01-01', 'eoes: 2020-01-01'], []],
  ])('%s', (_what, product, fields, expected) => {
    const text = productText(
      product,
      release('releaseCycle: "1"', 'releaseDate: 2020-01-01', 'latest: "1.0"', ...fields),
    );
    expect(warnings(text)).toEqual(
      expected.map(([key, message]) => ({
        severity: 'warning',
        path: `releases[0].${key}`,
        line: lineWith(text, `    ${key}:`),
        message,
      })),
    );
  });
});

describe('validateDocument: product fields', () => {
  it('warns about tags, aliases and links that break the HEAD patterns', () => {
    const text = productText(
      [
        ...PRODUCT,
        'tags: web Web_Server',
        'alternate_urls: [/ok, /not.ok, /Not.OK]',
        'releasePolicyLink: www.example.com',
        'changelogTemplate: https://example.com/__LATEST__',
      ],
      fullRelease('1', '2020-01-01'),
    );
    expect(warnings(text)).toEqual([
      // What the database cannot hold is not stored, said where it is read (normalise.ts) ...
      {
        severity: 'warning',
        path: 'alternate_urls[2]',
        line: lineWith(text, 'alternate_urls'),
        message: '"/Not.OK" cannot be an alias (lowercase letters, digits, ".", "_" and "-" only); ignored',
      },
      {
        severity: 'warning',
        path: 'releasePolicyLink',
        line: lineWith(text, 'releasePolicyLink'),
        message: '"www.example.com" is not an http(s) URL; not stored',
      },
      // ... then the HEAD rules that stored values break.
      {
        severity: 'warning',
        path: 'tags',
        line: lineWith(text, 'tags:'),
        message: 'tag "Web_Server" does not match ^[a-z0-9-]+$',
      },
      {
        severity: 'warning',
        path: 'alternate_urls[1]',
        line: lineWith(text, 'alternate_urls'),
        message: '"/not.ok" does not match ^/[a-z0-9-_]+$',
      },
    ]);
  });

  it('keeps an old document with many rule breaks, as warnings', () => {
    // A 2019-style document: legacy names, unquoted numbers, no eol, out of order, undeclared keys.
    const text = productText(
      ['title: Go', 'permalink: /go', 'category: lang', 'command: go version', 'sortReleasesBy: releaseCycle'],
      release('releaseCycle: 1.10', 'release: 2018-02-16', 'support: true', 'latest: 1.10.8'),
      release('releaseCycle: 1.11', 'release: 2018-08-24', 'eol: false', 'latest: "1.11.13"', 'cycleShortHand: 111'),
    );
    const r = prepare(text);
    expect(r.doc).not.toBeNull();
    expect(r.doc?.releases.map((x) => x.name)).toEqual(['1.1', '1.11']);
    expect(r.problems.map((p) => `${p.severity} ${p.path}`)).toEqual([
      'warning releases[0].releaseCycle',
      'warning releases[1].releaseCycle',
      'warning releases[0].eol',
      'warning releases[1].releaseDate',
    ]);
  });
});

describe.skipIf(noCorpus('real HEAD documents produce no warnings'))('real HEAD documents', () => {
  it.each([
    ['nodejs.md', 'nodejs', 26],
    ['ubuntu.md', 'ubuntu', 44],
    ['jenkins.md', 'jenkins', 19],
    ['samsung-mobile.md', 'samsung-mobile', 437],
    ['freebsd.md', 'freebsd', 88],
    ['python.md', 'python', 17],
    ['omnissa-horizon.md', 'horizon', 22],
  ])('%s imports as "%s" without any warning', (file, name, releases) => {
    const bytes = readFileSync(join(corpusDir, file));
    const r = prepareDocument(bytes, `products/${file}`, LIMITS, TODAY);
    expect(r.problems).toEqual([]);
    expect(r.name).toBe(name);
    expect(r.doc?.name).toBe(name);
    expect(r.doc?.releases).toHaveLength(releases);
  });
});
