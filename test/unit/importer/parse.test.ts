// Bytes → front matter + body: docs/eol-format.md §1.2, and the refusals that keep one bad file
// from hurting the import.
import { describe, expect, it } from 'vitest';
import { DocumentError, parseDocument, type ParseLimits } from '../../../src/importer/parse.ts';
import { CalendarDate, YamlNumber } from '../../../src/importer/yaml.ts';
import { LIMITS, lineWith } from './fixtures.ts';

function parse(text: string | Buffer, limits: ParseLimits = LIMITS) {
  return parseDocument(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, limits);
}

/** The DocumentError a document is refused with, as {message, line}. */
function refusal(text: string | Buffer, limits: ParseLimits = LIMITS): { message: string; line: number | undefined } {
  try {
    parse(text, limits);
  } catch (err) {
    if (err instanceof DocumentError) return { message: err.message, line: err.line };
    throw err;
  }
  throw new Error('the document was accepted');
}

const NO_FRONT_MATTER = 'no front matter: the file must start with a line "---" followed by YAML';
const NOT_A_MAPPING = 'the front matter is not a mapping of fields (key: value lines)';

describe('parseDocument: finding the front matter', () => {
  it('refuses an empty file', () => {
    expect(refusal('')).toEqual({
      message: 'the file is empty: a product document needs YAML front matter',
      line: undefined,
    });
  });

  it.each([
    ['plain Markdown', '# Foo\n\nSome text.\n'],
    ['YAML without the opening line', 'title: Foo\n---\n'],
    ['front matter not at the start', '\n---\ntitle: Foo\n---\n'],
    ['four dashes', '----\ntitle: Foo\n----\n'],
  ])('refuses a file without front matter (%s)', (_what, text) => {
    expect(refusal(text)).toEqual({ message: NO_FRONT_MATTER, line: 1 });
  });

  it('refuses front matter that is never closed', () => {
    expect(refusal('---\ntitle: Foo\npermalink: /foo\n')).toEqual({
      message: 'the front matter is not closed: no line "---" (or "...") after the opening "---" of line 1',
      line: 1,
    });
  });

  it.each([
    ['"---"', '---\ntitle: Foo\n---\nBody.\n'],
    ['"..."', '---\ntitle: Foo\n...\nBody.\n'],
    ['"---" with trailing blanks', '---  \ntitle: Foo\n--- \t\nBody.\n'],
    ['"..." with trailing blanks', '---\ntitle: Foo\n...  \nBody.\n'],
  ])('front matter closed by %s: the body starts on the next line', (_what, text) => {
    const doc = parse(text);
    expect(doc.data).toEqual({ title: 'Foo' });
    expect(doc.body).toBe('Body.\n');
  });

  it('ends the front matter at the first closing line; later "---" lines are body', () => {
    const doc = parse('---\ntitle: Foo\n---\nIntro\n---\nMore\n');
    expect(doc.data).toEqual({ title: 'Foo' });
    expect(doc.body).toBe('Intro\n---\nMore\n');
  });

  it('does not end the front matter at a line that only starts with "---" (Jekyll needs the whole line)', () => {
    const doc = parse('---\ntitle: Foo\nnote: |\n  ---- not a delimiter\n---x: 1\nreleases: []\n---\nBody\n');
    expect(doc.data).toEqual({
      title: 'Foo',
      note: '---- not a delimiter\n',
      '---x': new YamlNumber(1, '1', 'int'),
      releases: [],
    });
    expect(doc.body).toBe('Body\n');
  });

  it('accepts a last line without a newline, and an empty front matter', () => {
    const noNewline = parse('---\ntitle: Foo\n---');
    expect([noNewline.data, noNewline.body]).toEqual([{ title: 'Foo' }, '']);
    const empty = parse('---\n---\nBody');
    expect([empty.data, empty.body]).toEqual([{}, 'Body']);
  });

  it.each([
    ['a list', '---\n- a\n- b\n---\n'],
    ['a scalar', '---\njust text\n---\n'],
    ['a quoted scalar', '---\n"just text"\n---\n'],
  ])('refuses front matter that is %s', (_what, text) => {
    expect(refusal(text)).toEqual({ message: NOT_A_MAPPING, line: 2 });
  });
});

describe('parseDocument: YAML errors point at the file line', () => {
  const badIndent = [
    '---',
    'title: Foo',
    '# a comment',
    'permalink: /foo',
    '',
    'releases:',
    '  - releaseCycle: "2"',
    '    eol: false',
    '   latest: "2.0"',
    '---',
    'Body.',
  ].join('\n');
  const twoColons = ['---', 'title: Foo', 'permalink: /foo', 'category: os: database', '---', ''].join('\n');

  it.each([
    ['bad indentation of a release field', badIndent, '   latest', 'YAML error: bad indentation of a sequence entry'],
    [
      'a second ": " on a line',
      twoColons,
      'category: os',
      'YAML error: incomplete explicit mapping pair; a key node is missed; or followed by a non-tabulated empty line',
    ],
    [
      'the same with CRLF line ends',
      badIndent.replace(/\n/g, '\r\n'),
      '   latest',
      'YAML error: bad indentation of a sequence entry',
    ],
    ['the same after a BOM', `\ufeff${badIndent}`, '   latest', 'YAML error: bad indentation of a sequence entry'],
  ])('%s', (_what, text, badLine, message) => {
    expect(refusal(text)).toEqual({ message, line: lineWith(text, badLine) });
  });
});

describe('parseDocument: encodings and line ends', () => {
  const lf = [
    '---',
    'title: Foo',
    'permalink: /foo',
    'releases:',
    '  - releaseCycle: "2.0"',
    '    releaseDate: 2020-01-31',
    '    eol: false',
    '    latest: 2.0',
    '  - releaseCycle: "1"',
    '    eol: true',
    'category: os',
    '---',
    'Body line 1',
    'Body line 2',
    '',
  ].join('\n');
  const expected = {
    title: 'Foo',
    permalink: '/foo',
    releases: [
      {
        releaseCycle: '2.0',
        releaseDate: new CalendarDate('2020-01-31'),
        eol: false,
        latest: new YamlNumber(2, '2.0', 'float'),
      },
      { releaseCycle: '1', eol: true },
    ],
    category: 'os',
  };
  const paths = ['title', 'releases', 'releases[0].releaseDate', 'releases[1].eol', 'category'];

  it('parses the LF document', () => {
    const doc = parse(lf);
    expect(doc.data).toEqual(expected);
    expect(doc.body).toBe('Body line 1\nBody line 2\n');
  });

  it('parses a CRLF file to the same data and the same lines as its LF twin', () => {
    const lfDoc = parse(lf);
    const crlfDoc = parse(lf.replace(/\n/g, '\r\n'));
    expect(crlfDoc.data).toEqual(expected);
    expect(crlfDoc.body).toBe('Body line 1\r\nBody line 2\r\n');
    expect(paths.map((p) => crlfDoc.lineOf(p))).toEqual(paths.map((p) => lfDoc.lineOf(p)));
  });

  it('strips a BOM and parses the rest', () => {
    const doc = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf)]));
    expect(doc.data).toEqual(expected);
    expect(doc.lineOf('title')).toBe(2);
  });

  it('keeps non-ASCII text', () => {
    expect(parse('---\ntitle: Ünïcødé 日本 🚀\n---\n').data).toEqual({ title: 'Ünïcødé 日本 🚀' });
  });

  it.each([
    ['after ASCII', '---\ntitle: x\n', [0xff], 3],
    ['after multi-byte characters', '---\ntitle: ééééé 日本語\nx: 🚀\n', [0xff], 4],
    ['after a literal U+FFFD', '---\ntitle: \ufffd\n', [0x80], 3],
    ['as a truncated sequence at the end', '---\ntitle: é\n---\n', [0xc3], 4],
    ['as a sequence cut by ASCII', '---\ntitle: ', [0xe6, 0x97, 0x41], 2],
    ['as an overlong encoding', '---\ntitle: ', [0xc0, 0xaf], 2],
  ])('reports the offset and line of invalid UTF-8 (%s)', (_what, prefix, bad, line) => {
    const bytes = Buffer.concat([Buffer.from(prefix), Buffer.from(bad), Buffer.from('\n---\n')]);
    const offset = Buffer.byteLength(prefix);
    expect(refusal(bytes)).toEqual({
      message: `the file is not valid UTF-8 (first bad byte at offset ${offset})`,
      line,
    });
  });
});

describe('parseDocument: control characters are YAML errors', () => {
  it.each([
    ['U+0001 in a plain scalar', 'a\u0001b', 'YAML error: the stream contains non-printable characters'],
    ['BEL', 'bell\u0007', 'YAML error: the stream contains non-printable characters'],
    ['DEL', 'a\u007fb', 'YAML error: the stream contains non-printable characters'],
    ['U+0001 in a double-quoted scalar', '"a\u0001b"', 'YAML error: expected valid JSON character'],
    ['NUL', 'a\u0000b', 'YAML error: null byte is not allowed in input'],
  ])('%s', (_what, value, message) => {
    const text = `---\ntitle: Foo\npermalink: /foo\ncodename: ${value}\n---\nBody\n`;
    expect(refusal(text)).toEqual({ message, line: 4 });
  });
});

describe('parseDocument: size limits', () => {
  it('refuses a file over maxBytes, naming IMPORT_MAX_DOCUMENT_BYTES', () => {
    const text = `---\ntitle: Foo\n---\n${'x'.repeat(100)}`;
    const size = Buffer.byteLength(text);
    expect(refusal(text, { maxBytes: size - 1, maxYamlNodes: 100 })).toEqual({
      message: `the file is ${size} bytes; documents larger than ${size - 1} bytes are refused (IMPORT_MAX_DOCUMENT_BYTES)`,
      line: undefined,
    });
    expect(parse(text, { maxBytes: size, maxYamlNodes: 100 }).data).toEqual({ title: 'Foo' });
  });

  it('refuses a billion-laughs front matter, naming IMPORT_MAX_YAML_NODES', () => {
    const lines = ['---', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('---', '');
    const { message } = refusal(lines.join('\n'), { maxBytes: 100_000, maxYamlNodes: 100_000 });
    expect(message).toBe(
      'the front matter expands to more than 100000 YAML values (aliases counted each time they are used); ' +
        'the limit is IMPORT_MAX_YAML_NODES',
    );
  });

  it('refuses front matter nested deeper than 64 levels', () => {
    const text = `---\nk: ${'['.repeat(100)}${']'.repeat(100)}\n---\n`;
    expect(refusal(text)).toEqual({ message: 'the front matter is nested deeper than 64 levels', line: undefined });
  });

  it('refuses nesting too deep for the YAML parser itself without crashing', () => {
    const text = `---\nk: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n---\n`;
    expect(refusal(text)).toEqual({ message: 'the front matter is nested too deeply to parse', line: undefined });
  });
});

describe('parseDocument: lineOf', () => {
  const text = [
    '---',
    'title: Foo',
    'permalink: /foo',
    'alternate_urls:',
    '  - /bar',
    '  - /baz',
    '# The releases, newest first.',
    'releases:',
    '  - releaseCycle: "3"',
    '    releaseDate: 2022-01-01',
    '    supportedVersions:',
    '      - "8.1"',
    '      - "8.2"',
    '    eol: 2025-01-01',
    '',
    '  - releaseCycle: "2"',
    '    releaseDate: 2021-01-01',
    '    eol: false',
    '  -   releaseCycle: "1"',
    '      latest: "1.9"',
    '      eol: true',
    'category: os',
    '---',
    'Body',
  ].join('\n');
  const doc = parse(text);

  it.each([
    ['title', lineWith(text, 'title:')],
    ['permalink', lineWith(text, 'permalink:')],
    ['alternate_urls[1]', lineWith(text, 'alternate_urls:')],
    ['releases', lineWith(text, 'releases:')],
    ['category', lineWith(text, 'category:')],
    ['releases[0]', lineWith(text, 'releaseCycle: "3"')],
    ['releases[0].releaseCycle', lineWith(text, 'releaseCycle: "3"')],
    ['releases[0].eol', lineWith(text, 'eol: 2025-01-01')],
    ['releases[1]', lineWith(text, 'releaseCycle: "2"')],
    ['releases[1].releaseDate', lineWith(text, 'releaseDate: 2021-01-01')],
    ['releases[1].eol', lineWith(text, 'eol: false')],
    ['releases[2].releaseCycle', lineWith(text, 'releaseCycle: "1"')],
    ['releases[2].eol', lineWith(text, 'eol: true')],
    ['releases[2].latest', lineWith(text, 'latest: "1.9"')],
    // a field the release lacks: the release's first line
    ['releases[1].latest', lineWith(text, 'releaseCycle: "2"')],
    // a release that does not exist: the releases key
    ['releases[7].eol', lineWith(text, 'releases:')],
  ])('%s is on line %d', (path, line) => {
    expect(doc.lineOf(path)).toBe(line);
  });

  it('does not know keys the document lacks', () => {
    expect(doc.lineOf('changelogTemplate')).toBeUndefined();
    expect(doc.lineOf('')).toBeUndefined();
  });

  it('finds the same lines after a BOM', () => {
    const bom = parse(`\ufeff${text}`);
    expect(bom.lineOf('releases[2].eol')).toBe(lineWith(text, 'eol: true'));
    expect(bom.lineOf('category')).toBe(lineWith(text, 'category:'));
  });
});

describe('parseDocument: YAML typing reaches the data', () => {
  it('keeps the last of duplicate keys and accepts a TAB after "key:"', () => {
    const doc = parse('---\ntitle:\tFoo\nreleases:\n  - release: 2019-01-01\n    release: 2019-02-01\n---\n');
    expect(doc.data).toEqual({ title: 'Foo', releases: [{ release: new CalendarDate('2019-02-01') }] });
  });
});
