// Values the database refuses (prisma/migrations/20261127050000_value_constraints) never reach it
// from a document: an identity (product id, cycle name) that breaks its rule rejects the document
// with an error naming the field; any other such value is not stored, with a warning saying so.
// The agreement of these rules with the SQL ones is checked in test/integration/constraints.test.ts.
import { describe, expect, it } from 'vitest';
import { prepareDocument } from '../../../src/importer/import.ts';
import {
  httpLinkProblem,
  httpTemplateProblem,
  isPermalinkName,
  trimmedTextProblem,
} from '../../../src/importer/shapes.ts';
import {
  FILE,
  fullRelease,
  LIMITS,
  lineWith,
  normalise,
  PRODUCT,
  problems,
  productText,
  release,
  TODAY,
} from './fixtures.ts';

const oneRelease = (...fields: string[]) => productText(PRODUCT, release('releaseCycle: "1"', 'eol: false', ...fields));

describe('the rules', () => {
  it.each([
    ['1.15', null],
    ['Amazon Linux 2', null],
    ['', 'is empty'],
    [' 1.15 ', 'has whitespace at its start or end'],
    ['1.15\u00a0', 'has whitespace at its start or end'],
    ['\u30001', 'has whitespace at its start or end'],
    ['1.14\n\t', 'contains a control character (U+000A)'],
    ['a\u0085b', 'contains a control character (U+0085)'],
    ['a\u007fb', 'contains a control character (U+007F)'],
  ])('trimmed text %j: %j', (s, problem) => {
    expect(trimmedTextProblem(s)).toBe(problem);
  });

  it.each([
    ['nodejs', true],
    ['node.js', true],
    ['.net', true],
    ['pop_os', true],
    ['ibm-semeru-runtime', true],
    ['', false],
    ['.', false],
    ['..', false],
    ['-', false],
    ['UPPER', false],
    ['a?b', false],
    ['a/b', false],
    ['a b', false],
    ['été', false],
  ])('permalink name %j: %s', (s, ok) => {
    expect(isPermalinkName(s)).toBe(ok);
  });

  it.each([
    ['https://example.com', null, null],
    ['HTTP://example.com', null, null],
    ['https://{% assign x = 1 %}example.com', null, null],
    ['https://example.com/__LATEST__\n', 'contains a control character (U+000A)', null],
    ['javascript:alert(1)', 'is not an http(s) URL', 'is not an http(s) URL'],
    ['ftp://example.com', 'is not an http(s) URL', 'is not an http(s) URL'],
    ['https://', 'is not an http(s) URL', 'is not an http(s) URL'],
    ['https:// example.com', 'is not an http(s) URL', 'is not an http(s) URL'],
    ['//example.com', 'is not an http(s) URL', 'is not an http(s) URL'],
  ])('link %j: %j, as a template: %j', (s, asLink, asTemplate) => {
    expect(httpLinkProblem(s)).toBe(asLink);
    expect(httpTemplateProblem(s)).toBe(asTemplate);
  });
});

describe('identities: the document is rejected, naming the field', () => {
  it.each([
    ['" 1.15 "', '" 1.15 " cannot be a cycle name: it has whitespace at its start or end'],
    ['"1.14\\n\\t"', '"1.14\\n\\t" cannot be a cycle name: it contains a control character (U+000A)'],
    ['"1\\u0001"', '"1\\u0001" cannot be a cycle name: it contains a control character (U+0001)'],
  ])('releaseCycle: %s', (cycle, message) => {
    const text = productText(PRODUCT, release(`releaseCycle: ${cycle}`, 'eol: false'));
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(problems(r.problems)).toEqual([
      { severity: 'error', path: 'releases[0].releaseCycle', line: lineWith(text, 'releaseCycle'), message },
    ]);
  });

  it('a permalink with characters an id cannot have ("/UPPER?x")', () => {
    const text = productText(['title: Foo', 'permalink: "/UPPER?x"', 'category: os'], fullRelease('1', '2020-01-01'));
    const r = prepareDocument(Buffer.from(text), FILE, LIMITS, TODAY);
    expect(r.doc).toBeNull();
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([
      {
        file: FILE,
        severity: 'error',
        path: 'permalink',
        line: lineWith(text, 'permalink'),
        message:
          '"/UPPER?x" cannot be a product id (it must be "/" followed by lowercase letters, digits, ".", "_" or "-")',
      },
    ]);
  });

  it('a date-time whose UTC date leaves the four-digit years', () => {
    const text = oneRelease('releaseDate: 9999-12-31T23:00:00-05:00');
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(problems(r.problems)).toEqual([
      {
        severity: 'error',
        path: 'releases[0].releaseDate',
        line: lineWith(text, 'releaseDate'),
        message: '9999-12-31T23:00:00-05:00 falls outside 0001-01-01 .. 9999-12-31 in UTC',
      },
    ]);
  });

  it('a year 0 date', () => {
    const text = oneRelease('releaseDate: 0000-01-01');
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(problems(r.problems).map((p) => [p.severity, p.path, p.message])).toEqual([
      ['error', 'releases[0].releaseDate', '"0000-01-01" is not a calendar date'],
    ]);
  });
});

describe('other values: not stored, with a warning naming the field', () => {
  it('a release link that is not http(s): as if absent, so the changelog template applies', () => {
    const text = oneRelease('link: "javascript:alert(1)"');
    const r = normalise(text);
    expect(r.doc?.releases[0]).toMatchObject({ linkSet: false, link: null });
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releases[0].link',
        line: lineWith(text, '    link:'),
        message:
          '"javascript:alert(1)" is not an http(s) URL; not stored (the product\'s changelog template applies instead)',
      },
    ]);
  });

  it('a blank link is "no link", like the legacy empty string', () => {
    const r = normalise(oneRelease('link: "   "'));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.releases[0]).toMatchObject({ linkSet: true, link: null });
  });

  it('a release link with a control character', () => {
    const text = oneRelease('link: "https://example.com/\\u0007"');
    const r = normalise(text);
    expect(r.doc?.releases[0]).toMatchObject({ linkSet: false, link: null });
    expect(problems(r.problems).map((p) => p.message)).toEqual([
      '"https://example.com/\\u0007" contains a control character (U+0007); not stored (the product\'s changelog template applies instead)',
    ]);
  });

  it.each([
    ['""', '"" is blank; treated as absent (no latest version)'],
    ['"  "', '"  " is blank; treated as absent (no latest version)'],
    ['" 1.2.3"', '" 1.2.3" has whitespace at its start or end; not stored'],
    ['"1.2\\u0000"', '"1.2\\u0000" contains a control character (U+0000); not stored'],
  ])('latest: %s', (latest, message) => {
    const text = oneRelease(`latest: ${latest}`);
    const r = normalise(text);
    expect(r.doc?.releases[0]?.latest).toBeNull();
    expect(problems(r.problems)).toEqual([
      { severity: 'warning', path: 'releases[0].latest', line: lineWith(text, 'latest:'), message },
    ]);
  });

  it('releasePolicyLink, changelogTemplate and a custom field link that are not http(s)', () => {
    const text = productText(
      [
        ...PRODUCT,
        'releasePolicyLink: "javascript:alert(1)"',
        'changelogTemplate: "ftp://example.com/__LATEST__"',
        'customFields:',
        '  - name: chip',
        '    display: api-only',
        '    label: Chip',
        '    link: "data:text/html,x"',
      ],
      fullRelease('1', '2020-01-01'),
    );
    const r = normalise(text);
    expect(r.doc).toMatchObject({ releasePolicyLink: null, changelogTemplate: null });
    expect(r.doc?.customFields).toEqual([
      { name: 'chip', display: 'api-only', label: 'Chip', description: null, link: null },
    ]);
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'releasePolicyLink',
        line: lineWith(text, 'releasePolicyLink'),
        message: '"javascript:alert(1)" is not an http(s) URL; not stored',
      },
      {
        severity: 'warning',
        path: 'changelogTemplate',
        line: lineWith(text, 'changelogTemplate'),
        message: '"ftp://example.com/__LATEST__" is not an http(s) URL; not stored (cycles get no link from it)',
      },
      {
        severity: 'warning',
        path: 'customFields[0].link',
        line: lineWith(text, 'customFields:'), // (lineOf locates the declaration, not its key)
        message: '"data:text/html,x" is not an http(s) URL; not stored',
      },
    ]);
  });

  it('a multi-line changelogTemplate (a YAML block scalar) is kept: only its start is checked', () => {
    const r = normalise(withTemplate());
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.changelogTemplate).toBe('https://example.com/__LATEST__/\n');
  });

  it('an empty changelogTemplate is absent', () => {
    const r = normalise(productText([...PRODUCT, 'changelogTemplate: ""'], fullRelease('1', '2020-01-01')));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.changelogTemplate).toBeNull();
  });

  it('tags, identifiers and custom field names with control characters', () => {
    const text = productText(
      [
        ...PRODUCT,
        'tags: ["web\\u0001", cli]',
        'identifiers:',
        '  - purl: "pkg:npm/foo\\u0007"',
        '  - "re\\u0000pology": foo',
        '  - repology: foo',
        'customFields:',
        '  - name: "chip\\u0085"',
        '    display: api-only',
        '    label: Chip',
      ],
      fullRelease('1', '2020-01-01'),
    );
    const r = normalise(text);
    expect(r.doc?.tags).toEqual(['cli', 'os']);
    expect(r.doc?.identifiers).toEqual([{ type: 'repology', value: 'foo' }]);
    expect(r.doc?.customFields).toEqual([]);
    expect(problems(r.problems).map((p) => [p.severity, p.path, p.message])).toEqual([
      ['warning', 'tags[0]', 'tag "web\\u0001" contains a control character (U+0001); ignored'],
      [
        'warning',
        'identifiers[0]',
        'identifier "purl" "pkg:npm/foo\\u0007": the value contains a control character (U+0007); ignored',
      ],
      [
        'warning',
        'identifiers[1]',
        'identifier "re\\u0000pology" "foo": the type contains a control character (U+0000); ignored',
      ],
      [
        'warning',
        'customFields[0].name',
        'custom field name "chip\\u0085" contains a control character (U+0085); ignored',
      ],
    ]);
  });

  it('stores the permalink as "/" + the id, whatever form the document gives', () => {
    const r = normalise(productText(['title: Foo', 'permalink: foo', 'category: os'], fullRelease('1', '2020-01-01')));
    expect(r.doc).toMatchObject({ name: 'foo', permalink: '/foo' });
  });
});

function withTemplate(): string {
  return productText(
    [...PRODUCT, 'changelogTemplate: |', '  https://example.com/__LATEST__/'],
    fullRelease('1', '2020-01-01'),
  );
}
