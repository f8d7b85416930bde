// Product-level normalisation of the support-table columns, identifiers and custom field
// declarations, legacy names included (docs/eol-format.md §2.1, §2.3).
import { describe, expect, it } from 'vitest';
import { lineWith, normalise, problems, withProduct } from './fixtures.ts';

describe('normaliseDocument: columns', () => {
  const hidden = { shown: false, label: null };
  const shown = { shown: true, label: null };

  it('defaults: eol, latest and releaseDate shown; eoas, eoes and discontinued hidden', () => {
    expect(normalise(withProduct()).doc?.columns).toEqual({
      releaseDate: shown,
      latest: shown,
      eol: shown,
      eoas: hidden,
      eoes: hidden,
      discontinued: hidden,
    });
  });

  it.each([
    ['activeSupportColumn: true', 'eoas', shown],
    ['activeSupportColumn: Active Support', 'eoas', { shown: true, label: 'Active Support' }],
    ['extendedSupportColumn: true', 'eoes', shown],
    ['extendedSupportColumn: "Commercial"', 'eoes', { shown: true, label: 'Commercial' }],
    ['releaseColumn: false', 'latest', hidden],
    ['eolColumn: Security Support', 'eol', { shown: true, label: 'Security Support' }],
    ['eolColumn: false', 'eol', hidden],
    ['discontinuedColumn: yes', 'discontinued', shown],
    ['releaseDateColumn: Released', 'releaseDate', { shown: true, label: 'Released' }],
  ] as const)('%s → columns.%s %j', (line, column, expected) => {
    const r = normalise(withProduct(line));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.columns[column]).toEqual(expected);
  });

  it.each([
    [['releaseColumn: false', 'latestColumn: true'], hidden],
    [['releaseColumn: true', 'latestColumn: false'], shown],
    [['latestColumn: false', 'releaseColumn: Latest'], { shown: true, label: 'Latest' }],
    [['latestColumn: false'], hidden],
  ])('releaseColumn beats latestColumn: %j → %j', (lines, expected) => {
    const r = normalise(withProduct(...lines));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.columns.latest).toEqual(expected);
  });

  it('prefers eoasColumn over activeSupportColumn, warning (oneplus.md)', () => {
    const text = withProduct('activeSupportColumn: false', 'eoasColumn: Active');
    const r = normalise(text);
    expect(r.doc?.columns.eoas).toEqual({ shown: true, label: 'Active' });
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'activeSupportColumn',
        line: lineWith(text, 'activeSupportColumn'),
        message: 'both eoasColumn and its legacy name activeSupportColumn are present; activeSupportColumn is ignored',
      },
    ]);
  });

  it('warns about a column value that is neither a boolean nor a label, and uses the default', () => {
    const text = withProduct('eoesColumn: [a]');
    const r = normalise(text);
    expect(r.doc?.columns.eoes).toEqual(hidden);
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'eoesColumn',
        line: lineWith(text, 'eoesColumn'),
        message: 'expected true, false or a label, got a list; using the default',
      },
    ]);
  });
});

describe('normaliseDocument: identifiers and custom fields', () => {
  it('maps purls → identifiers', () => {
    const r = normalise(withProduct('purls:', '  - purl: pkg:npm/foo', '  - repology: foo'));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.identifiers).toEqual([
      { type: 'purl', value: 'pkg:npm/foo' },
      { type: 'repology', value: 'foo' },
    ]);
  });

  it('prefers identifiers over purls, warning', () => {
    const text = withProduct('purls: [{purl: pkg:npm/old}]', 'identifiers: [{purl: pkg:npm/new}]');
    const r = normalise(text);
    expect(r.doc?.identifiers).toEqual([{ type: 'purl', value: 'pkg:npm/new' }]);
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'purls',
        line: lineWith(text, 'purls:'),
        message: 'both identifiers and its legacy name purls are present; purls is ignored',
      },
    ]);
  });

  it('ignores, with a warning, identifier entries that are not single-key maps', () => {
    const text = withProduct(
      'identifiers:',
      '  - cpe: cpe:2.3:a:foo:foo',
      '  - {purl: pkg:npm/a, cpe: "cpe:/a:x"}',
      '  - just-a-string',
      '  - [purl, pkg:npm/b]',
      '  - {}',
    );
    const r = normalise(text);
    expect(r.doc?.identifiers).toEqual([{ type: 'cpe', value: 'cpe:2.3:a:foo:foo' }]);
    const message = 'each identifier must be a single "type: id" entry (e.g. "- purl: pkg:npm/x"); ignored';
    const line = lineWith(text, 'identifiers:');
    expect(problems(r.problems)).toEqual(
      [1, 2, 3, 4].map((i) => ({ severity: 'warning', path: `identifiers[${i}]`, line, message })),
    );
  });

  it('maps customColumns (property/position) → customFields (name/display)', () => {
    const r = normalise(
      withProduct(
        'customColumns:',
        '  - property: supportedPhpVersions',
        '    position: after-release-column',
        '    label: PHP',
        '    description: Supported PHP versions',
        '    link: https://php.net',
        '  - property: buildId',
        '    position: none',
        '    label: Build',
      ),
    );
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.customFields).toEqual([
      {
        name: 'supportedPhpVersions',
        display: 'after-release-column',
        label: 'PHP',
        description: 'Supported PHP versions',
        link: 'https://php.net',
      },
      { name: 'buildId', display: 'none', label: 'Build', description: null, link: null },
    ]);
  });

  it('ignores, with a warning, a custom field whose display is invalid', () => {
    const text = withProduct(
      'customFields:',
      '  - name: ok',
      '    display: api-only',
      '    label: OK',
      '  - name: sideways',
      '    display: sideways',
      '    label: Bad',
      '  - name: nodisplay',
      '    label: Bad',
    );
    const r = normalise(text);
    expect(r.doc?.customFields.map((f) => f.name)).toEqual(['ok']);
    const displays = 'none, api-only, after-release-column, before-latest-column, after-latest-column';
    const line = lineWith(text, 'customFields:');
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'customFields[1].display',
        line,
        message: `"sideways" is not one of ${displays}; field "sideways" ignored`,
      },
      {
        severity: 'warning',
        path: 'customFields[2].display',
        line,
        message: `null is not one of ${displays}; field "nodisplay" ignored`,
      },
    ]);
  });
});
