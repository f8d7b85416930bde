// Product-level normalisation: identity, category, tags, aliases, legacy names (docs/eol-format.md
// §2.1, §2.3).
import { describe, expect, it } from 'vitest';
import { FILE, fullRelease, lineWith, normalise, problems, productText, withProduct } from './fixtures.ts';

/** A document with `lines` as its product fields and one complete release. */
const product = (...lines: string[]) => productText(lines, fullRelease('1', '2020-01-01'));

describe('normaliseDocument: identity', () => {
  it('takes the product id from permalink, not from the file name', () => {
    const r = normalise(
      product('title: Linux Kernel', 'permalink: /linux', 'category: os'),
      'products/linux-kernel.md',
    );
    expect(problems(r.problems)).toEqual([]);
    expect(r.name).toBe('linux');
    expect(r.doc).toMatchObject({
      name: 'linux',
      permalink: '/linux',
      label: 'Linux Kernel',
      sourcePath: 'products/linux-kernel.md',
    });
  });

  it('falls back to the file stem, with a warning, when permalink is missing', () => {
    const r = normalise(product('title: Linux Kernel', 'category: os'), 'products/linux-kernel.md');
    expect(r.name).toBe('linux-kernel');
    expect(r.doc).toMatchObject({ name: 'linux-kernel', permalink: '/linux-kernel' });
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'permalink',
        message: 'is missing; the product id falls back to the file name "linux-kernel"',
      },
    ]);
  });

  it.each([
    ['/a/b', '"/a/b"'],
    ['/', '"/"'],
    ['"/two words"', '"/two words"'],
    ['/Node', '"/Node"'],
    ['"/x?y"', '"/x?y"'],
    ['/.', '"/."'],
  ])('rejects permalink %s, which cannot be a product id', (permalink, shown) => {
    const text = product('title: Foo', `permalink: ${permalink}`, 'category: os');
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(r.name).toBeNull();
    expect(problems(r.problems)).toEqual([
      {
        severity: 'error',
        path: 'permalink',
        line: lineWith(text, 'permalink:'),
        message: `${shown} cannot be a product id (it must be "/" followed by lowercase letters, digits, ".", "_" or "-")`,
      },
    ]);
  });

  it.each([
    ['0', '0'],
    ['true', 'true'],
    ['[/a]', 'a list'],
  ])('rejects permalink: %s, which YAML does not type as a path', (permalink, shown) => {
    const text = product('title: Foo', `permalink: ${permalink}`, 'category: os');
    const r = normalise(text);
    expect(r.doc).toBeNull();
    expect(problems(r.problems).filter((p) => p.severity === 'error')).toEqual([
      {
        severity: 'error',
        path: 'permalink',
        line: lineWith(text, 'permalink:'),
        message: `must be a path such as "/nodejs", got ${shown}`,
      },
    ]);
  });

  it.each([
    ['missing', [] as string[], []],
    ['empty', ['title: ""'], []],
    ['blank', ['title: "   "'], []],
    [
      'a list',
      ['title: [a, b]'],
      [{ severity: 'warning', path: 'title', line: 2, message: 'expected text, got a list; ignored' }],
    ],
  ])('rejects a product whose title is %s, still naming it', (_what, title, warnings) => {
    const r = normalise(product(...title, 'permalink: /foo', 'category: os'));
    expect(r.doc).toBeNull();
    expect(r.name).toBe('foo');
    const line = title.length > 0 ? { line: 2 } : {};
    expect(problems(r.problems)).toEqual([
      ...warnings,
      { severity: 'error', path: 'title', ...line, message: 'is required: every product needs a title' },
    ]);
  });

  it('keeps HTML and SQL-looking text verbatim', () => {
    const title = `<script>alert("x")</script> Robert'); DROP TABLE product;-- & <b>`;
    const yamlTitle = `'${title.replace(/'/g, "''")}'`;
    const r = normalise(
      product(`title: ${yamlTitle}`, 'permalink: /foo', 'category: os', 'versionCommand: "rm -rf / #"'),
    );
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.label).toBe(title);
    expect(r.doc?.versionCommand).toBe('rm -rf / #');
  });
});

describe('normaliseDocument: category and tags', () => {
  it('renames category db to database (and tags it so)', () => {
    const r = normalise(product('title: Foo', 'permalink: /foo', 'category: db'));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc).toMatchObject({ category: 'database', tags: ['database'] });
  });

  it('warns about an unknown category and stores none', () => {
    const text = product('title: Foo', 'permalink: /foo', 'category: tool', 'tags: cli');
    const r = normalise(text);
    expect(r.doc).toMatchObject({ category: null, tags: ['cli'] });
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'category',
        line: lineWith(text, 'category:'),
        message:
          '"tool" is not one of app, database, device, framework, lang, os, server-app, service, standard; the product has no category',
      },
    ]);
  });

  it('warns about a missing category and adds nothing to the tags', () => {
    const r = normalise(product('title: Foo', 'permalink: /foo', 'tags: cli'));
    expect(r.doc).toMatchObject({ category: null, tags: ['cli'] });
    expect(problems(r.problems)).toEqual([
      { severity: 'warning', path: 'category', message: 'is missing; the product has no category' },
    ]);
  });

  it.each([
    ['a space-separated string', 'tags: zeta  alpha os alpha', ['alpha', 'os', 'zeta']],
    ['a list', 'tags: [zeta, "beta gamma", alpha]', ['alpha', 'beta', 'gamma', 'os', 'zeta']],
    ['a block list with the category', 'tags:\n  - os\n  - web', ['os', 'web']],
    ['absent', '', ['os']],
  ])('tags as %s: split, category appended, de-duplicated, sorted', (_what, tags, expected) => {
    const r = normalise(withProduct(...(tags ? [tags] : [])));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.tags).toEqual(expected);
  });

  it('warns about tags that are neither a string nor a list', () => {
    const text = withProduct('tags: {a: b}');
    const r = normalise(text);
    expect(r.doc?.tags).toEqual(['os']);
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'tags',
        line: lineWith(text, 'tags:'),
        message: 'expected a space-separated string or a list, got a mapping; ignored',
      },
    ]);
  });
});

describe('normaliseDocument: aliases and icon', () => {
  it('turns alternate_urls into aliases, dropping only a leading "/"', () => {
    const r = normalise(
      withProduct('alternate_urls:', '  - /node', '  - gke', '  - /.net', '  - /node.js', '  - /pop_os'),
    );
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.aliases).toEqual(['node', 'gke', '.net', 'node.js', 'pop_os']);
  });

  it('ignores, with a warning, an alias the database could not hold (product_alias_permalink_shape)', () => {
    const text = withProduct('alternate_urls: [//x, /Node, "/a?b", /., "/\u00e9t\u00e9", /ok]');
    const r = normalise(text);
    expect(r.doc?.aliases).toEqual(['ok']);
    const line = lineWith(text, 'alternate_urls:');
    const refused = (i: number, shown: string) => ({
      severity: 'warning',
      path: `alternate_urls[${i}]`,
      line,
      message: `${shown} cannot be an alias (lowercase letters, digits, ".", "_" and "-" only); ignored`,
    });
    expect(problems(r.problems)).toEqual([
      refused(0, '"//x"'),
      refused(1, '"/Node"'),
      refused(2, '"/a?b"'),
      refused(3, '"/."'),
      refused(4, '"/été"'),
    ]);
  });

  it('ignores, with a warning, an alias that repeats the id or another alias', () => {
    const text = withProduct('alternate_urls: [/foo, /bar, /bar]');
    const r = normalise(text);
    expect(r.doc?.aliases).toEqual(['bar']);
    const line = lineWith(text, 'alternate_urls:');
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'alternate_urls[0]',
        line,
        message: '"/foo" repeats the product id or another alias; ignored',
      },
      {
        severity: 'warning',
        path: 'alternate_urls[2]',
        line,
        message: '"/bar" repeats the product id or another alias; ignored',
      },
    ]);
  });

  it.each([
    ['iconSlug: nodedotjs', 'nodedotjs'],
    ['iconSlug: NA', null],
    ['icon_slug: nodedotjs', 'nodedotjs'],
    ['icon_slug: NA', null],
    ['', null],
  ])('%j → iconSlug %j', (line, expected) => {
    const r = normalise(withProduct(...(line ? [line] : [])));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc?.iconSlug).toBe(expected);
  });
});

describe('normaliseDocument: legacy product names', () => {
  it('maps command → versionCommand and product link → releasePolicyLink', () => {
    const r = normalise(withProduct('command: node --version', 'link: https://nodejs.org/en/about/releases/'));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc).toMatchObject({
      versionCommand: 'node --version',
      releasePolicyLink: 'https://nodejs.org/en/about/releases/',
    });
  });

  it('prefers the current names when both are present, warning about the legacy ones', () => {
    const text = withProduct(
      'command: old --version',
      'versionCommand: new --version',
      'link: https://old.example',
      'releasePolicyLink: https://new.example',
    );
    const r = normalise(text);
    expect(r.doc).toMatchObject({ versionCommand: 'new --version', releasePolicyLink: 'https://new.example' });
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'command',
        line: lineWith(text, 'command:'),
        message: 'both versionCommand and its legacy name command are present; command is ignored',
      },
      {
        severity: 'warning',
        path: 'link',
        line: lineWith(text, 'link: https://old'),
        message: 'both releasePolicyLink and its legacy name link are present; link is ignored',
      },
    ]);
  });
});

describe('normaliseDocument: other product fields', () => {
  it('warns about unknown product fields, with a hint for alternative_urls', () => {
    const text = withProduct('alternative_urls: [/bar]', 'colour: blue');
    const r = normalise(text);
    expect(r.doc?.aliases).toEqual([]);
    expect(r.doc?.frontMatter).toMatchObject({ alternative_urls: ['/bar'], colour: 'blue' });
    expect(problems(r.problems)).toEqual([
      {
        severity: 'warning',
        path: 'alternative_urls',
        line: lineWith(text, 'alternative_urls'),
        message:
          'unknown product field "alternative_urls" (did you mean alternate_urls? the site ignores this spelling too); kept only in the raw front matter',
      },
      {
        severity: 'warning',
        path: 'colour',
        line: lineWith(text, 'colour'),
        message: 'unknown product field "colour"; kept only in the raw front matter',
      },
    ]);
  });

  it('keeps the file, hash and body, and the raw front matter as JSON', () => {
    const r = normalise(withProduct('addedAt: 2019-05-27', 'staleReleaseThresholdDays: 30'));
    expect(problems(r.problems)).toEqual([]);
    expect(r.doc).toMatchObject({
      sourcePath: FILE,
      contentHash: 'hash',
      body: 'Body.\n',
      addedAt: '2019-05-27',
      staleReleaseThresholdDays: 30,
    });
    expect(r.doc?.frontMatter).toMatchObject({ addedAt: '2019-05-27', staleReleaseThresholdDays: 30 });
  });
});
