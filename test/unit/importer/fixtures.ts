// Builders for the inline product documents of the importer's unit tests, and the pipeline steps
// run on them the way the importer runs them (bytes → parseDocument → normaliseDocument).
import type { Problem } from '../../../src/importer/document.ts';
import { normaliseDocument, type NormaliseResult } from '../../../src/importer/normalise.ts';
import { parseDocument, type ParseLimits } from '../../../src/importer/parse.ts';

export const LIMITS: ParseLimits = { maxBytes: 1_000_000, maxYamlNodes: 100_000 };

/** The reference "today" of docs/eol-format.md. */
export const TODAY = '2026-08-22';

export const FILE = 'products/foo.md';

/** A document: the front-matter lines between "---" lines, then the body. */
export function documentText(frontMatter: string[], body = 'Body.\n'): string {
  return ['---', ...frontMatter, '---', body].join('\n');
}

/** Product-level lines every fixture starts from. */
export const PRODUCT = ['title: Foo', 'permalink: /foo', 'category: os'];

/** One item of the releases list: the first field opens the item, the others are indented under it. */
export function release(...fields: string[]): string[] {
  return fields.map((f, i) => (i === 0 ? `  - ${f}` : `    ${f}`));
}

/** A release with every field the HEAD validator wants (latest column shown, no other column). */
export function fullRelease(cycle: string, releaseDate: string, ...extra: string[]): string[] {
  return release(
    `releaseCycle: "${cycle}"`,
    `releaseDate: ${releaseDate}`,
    'eol: false',
    `latest: "${cycle}.0"`,
    ...extra,
  );
}

/** A whole document from product lines and releases. */
export function productText(product: string[], ...releases: string[][]): string {
  return documentText([...product, 'releases:', ...releases.flat()]);
}

/** A document with the usual title/permalink/category, then `lines`, and one complete release. */
export function withProduct(...lines: string[]): string {
  return productText([...PRODUCT, ...lines], fullRelease('1', '2020-01-01'));
}

/** The 1-based line of the `occurrence`-th line of `text` that contains `needle`. */
export function lineWith(text: string, needle: string, occurrence = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && ++seen === occurrence) return i + 1;
  }
  throw new Error(`fixture has no line #${occurrence} containing ${JSON.stringify(needle)}`);
}

/** Parses and normalises a document, as the importer does before validating. */
export function normalise(text: string, file = FILE): NormaliseResult {
  const parsed = parseDocument(Buffer.from(text, 'utf8'), LIMITS);
  return normaliseDocument({
    file,
    contentHash: 'hash',
    data: parsed.data,
    body: parsed.body,
    lineOf: parsed.lineOf,
  });
}

/** Problems without the file name (always the fixture's), easier to compare. */
export function problems(list: Problem[]): Omit<Problem, 'file'>[] {
  return list.map(({ file: _file, ...rest }) => rest);
}
