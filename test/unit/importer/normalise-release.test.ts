// Release-level normalisation: legacy names and their inverted booleans, dates, cycle names
// (docs/eol-format.md §3.1, §3.3, §4.2).
import { describe, expect, it } from 'vitest';
import type { ReleaseDoc } from '../../../src/importer/document.ts';
import { documentText, fullRelease, lineWith, normalise, PRODUCT, problems, productText, release } from './fixtures.ts';

/** A document with one release: releaseCycle "1" followed by `fields`. */
const oneRelease = (...fields: string[]) => productText(PRODUCT, release('releaseCycle: "1"', ...fields));

/** The only release of an accepted document, after checking nothing was reported. */
function onlyRelease(text: string): ReleaseDoc {
  const r = normalise(text);
  expect(problems(r.problems)).toEqual([]);
  expect(r.doc?.releases).toHaveLength(1);
  return r.doc!.releases[0]!;
}

describe('normaliseDocument: legacy release names', () => {
  it('maps release → releaseDate', () => {
    expect(onlyRelease(oneRelease('release: 2019-05-27')).releaseDate).toBe('2019-05-27');
  });

  it('prefers releaseDate over release, warning', () => {
    const text = oneRelease('releaseDate: 2020-01-01', 'release: 2019-01-01');
    const r = normalise(text);
    expect(r.doc?.releases[0]?.releaseDate).toBe('2020-01-01');
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].release',
        line: lineWith(text, 'release: 2019'),
        message: 'both releaseDate and its legacy name release are present; release is ignored',
      },
    ]);
  });

  it.each([
    // support: true meant "still actively supported", i.e. active support has not ended
    ['support: true', { flag: false }],
    ['support: false', { flag: true }],
    ['support: 2021-06-30', { date: '2021-06-30' }],
    ['eoas: true', { flag: true }],
    ['eoas: false', { flag: false }],
    ['eoas: 2021-06-30', { date: '2021-06-30' }],
    ['', null],
  ])('%j → eoas %j', (field, eoas) => {
    expect(onlyRelease(oneRelease(...(field ? [field] : []))).eoas).toEqual(eoas);
  });

  it.each([
    // extendedSupport: true meant "extended support ongoing"; false meant "there is none"
    ['extendedSupport: true', { flag: false }],
    ['extendedSupport: false', null],
    ['extendedSupport: 2027-01-31', { date: '2027-01-31' }],
    ['eoes: true', { flag: true }],
    ['eoes: false', { flag: false }],
    ['eoes: 2027-01-31', { date: '2027-01-31' }],
    ['', null],
  ])('%j → eoes %j', (field, eoes) => {
    expect(onlyRelease(oneRelease(...(field ? [field] : []))).eoes).toEqual(eoes);
  });

  it('prefers eoas over support and eoes over extendedSupport, warning', () => {
    const text = oneRelease('eoas: true', 'support: true', 'eoes: true', 'extendedSupport: true');
    const r = normalise(text);
    expect(r.doc?.releases[0]).toMatchObject({ eoas: { flag: true }, eoes: { flag: true } });
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].support',
        line: lineWith(text, 'support: true'),
        message: 'both eoas and its legacy name support are present; support is ignored',
      },
      {
        severity: 'warning',
        path: 'releases[0].extendedSupport',
        line: lineWith(text, 'extendedSupport: true'),
        message: 'both eoes and its legacy name extendedSupport are present; extendedSupport is ignored',
      },
    ]);
  });
});

describe('normaliseDocument: release link', () => {
  it.each([
    ["link: ''", true, null],
    ['link: null', true, null],
    ['link:', true, null],
    ['link: https://example.com/1.0', true, 'https://example.com/1.0'],
    ['link: https://example.com/__LATEST__', true, 'https://example.com/__LATEST__'],
    ['', false, null],
  ])('%j → linkSet %s, link %j', (field, linkSet, link) => {
    expect(onlyRelease(oneRelease(...(field ? [field] : [])))).toMatchObject({ linkSet, link });
  });

  it('warns about a link that is not text and falls back to the changelog template', () => {
    const text = oneRelease('link: 5');
    const r = normalise(text);
    expect(r.doc?.releases[0]).toMatchObject({ linkSet: false, link: null });
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].link',
        line: lineWith(text, 'link: 5'),
        message: "expected a URL or null, got 5; the product's changelog template is used",
      },
    ]);
  });
});

describe('normaliseDocument: dates', () => {
  it.each([
    ['eol: 2022-12-1', 'eol', { date: '2022-12-01' }],
    ['eol: "2010-09-14"', 'eol', { date: '2010-09-14' }],
    ['release: 2015-11-4', 'releaseDate', '2015-11-04'],
    ['releaseDate: " 2015-1-4 "', 'releaseDate', '2015-01-04'],
    ['latestReleaseDate: 2020-2-29', 'latestReleaseDate', '2020-02-29'],
    ['lts: 2030-1-1', 'lts', { date: '2030-01-01' }],
    ['discontinued: 2023-05-01', 'discontinued', { date: '2023-05-01' }],
  ] as const)('reads the loose date %j as %s %j', (field, key, expected) => {
    expect(onlyRelease(oneRelease(field))[key]).toEqual(expected);
  });

  it.each([
    ['eol: 2021-02-30', '"2021-02-30" is not a calendar date'],
    ['eol: "2021-02-31"', '"2021-02-31" is not a calendar date'],
    ['releaseDate: 2019-02-29', '"2019-02-29" is not a calendar date'],
    ['eoas: 2021-13-01', '"2021-13-01" is not a calendar date'],
    ['eol: soon', 'expected a date (YYYY-MM-DD), got "soon"'],
    ['eol: 2021', 'expected a date (YYYY-MM-DD), got 2021'],
    ['eol: [2021-01-01]', 'expected a date (YYYY-MM-DD), got a list'],
  ])('rejects the document for %j, naming the path and the value', (field, message) => {
    const text = oneRelease(field);
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(r.name).toBe('foo');
    const key = field.slice(0, field.indexOf(':'));
    expect(problems(r.problems)).toEqual([
      { severity: 'error', path: `releases[0].${key}`, line: lineWith(text, field), message },
    ]);
  });

  it.each(['NA', 'N/A', 'TBD', '""'])('treats release: %s as absent, warning', (value) => {
    const text = oneRelease(`release: ${value}`);
    const r = normalise(text);
    expect(r.doc?.releases[0]?.releaseDate).toBeNull();
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].release',
        line: lineWith(text, 'release:'),
        message: `${JSON.stringify(value.replace(/"/g, ''))} is a placeholder, not a date; treated as absent`,
      },
    ]);
  });

  it.each(['eol', 'eoas', 'eoes', 'discontinued', 'lts'] as const)('treats %s: null as absent, warning', (key) => {
    const text = oneRelease(`${key}: null`);
    const r = normalise(text);
    expect(r.doc?.releases[0]?.[key]).toBeNull();
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: `releases[0].${key}`,
        line: lineWith(text, `${key}: null`),
        message: 'null is treated as absent (no such phase)',
      },
    ]);
  });

  it('uses the UTC date of a timestamp, warning', () => {
    const text = oneRelease('releaseDate: 2019-05-27T23:30:00-05:00');
    const r = normalise(text);
    expect(r.doc?.releases[0]?.releaseDate).toBe('2019-05-28');
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].releaseDate',
        line: lineWith(text, 'releaseDate:'),
        message: '2019-05-27T23:30:00-05:00 has a time of day; only its date 2019-05-28 is used',
      },
    ]);
  });

  it('reads the YAML 1.1 booleans of date-or-boolean fields', () => {
    expect(onlyRelease(oneRelease('eol: yes', 'lts: on', 'discontinued: No'))).toMatchObject({
      eol: { flag: true },
      lts: { flag: true },
      discontinued: { flag: false },
    });
  });
});

describe('normaliseDocument: cycle names and latest', () => {
  it.each([
    ['3.0', '3.0'],
    ['1.10', '1.1'],
    ['2.10', '2.1'],
    ['12', '12'],
    ['010', '8'],
    ['7,8', '78'],
  ])('reads the unquoted releaseCycle %s as "%s", asking for quotes', (cycle, name) => {
    const text = productText(PRODUCT, release(`releaseCycle: ${cycle}`, 'eol: false'));
    const r = normalise(text);
    expect(r.doc?.releases[0]?.name).toBe(name);
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].releaseCycle',
        line: lineWith(text, 'releaseCycle:'),
        message: `should be a quoted string; the number ${cycle} is read as "${name}"`,
      },
    ]);
  });

  it.each([
    ['7.80', '7.8'],
    ['2.0', '2.0'],
    ['3', '3'],
  ])('reads the unquoted latest %s as "%s", asking for quotes', (latest, expected) => {
    const text = oneRelease(`latest: ${latest}`);
    const r = normalise(text);
    expect(r.doc?.releases[0]?.latest).toBe(expected);
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].latest',
        line: lineWith(text, 'latest:'),
        message: `should be a quoted string; the number ${latest} is read as "${expected}"`,
      },
    ]);
  });

  it('keeps quoted cycles and latest exactly as written', () => {
    const r = onlyRelease(
      productText(PRODUCT, release('releaseCycle: "2.10"', 'latest: "2.10.0"', 'codename: "Noble"')),
    );
    expect(r).toMatchObject({ name: '2.10', latest: '2.10.0', codename: 'Noble' });
  });

  it('keeps Liquid in latest as written, warning', () => {
    const text = oneRelease("latest: '{{ site.data.gke.latest }}'");
    const r = normalise(text);
    expect(r.doc?.releases[0]?.latest).toBe('{{ site.data.gke.latest }}');
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].latest',
        line: lineWith(text, 'latest:'),
        message: "contains Liquid that needs the site's build data; kept as written",
      },
    ]);
  });
});

describe('normaliseDocument: the releases list', () => {
  it.each([
    ['missing', [], 'is required: a list of release cycles'],
    ['null', ['releases:'], 'is required: a list of release cycles'],
    ['a string', ['releases: foo'], 'must be a list of release cycles, got "foo"'],
    ['a mapping', ['releases:', '  a: 1'], 'must be a list of release cycles, got a mapping'],
  ])('rejects a document whose releases are %s', (_what, lines, message) => {
    const text = documentText([...PRODUCT, ...lines]);
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(r.name).toBe('foo');
    const line = lines.length > 0 ? { line: lineWith(text, 'releases:') } : {};
    expect(problems(r.problems)).toEqual([{ severity: 'error', path: 'releases', ...line, message }]);
  });

  it.each([
    ['a string', '  - "1.0"', 'each release must be a mapping of fields, got "1.0"'],
    ['a list', '  - [a, b]', 'each release must be a mapping of fields, got a list'],
    ['null', '  - ~', 'each release must be a mapping of fields, got null'],
  ])('rejects a document with a release that is %s', (_what, item, message) => {
    const text = productText(PRODUCT, fullRelease('2', '2021-01-01'), [item]);
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(problems(r.problems)).toEqual([
      { severity: 'error', path: 'releases[1]', line: lineWith(text, item), message },
    ]);
  });

  it.each([
    ['missing', ['releaseDate: 2020-01-01', 'eol: false']],
    ['null', ['releaseCycle: null', 'eol: false']],
    ['empty', ['releaseCycle: ""', 'eol: false']],
  ])('rejects a document with a release whose releaseCycle is %s', (_what, fields) => {
    const text = productText(PRODUCT, release(...fields));
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(problems(r.problems)).toEqual([
      {
        severity: 'error',
        path: 'releases[0].releaseCycle',
        line: lineWith(text, '  - '),
        message: 'is required: the release has no cycle name',
      },
    ]);
  });

  it('rejects duplicate cycles, naming both positions', () => {
    const text = productText(
      PRODUCT,
      fullRelease('2', '2021-01-01'),
      fullRelease('1', '2020-01-01'),
      fullRelease('2', '2019-01-01'),
    );
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(r.name).toBe('foo');
    expect(problems(r.problems)).toEqual([
      {
        severity: 'error',
        path: 'releases[2].releaseCycle',
        line: lineWith(text, 'releaseCycle: "2"', 2),
        message: 'duplicate cycle "2" (also releases[0])',
      },
    ]);
  });

  it('keeps releases in file order with their positions', () => {
    const r = normalise(productText(PRODUCT, fullRelease('b', '2021-01-01'), fullRelease('a', '2022-01-01')));
    expect(r.doc?.releases.map((x) => [x.position, x.name])).toEqual([
      [0, 'b'],
      [1, 'a'],
    ]);
  });
});

describe('normaliseDocument: custom release keys', () => {
  it('puts every non-standard key in custom: numbers as Jekyll strings, dates as YYYY-MM-DD', () => {
    const r = onlyRelease(
      oneRelease(
        'supportedPhpVersions: 8.0',
        'supportedJavaVersions: 17',
        'buildID: 010',
        'technicalGuidance: 2025-01-31',
        'chromeVersion: "126"',
        'pep: PEP 619',
        'cycleShortHand: 20',
        'latestShortHand: 2.0',
        'staleReleaseThresholdDays: 30',
        'outOfOrder: true',
      ),
    );
    expect(r.custom).toEqual({
      supportedPhpVersions: '8.0',
      supportedJavaVersions: '17',
      buildID: '8',
      technicalGuidance: '2025-01-31',
      chromeVersion: '126',
      pep: 'PEP 619',
    });
    // legacy and bot-only keys are standard fields, not custom ones
    expect(r).toMatchObject({
      cycleShortHand: '20',
      latestShortHand: '2.0',
      staleReleaseThresholdDays: 30,
      outOfOrder: true,
    });
  });

  it('has custom null when the release has only standard keys', () => {
    expect(onlyRelease(productText(PRODUCT, fullRelease('1', '2020-01-01'))).custom).toBeNull();
  });
});

describe('normaliseDocument: keys that are names of JavaScript object properties', () => {
  it('a release with a field named "constructor" is still a release (kept in its custom fields or ignored, never "not a mapping")', () => {
    const r = normalise(oneRelease('releaseDate: 2019-05-27', 'constructor: x'));
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.doc?.releases[0]?.releaseDate).toBe('2019-05-27');
  });

  it('so is a front matter with a top-level "constructor" key', () => {
    const r = normalise(
      productText([...PRODUCT, 'constructor: x'], release('releaseCycle: "1"', 'releaseDate: 2019-05-27')),
    );
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.doc?.name).toBe('foo');
  });
});
