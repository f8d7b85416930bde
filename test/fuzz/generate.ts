// Builds a directory of damaged product documents for the importer's robustness test
// (test/integration/import-fuzz.test.ts):
//
//   npx tsx test/fuzz/generate.ts <outDir> [--seed N] [--count N] [--corpus DIR]
//
// Every file is a real endoflife.date document (read in place from the shared corpus,
// ../shared/corpus/endoflife-2026-08/products; nothing of it is copied into the repository) with one
// mutation applied. Each file keeps the name of the document it was made from and each corpus
// document is used at most once, so a file whose permalink survives claims the product its
// original stored, and no two files claim one product (the importer would reject both). outDir
// must be empty (or new) and outside the repository: generated files are never committed.
// The same seed and count give the same files, byte for byte; manifest.json (not a *.md file, so
// the importer skips it) lists every file with its mutation, what the importer must do with it
// and the file's SHA-256.
//
// Mutations ("kinds"): wrong-type (each product-level field of docs/eol-format.md §2.1 and each
// release-level field of §3.1 set to a list, a mapping, a number, a boolean, null and a 256 KiB
// string), alias-bomb (billion laughs in lists and mappings, aliases of one long string, of a long
// number, joined into a mapping key, nested), deep-nesting (thousands of "[" or "{", block lists),
// oversize (10 MiB; the cap plus one byte; exactly the cap), many-releases, bom, crlf, bom-crlf,
// wide (one document with tens of thousands of custom keys, identifiers, aliases, custom fields or
// tags), and, drawn at random to fill --count (default 400, at most one per corpus document):
// truncate (inside the front matter, inside the body, inside a multi-byte character), byte-flip
// (front matter), control-chars, invalid-utf8, nul, duplicate-keys, tabs, long-lines.
//
// Expected outcomes: "import" or "reject" where the format decides (BOM and CRLF are valid and
// must store the same rows as the original; anything the size or YAML limits refuse, invalid UTF-8,
// NUL, non-printable characters in the front matter, a front matter cut short, a date field
// holding a list), "either" where both are defensible (a flipped byte, a boolean title), and for
// rejections the field path, line and message fragment the rejection must give when they can be
// known ("orDatabase": PostgreSQL refusing a value, e.g. a 256 KiB permalink too long for its
// index, is a rejection too). 50,000 releases: written the way the corpus writes releases (150 to
// 350 bytes each) that is 7 to 17 MB, so the size cap (IMPORT_MAX_DOCUMENT_BYTES, 1 MiB) must
// reject it; written as compactly as YAML allows ("- *c : 123", an alias key: ~13 bytes and 2
// values per release) it stays under both the size cap and IMPORT_MAX_YAML_NODES (200,000; it
// needs ~100,000) and is a valid document, so it must import, all 50,000 cycles of it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HEAD_RELEASE_KEYS } from '../helpers/format.ts';

const projectRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DEFAULT_CORPUS = resolve(projectRoot, '../shared/corpus/endoflife-2026-08/products');
export const DEFAULT_COUNT = 400;
/** The importer's defaults (src/config.ts): IMPORT_MAX_DOCUMENT_BYTES, IMPORT_MAX_YAML_NODES. */
const MAX_BYTES = 1_048_576;
const MiB = 1_048_576;

export const KINDS = [
  'wrong-type',
  'alias-bomb',
  'deep-nesting',
  'oversize',
  'many-releases',
  'bom',
  'crlf',
  'bom-crlf',
  'wide',
  'truncate',
  'byte-flip',
  'control-chars',
  'invalid-utf8',
  'nul',
  'duplicate-keys',
  'tabs',
  'long-lines',
] as const;
export type Kind = (typeof KINDS)[number];

export interface FuzzCase {
  /** File name in outDir: the name of the corpus document it was made from. */
  file: string;
  kind: Kind;
  /** What exactly was done. */
  variant: string;
  expect: 'import' | 'reject' | 'either';
  /** BOM/CRLF: once imported, the product's rows must be those of the original (line ends aside). */
  sameRowsAsOriginal?: boolean;
  /** When the file is rejected, one error must say this (each part only where it can be known). */
  rejection?: { path?: string; lines?: number[]; says?: string; orDatabase?: boolean };
  /** When imported: how many cycles, and which label, the stored product must have. */
  releases?: number;
  label?: string;
  bytes: number;
  lines: number;
  sha256: string;
}

export interface Manifest {
  seed: number;
  count: number;
  corpus: string;
  cases: FuzzCase[];
}

// ---- deterministic randomness -------------------------------------------------------------------

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
  /** Text of [a-z0-9-] that does not compress (so PostgreSQL cannot squeeze it into an index). */
  word(length: number): string {
    const alphabet = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789-');
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = alphabet[this.int(0, alphabet.length)]!;
    return out.toString('latin1');
  }
}

// ---- reading a corpus document as lines ---------------------------------------------------------

interface Block {
  /** First line (0-based) and the line after the last. */
  start: number;
  end: number;
}

interface FirstRelease extends Block {
  /** Columns of the item's "-" and of its keys. */
  dash: number;
  indent: number;
  fields: Map<string, Block>;
}

interface Source {
  file: string;
  bytes: Buffer;
  lines: string[];
  /** Index of the closing "---" line. */
  close: number;
  /** Byte offset of each line. */
  starts: number[];
  top: Map<string, Block>;
  release: FirstRelease;
  nonAscii: boolean;
  blockScalar: boolean;
}

function readSource(dir: string, file: string): Source {
  const bytes = readFileSync(join(dir, file));
  const lines = bytes.toString('utf8').split('\n');
  const close = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)\s*$/.test(l));
  if (lines[0] !== '---' || close < 0) throw new Error(`${file}: no front matter`);
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);

  // Top-level keys; everything indented, a list dash or a comment after one belongs to it.
  const top = new Map<string, Block>();
  let key: string | null = null;
  let from = 0;
  const end = (at: number) => {
    if (key !== null && !top.has(key)) top.set(key, { start: from, end: at });
  };
  for (let i = 1; i < close; i++) {
    const m = /^([A-Za-z_][\w-]*)\s*:/.exec(lines[i]!);
    if (m) {
      end(i);
      key = m[1]!;
      from = i;
    }
  }
  end(close);

  const releases = top.get('releases');
  if (!releases) throw new Error(`${file}: no releases`);
  let start = -1;
  let dash = 0;
  let indent = 0;
  for (let i = releases.start + 1; i < releases.end && start < 0; i++) {
    const m = /^(\s*)-(\s+)\S/.exec(lines[i]!);
    if (m) [start, dash, indent] = [i, m[1]!.length, m[1]!.length + 1 + m[2]!.length];
  }
  if (start < 0) throw new Error(`${file}: no first release`);
  let stop = start + 1;
  while (stop < releases.end && !new RegExp(`^ {0,${dash}}-\\s`).test(lines[stop]!)) stop++;
  const fields = new Map<string, Block>();
  const fieldRe = new RegExp(`^(?: {${dash}}-\\s+| {${indent}})([A-Za-z_][\\w-]*)\\s*:`);
  let field: string | null = null;
  let fieldFrom = start;
  for (let i = start; i <= stop; i++) {
    const m = i < stop ? fieldRe.exec(lines[i]!) : null;
    if (m || i === stop) {
      if (field !== null && !fields.has(field)) fields.set(field, { start: fieldFrom, end: i });
      if (m) [field, fieldFrom] = [m[1]!, i];
    }
  }
  return {
    file,
    bytes,
    lines,
    close,
    starts,
    top,
    release: { start, end: stop, dash, indent, fields },
    nonAscii: bytes.some((b) => b >= 0x80),
    blockScalar: lines.slice(1, close).some((l) => /:\s*[|>][-+]?\s*$/.test(l)),
  };
}

/** The 1-based line of a byte offset. */
function lineAt(src: Source, offset: number): number {
  let lo = 0;
  let hi = src.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (src.starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

const frontMatterEnd = (src: Source) => src.starts[src.close]!;
const isContinuation = (byte: number) => (byte & 0xc0) === 0x80;
const toBytes = (lines: string[]) => Buffer.from(lines.join('\n'));
// (Array literals, not splice(...insert): 50,000 lines as arguments overflow the stack.)
const splice = (lines: string[], start: number, remove: number, insert: string | string[]) => [
  ...lines.slice(0, start),
  ...(typeof insert === 'string' ? [insert] : insert),
  ...lines.slice(start + remove),
];
const insertBytes = (bytes: Buffer, at: number, extra: Buffer | number[]) =>
  Buffer.concat([bytes.subarray(0, at), Buffer.from(extra), bytes.subarray(at)]);

/** A random line of the front matter's content (not the delimiters), 0-based. */
const frontMatterLine = (src: Source, rng: Rng) => rng.int(1, src.close);
/** A random non-empty line of the body, 0-based, or null when the body has none. */
function bodyLine(src: Source, rng: Rng): number | null {
  const candidates = src.lines.map((l, i) => (i > src.close && l.trim() !== '' ? i : -1)).filter((i) => i >= 0);
  return candidates.length ? rng.pick(candidates) : null;
}

// ---- the mutations ------------------------------------------------------------------------------

type Made = Omit<FuzzCase, 'file' | 'kind' | 'bytes' | 'lines' | 'sha256'> & { bytes: Buffer };

interface Plan {
  kind: Kind;
  /** Documents this plan can use (default: any). */
  fits?: (src: Source) => boolean;
  make: (src: Source, rng: Rng) => Made;
}

const PRODUCT_FIELDS = [
  'title',
  'permalink',
  'category',
  'tags',
  'addedAt',
  'iconSlug',
  'alternate_urls',
  'versionCommand',
  'releasePolicyLink',
  'changelogTemplate',
  'releaseLabel',
  'LTSLabel',
  'eolColumn',
  'eoasColumn',
  'eoesColumn',
  'discontinuedColumn',
  'latestColumn',
  'releaseDateColumn',
  'releaseImage',
  'customFields',
  'identifiers',
  'auto',
  'staleReleaseThresholdDays',
  'description',
  'releases',
];
const RELEASE_FIELDS = HEAD_RELEASE_KEYS;
const DATE_FIELDS = new Set(['releaseDate', 'latestReleaseDate']);
const DATE_OR_BOOL_FIELDS = new Set(['eol', 'eoas', 'eoes', 'discontinued', 'lts']);

const WRONG_TYPES = ['list', 'mapping', 'number', 'boolean', 'null', 'huge-string'] as const;
type WrongType = (typeof WRONG_TYPES)[number];

function wrongValue(type: WrongType, field: string, rng: Rng): string {
  switch (type) {
    case 'list':
      return rng.pick(['[1, 2, 3]', '["a", {b: c}, 2020-01-01]', '[[[x]]]', '- x']);
    case 'mapping':
      return rng.pick(['{a: 1}', '{}', '{releaseCycle: "1", eol: true}', '{x: [1, 2]}']);
    case 'number':
      // A cycle named like a number could repeat a later cycle; these cannot.
      return field === 'releaseCycle'
        ? rng.pick(['4096.0', '1e400', '99999999999999999999'])
        : rng.pick(['0', '-1', '4096', '1.10', '2.0', '1e400', '0x1F', '.inf', '99999999999999999999']);
    case 'boolean':
      return rng.pick(['true', 'false', 'yes', 'off']);
    case 'null':
      return rng.pick(['null', '~', '']);
    case 'huge-string':
      return `"${rng.word(256 * 1024)}"`;
  }
}

/** Whether a wrong value must reject the document whatever the exact value drawn. */
function mustReject(scope: 'product' | 'release', field: string, type: WrongType): boolean {
  if (scope === 'product' && field === 'title') return ['list', 'mapping', 'null'].includes(type);
  if (scope === 'product' && field === 'releases') return type !== 'list';
  if (scope === 'release' && field === 'releaseCycle') return ['list', 'mapping', 'null'].includes(type);
  if (scope === 'release' && DATE_FIELDS.has(field)) return type !== 'null';
  if (scope === 'release' && DATE_OR_BOOL_FIELDS.has(field)) return !['boolean', 'null'].includes(type);
  return false;
}

function wrongType(scope: 'product' | 'release', field: string, type: WrongType): Plan {
  const present = (src: Source) => (scope === 'product' ? src.top : src.release.fields).has(field);
  return {
    kind: 'wrong-type',
    // Prefer documents that have the field (replaced); others get it added.
    fits: (src) => present(src) && src.bytes.length < 200_000,
    make: (src, rng) => {
      const value = wrongValue(type, field, rng);
      // A block list needs a line of its own, indented under the key.
      const entry = (pad: string) =>
        value.startsWith('- ') ? [`${pad}${field}:`, `${pad}  ${value}`] : [`${pad}${field}: ${value}`.trimEnd()];
      let lines: string[];
      let at: number;
      if (scope === 'product') {
        const block = src.top.get(field);
        at = block ? block.start : 1;
        lines = splice(src.lines, at, block ? block.end - block.start : 0, entry(''));
      } else {
        const r = src.release;
        const block = r.fields.get(field);
        const added = entry(' '.repeat(r.indent));
        if (block && block.start === r.start) {
          // The item's own line ("  - releaseCycle: …"): keep the dash.
          at = r.start;
          added[0] = `${' '.repeat(r.dash)}-${' '.repeat(r.indent - r.dash - 1)}${added[0]!.trimStart()}`;
          lines = splice(src.lines, at, block.end - block.start, added);
        } else {
          at = block ? block.start : r.start + 1;
          lines = splice(src.lines, at, block ? block.end - block.start : 0, added);
        }
      }
      const path = scope === 'product' ? field : `releases[0].${field}`;
      return {
        bytes: toBytes(lines),
        variant: `${path} = ${type}${type === 'huge-string' ? ' (256 KiB)' : `: ${value || '(empty)'}`}`,
        expect: mustReject(scope, field, type) ? 'reject' : 'either',
        rejection: { path, lines: type === 'list' ? [at + 1, at + 2] : [at + 1], orDatabase: type === 'huge-string' },
      };
    },
  };
}

const small = (src: Source) => src.bytes.length < 16_000;

/** Lines inserted after the opening "---". */
const prepend = (src: Source, ...extra: string[]) => toBytes(splice(src.lines, 1, 0, extra));

function laughs(levels: number, width: number, mapping: boolean): string[] {
  const items = (v: string) =>
    mapping
      ? `{${Array.from({ length: width }, (_, i) => `k${i}: ${v}`).join(', ')}}`
      : `[${Array(width).fill(v).join(', ')}]`;
  const out = [`lol0: &lol0 ${items('lol')}`];
  for (let i = 1; i < levels; i++) out.push(`lol${i}: &lol${i} ${items(`*lol${i - 1}`)}`);
  return out;
}

/** Room left under the size cap for a document of this size, with a margin. */
const room = (src: Source, margin = 64 * 1024) => MAX_BYTES - src.bytes.length - margin;

const BOMBS: Plan[] = [
  {
    kind: 'alias-bomb',
    fits: small,
    make: (src) => ({
      bytes: prepend(src, ...laughs(9, 10, false)),
      variant: 'billion laughs: 9 levels of 10 aliases (lists)',
      expect: 'reject',
      rejection: { says: 'YAML values (aliases counted each time they are used)' },
    }),
  },
  {
    kind: 'alias-bomb',
    fits: small,
    make: (src) => ({
      bytes: prepend(src, ...laughs(9, 10, true)),
      variant: 'billion laughs: 9 levels of 10 aliases (mappings)',
      expect: 'reject',
      rejection: { says: 'YAML values (aliases counted each time they are used)' },
    }),
  },
  {
    kind: 'alias-bomb',
    fits: small,
    make: (src) => {
      const r = src.release;
      const lines = splice(src.lines, r.start + 1, 0, `${' '.repeat(r.indent)}lolz: *lol5`);
      return {
        bytes: toBytes(splice(lines, 1, 0, laughs(6, 10, false))),
        variant: 'a million laughs used as a custom field of releases[0]',
        expect: 'reject',
        rejection: { says: 'YAML values (aliases counted each time they are used)' },
      };
    },
  },
  {
    kind: 'alias-bomb',
    fits: small,
    make: (src, rng) => ({
      // ~900 KB of text used 20,000 times: 18 GB once serialised.
      bytes: prepend(src, `s: &s "${rng.word(room(src, 200_000))}"`, `l: [${Array(20_000).fill('*s').join(', ')}]`),
      variant: 'one long string, 20,000 aliases of it',
      expect: 'reject',
      rejection: { says: 'characters of text' },
    }),
  },
  {
    kind: 'alias-bomb',
    fits: small,
    make: (src) => ({
      bytes: prepend(src, `n: &n 1${'0'.repeat(room(src, 100_000))}`, `l: [${Array(5_000).fill('*n').join(', ')}]`),
      variant: 'one long number, 5,000 aliases of it',
      expect: 'reject',
      rejection: { says: 'characters of text' },
    }),
  },
  {
    kind: 'alias-bomb',
    fits: small,
    make: (src, rng) => ({
      // js-yaml joins a list used as a mapping key into one string while parsing.
      bytes: prepend(src, `s: &s "${rng.word(room(src))}"`, `? [${Array(500).fill('*s').join(', ')}]`, ': x'),
      variant: 'a mapping key that is a list of 500 aliases of one long string',
      expect: 'reject',
      rejection: { says: 'characters of text' },
    }),
  },
  {
    kind: 'alias-bomb',
    fits: small,
    make: (src, rng) => ({
      // A third of the room: the string and its one use stay under the limit while parsing.
      bytes: prepend(
        src,
        `s: &s "${rng.word(Math.floor(room(src) / 3))}"`,
        'a: &a [*s]',
        `l: [${Array(5_000).fill('*a').join(', ')}]`,
      ),
      variant: 'a list holding one long string, 5,000 aliases of the list',
      expect: 'reject',
      rejection: { says: 'characters of text' },
    }),
  },
];

const NESTING: Plan[] = [
  ['5,000 "[" closed', `deep: ${'['.repeat(5000)}x${']'.repeat(5000)}`],
  ['5,000 "{a: " closed', `deep: ${'{a: '.repeat(5000)}x${'}'.repeat(5000)}`],
  ['100,000 "[" never closed', `deep: ${'['.repeat(100_000)}`],
  ['20,000 "{" never closed', `deep: ${'{'.repeat(20_000)}`],
  [
    '700 levels of block lists',
    ['deep:', ...Array.from({ length: 700 }, (_, i) => `${' '.repeat(i + 1)}-${i === 699 ? ' x' : ''}`)].join('\n'),
  ],
  ['64 levels of "[" (one past the limit)', `deep: ${'['.repeat(64)}x${']'.repeat(64)}`],
].map(([variant, yaml]): Plan => ({
  kind: 'deep-nesting',
  fits: small,
  make: (src) => ({
    bytes: prepend(src, yaml!),
    variant: variant!,
    expect: 'reject',
    rejection: { says: 'nested' },
  }),
}));
NESTING.push({
  kind: 'deep-nesting',
  fits: small,
  make: (src) => ({
    bytes: prepend(src, `deep: ${'['.repeat(63)}x${']'.repeat(63)}`),
    variant: '63 levels of "[" (the limit)',
    expect: 'import',
  }),
});

/** The document padded at the end of its body to exactly `size` bytes. */
function padded(src: Source, size: number): Buffer {
  const line = 'Padding to test the size limit. '.repeat(3).trimEnd();
  const need = size - src.bytes.length;
  const pad = Buffer.alloc(need, `${line}\n`);
  if (need > 0) pad[need - 1] = 0x0a;
  return Buffer.concat([src.bytes, pad]);
}

const OVERSIZE: Plan[] = [
  {
    kind: 'oversize',
    make: (src) => ({
      bytes: padded(src, 10 * MiB),
      variant: '10 MiB (body padded)',
      expect: 'reject',
      rejection: { says: 'IMPORT_MAX_DOCUMENT_BYTES' },
    }),
  },
  {
    kind: 'oversize',
    make: (src) => ({
      bytes: padded(src, MAX_BYTES + 1),
      variant: 'the size cap plus one byte',
      expect: 'reject',
      rejection: { says: 'IMPORT_MAX_DOCUMENT_BYTES' },
    }),
  },
  {
    kind: 'oversize',
    make: (src) => ({ bytes: padded(src, MAX_BYTES), variant: 'exactly the size cap', expect: 'import' }),
  },
];

const MANY_RELEASES: Plan[] = [
  {
    kind: 'many-releases',
    fits: (src) => src.release.end - src.release.start >= 3,
    make: (src) => {
      const r = src.release;
      const item = src.lines.slice(r.start, r.end).filter((l) => !/^\s*(#|$)/.test(l));
      const releases: string[] = [];
      for (let i = 0; i < 50_000; i++) {
        releases.push(item[0]!.replace(/releaseCycle:.*/, `releaseCycle: "fuzz-${i}"`), ...item.slice(1));
      }
      const block = src.top.get('releases')!;
      return {
        bytes: toBytes(splice(src.lines, block.start + 1, block.end - block.start - 1, releases)),
        variant: `50,000 releases like the first one (~${Math.round((releases.join('\n').length / MiB) * 10) / 10} MiB)`,
        expect: 'reject',
        rejection: { says: 'IMPORT_MAX_DOCUMENT_BYTES' },
      };
    },
  },
  {
    kind: 'many-releases',
    fits: (src) => src.bytes.length < 8_000,
    make: (src) => {
      const block = src.top.get('releases')!;
      const releases = Array.from({ length: 50_000 }, (_, i) => `- *c : ${i}`);
      const lines = splice(src.lines, block.start, block.end - block.start, ['releases:', ...releases]);
      return {
        bytes: toBytes(splice(lines, 1, 0, 'c: &c releaseCycle')),
        variant: '50,000 releases written compactly ("- *c : 123")',
        expect: 'import',
        releases: 50_000,
      };
    },
  },
];

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const crlf = (bytes: Buffer) => Buffer.from(bytes.toString('utf8').replace(/\n/g, '\r\n'));
const hasBlockScalar = (src: Source) => src.blockScalar;
const hasNonAscii = (src: Source) => src.nonAscii;
const LINE_ENDS: Plan[] = [
  ...Array.from({ length: 6 }, (_, i): Plan => ({
    kind: 'bom',
    fits: i < 3 ? hasNonAscii : undefined,
    make: (src) => ({
      bytes: Buffer.concat([BOM, src.bytes]),
      variant: 'UTF-8 BOM',
      expect: 'import',
      sameRowsAsOriginal: true,
    }),
  })),
  ...Array.from({ length: 6 }, (_, i): Plan => ({
    kind: 'crlf',
    fits: i < 4 ? hasBlockScalar : undefined,
    make: (src) => ({ bytes: crlf(src.bytes), variant: 'CRLF line ends', expect: 'import', sameRowsAsOriginal: true }),
  })),
  ...Array.from({ length: 4 }, (_, i): Plan => ({
    kind: 'bom-crlf',
    fits: i < 2 ? (src) => hasBlockScalar(src) && hasNonAscii(src) : undefined,
    make: (src) => ({
      bytes: Buffer.concat([BOM, crlf(src.bytes)]),
      variant: 'UTF-8 BOM and CRLF line ends',
      expect: 'import',
      sameRowsAsOriginal: true,
    }),
  })),
];

/** A top-level list with `count` more entries (appended to the key's block, or a new block). */
function widen(src: Source, key: string, entries: (i: number) => string, budget: number): [Buffer, number] {
  const block = src.top.get(key);
  const extra: string[] = [];
  for (let i = 0, size = 0; size < budget; i++) {
    const line = entries(i);
    extra.push(line);
    size += line.length + 1;
  }
  const lines = block ? splice(src.lines, block.end, 0, extra) : splice(src.lines, 1, 0, [`${key}:`, ...extra]);
  return [toBytes(lines), extra.length];
}

const WIDE: Plan[] = [
  {
    kind: 'wide',
    fits: small,
    make: (src) => {
      const r = src.release;
      const pad = ' '.repeat(r.indent);
      const extra: string[] = [];
      for (let i = 0, size = 0; size < room(src); i++) size += extra[extra.push(`${pad}k${i}: v`) - 1]!.length + 1;
      return {
        bytes: toBytes(splice(src.lines, r.end, 0, extra)),
        variant: `${extra.length} undeclared custom keys in releases[0]`,
        expect: 'import',
      };
    },
  },
  ...(
    [
      ['identifiers', (i: number) => `  - purl: pkg:npm/fuzz-${i}`],
      ['alternate_urls', (i: number) => `  - /fuzz-${i}`],
      ['customFields', (i: number) => `  - {name: f${i}, display: none}`],
    ] as const
  ).map(([key, entry]): Plan => ({
    kind: 'wide',
    // The entries added are written "  - …": the document's own must be too.
    fits: (src) => small(src) && (!src.top.has(key) || src.lines[src.top.get(key)!.start + 1]!.startsWith('  - ')),
    make: (src) => {
      const [bytes, n] = widen(src, key, entry, room(src));
      return { bytes, variant: `${n} more entries in ${key}`, expect: 'import' };
    },
  })),
  {
    kind: 'wide',
    fits: (src) => small(src) && !src.top.has('tags'),
    make: (src) => {
      const tags: string[] = [];
      for (let i = 0, size = 0; size < room(src); i++) size += tags[tags.push(`fuzz-${i}`) - 1]!.length + 1;
      return {
        bytes: prepend(src, `tags: ${tags.join(' ')}`),
        variant: `${tags.length} tags on one line`,
        expect: 'import',
      };
    },
  },
];

// The random kinds: a variant drawn per file.

function truncate(src: Source, rng: Rng, variant: 'front matter' | 'body' | 'multi-byte character'): Made {
  const b = src.bytes;
  const closeAt = frontMatterEnd(src);
  if (variant === 'multi-byte character') {
    // A character of the front matter when it has one (13 corpus documents do), else of the body.
    const all: number[] = [];
    for (let i = 0; i < b.length; i++) if (b[i]! >= 0xc0) all.push(i);
    const inFrontMatter = all.filter((i) => i < closeAt);
    const starts = inFrontMatter.length > 0 ? inFrontMatter : all;
    if (starts.length > 0) {
      const at = rng.pick(starts);
      let len = 1;
      while (isContinuation(b[at + len] ?? 0)) len++;
      const cut = at + rng.int(1, len);
      return {
        bytes: b.subarray(0, cut),
        variant: `cut at byte ${cut}, inside a ${len}-byte character of the ${at < closeAt ? 'front matter' : 'body'}`,
        expect: 'reject',
        rejection: { lines: [lineAt(src, at)], says: 'not valid UTF-8' },
      };
    }
  }
  if (variant === 'body' && b.length > closeAt + 4) {
    let cut = rng.int(closeAt + 3, b.length);
    while (isContinuation(b[cut]!)) cut--;
    return { bytes: b.subarray(0, cut), variant: `cut at byte ${cut} of ${b.length}, in the body`, expect: 'import' };
  }
  let cut = rng.int(1, closeAt + 3);
  while (isContinuation(b[cut]!)) cut--;
  return {
    bytes: b.subarray(0, cut),
    variant: `cut at byte ${cut} of ${b.length}, in the front matter`,
    expect: 'reject',
    rejection: { lines: [1], says: 'front matter' },
  };
}

/** Bytes that mean something to YAML, for flips that damage the structure rather than the encoding. */
const YAML_BYTES = Buffer.from(':-[]{}#&*!|>\'"%@`,? \t\n');

function byteFlip(src: Source, rng: Rng): Made {
  const bytes = Buffer.from(src.bytes);
  const n = rng.int(1, 9);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const pos = rng.int(src.starts[1]!, frontMatterEnd(src) - 1);
    // A third each: any bit pattern (mostly invalid UTF-8), another ASCII byte, a YAML indicator.
    const mode = rng.int(0, 3);
    bytes[pos] =
      mode === 0
        ? bytes[pos]! ^ rng.int(1, 256)
        : mode === 1
          ? bytes[pos]! ^ rng.int(1, 128)
          : rng.pick([...YAML_BYTES]);
    at.push(lineAt(src, pos));
  }
  return { bytes, variant: `${n} random bytes changed in the front matter (lines ${at.join(', ')})`, expect: 'either' };
}

// Characters js-yaml refuses anywhere in its input (C0 but tab/LF/CR, DEL, C1 but NEL, U+FFFE/F).
const NON_PRINTABLE = [
  ...[...Array(32).keys()].filter((c) => ![0, 9, 10, 13].includes(c)),
  0x7f,
  ...[...Array(32).keys()].map((c) => 0x80 + c).filter((c) => c !== 0x85),
  0xfffe,
  0xffff,
].map((c) => String.fromCharCode(c));

function controlChars(src: Source, rng: Rng): Made {
  const variant = rng.pick(['front matter', 'body', 'escape']);
  const ch = rng.pick(NON_PRINTABLE);
  const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const body = variant === 'body' ? bodyLine(src, rng) : null;
  if (body !== null) {
    const line = src.lines[body]!;
    return {
      bytes: toBytes(splice(src.lines, body, 1, line + ch)),
      variant: `${code} in the body (line ${body + 1})`,
      expect: 'import',
    };
  }
  if (variant === 'escape') {
    const esc = rng.pick(['\\x07', '\\e', '\\x1b', '\\u0085', '\\ud800', '\\udfff', '\\uffff', '\\x00']);
    const at = src.top.get('title')!.start;
    return {
      bytes: toBytes(splice(src.lines, at, 1, `title: "Fuzz ${esc} title"`)),
      variant: `the YAML escape ${esc} in the title`,
      expect: 'either',
      rejection: { path: 'title', lines: [at + 1], orDatabase: true },
    };
  }
  const at = frontMatterLine(src, rng);
  return {
    bytes: toBytes(splice(src.lines, at, 1, src.lines[at]! + ch)),
    variant: `${code} in the front matter (line ${at + 1})`,
    expect: 'reject',
    // js-yaml checks a scalar for them once it has read it, and a plain scalar is only over once
    // the next line shows it does not continue: it then reports that next line. After a quoted
    // scalar the character is a syntax error instead ("bad indentation …"), on its own line.
    rejection: { lines: [at + 1, at + 2] },
  };
}

const INVALID_UTF8: number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
];

function invalidUtf8(src: Source, rng: Rng): Made {
  const inBody = rng.next() < 0.5 ? bodyLine(src, rng) : null;
  const line = inBody ?? frontMatterLine(src, rng);
  const seq = rng.pick(INVALID_UTF8);
  const at = src.starts[line]! + rng.int(0, Buffer.byteLength(src.lines[line]!) + 1);
  const safe = (() => {
    let p = at;
    while (isContinuation(src.bytes[p] ?? 0)) p--;
    return p;
  })();
  const hex = seq.map((x) => x.toString(16).padStart(2, '0')).join(' ');
  return {
    bytes: insertBytes(src.bytes, safe, seq),
    variant: `bytes ${hex} inserted in the ${inBody !== null ? 'body' : 'front matter'} (line ${line + 1})`,
    expect: 'reject',
    rejection: { lines: [line + 1], says: 'not valid UTF-8' },
  };
}

function nul(src: Source, rng: Rng): Made {
  const variant = rng.pick(['front matter', 'body', 'escape']);
  const body = variant === 'body' ? bodyLine(src, rng) : null;
  if (body !== null) {
    return {
      bytes: insertBytes(src.bytes, src.starts[body]!, [0]),
      variant: `a NUL byte in the body (line ${body + 1})`,
      expect: 'reject',
      rejection: { orDatabase: true },
    };
  }
  if (variant === 'escape') {
    const at = src.top.get('title')!.start;
    return {
      bytes: toBytes(splice(src.lines, at, 1, 'title: "Fuzz \\0 title"')),
      variant: 'the YAML escape \\0 in the title',
      expect: 'reject',
      rejection: { path: 'title', lines: [at + 1], orDatabase: true },
    };
  }
  const line = frontMatterLine(src, rng);
  return {
    bytes: insertBytes(src.bytes, src.starts[line]! + Buffer.byteLength(src.lines[line]!), [0]),
    variant: `a NUL byte in the front matter (line ${line + 1})`,
    expect: 'reject',
    rejection: { lines: [line + 1], says: 'null byte' },
  };
}

function duplicateKeys(src: Source, rng: Rng): Made {
  const variant = rng.pick(['title', 'release field', 'releases']);
  if (variant === 'title') {
    const label = `Fuzz duplicate ${rng.word(8)}`;
    return {
      bytes: toBytes(splice(src.lines, src.close, 0, `title: "${label}"`)),
      variant: 'a second title at the end of the front matter (the last one wins)',
      expect: 'import',
      label,
    };
  }
  if (variant === 'release field') {
    const r = src.release;
    return {
      bytes: toBytes(
        splice(src.lines, r.end, 0, [`${' '.repeat(r.indent)}eol: true`, `${' '.repeat(r.indent)}eol: false`]),
      ),
      variant: 'eol twice more at the end of releases[0]',
      expect: 'import',
    };
  }
  const extra = ['releases:', '  - releaseCycle: "fuzz"', '    releaseDate: 2020-01-01', '    eol: true'];
  return {
    bytes: toBytes(splice(src.lines, src.close, 0, extra)),
    variant: 'a second releases list with one release (the last one wins)',
    expect: 'import',
    releases: 1,
  };
}

function tabs(src: Source, rng: Rng): Made {
  const variant = rng.pick(['after a key', 'indentation', 'body', 'in a quoted value']);
  const title = src.top.get('title')!.start;
  if (variant === 'after a key') {
    return {
      bytes: toBytes(splice(src.lines, title, 1, src.lines[title]!.replace(/^title:\s*/, 'title:\t'))),
      variant: 'a TAB between "title:" and its value',
      expect: 'import',
    };
  }
  if (variant === 'indentation') {
    const at = Math.min(...[...src.release.fields.values()].map((f) => f.start).filter((l) => l > src.release.start));
    return {
      bytes: toBytes(splice(src.lines, at, 1, src.lines[at]!.replace(/^ +/, '\t'))),
      variant: `a TAB indenting line ${at + 1} (in releases[0])`,
      expect: 'reject',
      rejection: { lines: [at + 1, at + 2], says: 'YAML error' },
    };
  }
  const body = variant === 'body' ? bodyLine(src, rng) : null;
  if (body !== null) {
    return {
      bytes: toBytes(splice(src.lines, body, 1, `\t${src.lines[body]!.replace(/ /g, '\t')}`)),
      variant: `TABs for spaces in the body (line ${body + 1})`,
      expect: 'import',
    };
  }
  const label = 'Fuzz\ttab';
  return {
    bytes: toBytes(splice(src.lines, title, 1, `title: "${label}"`)),
    variant: 'a TAB inside the quoted title',
    expect: 'import',
    label,
  };
}

function longLines(src: Source, rng: Rng): Made {
  const variant = rng.pick(['body', 'comment', 'plain scalar', 'over the cap']);
  const n = Math.min(600 * 1024, room(src, 4096));
  if (variant === 'over the cap') {
    return {
      bytes: Buffer.concat([src.bytes, Buffer.from(`${rng.word(2 * MiB)}\n`)]),
      variant: 'a 2 MiB line in the body',
      expect: 'reject',
      rejection: { says: 'IMPORT_MAX_DOCUMENT_BYTES' },
    };
  }
  if (variant === 'body') {
    return {
      bytes: Buffer.concat([src.bytes, Buffer.from(`${rng.word(n)}\n`)]),
      variant: `a ${n}-character line in the body`,
      expect: 'import',
    };
  }
  if (variant === 'comment') {
    return { bytes: prepend(src, `# ${rng.word(n)}`), variant: `a ${n}-character comment line`, expect: 'import' };
  }
  const block = src.top.get('versionCommand');
  const value = `versionCommand: ${rng.word(n)}`;
  return {
    bytes: toBytes(
      block ? splice(src.lines, block.start, block.end - block.start, value) : splice(src.lines, 1, 0, value),
    ),
    variant: `a ${n}-character plain versionCommand`,
    expect: 'import',
  };
}

// Drawn in turn to fill --count; truncation has three entries so that each place gets its share.
const RANDOM: Plan[] = [
  { kind: 'truncate', make: (src, rng) => truncate(src, rng, 'front matter') },
  { kind: 'truncate', make: (src, rng) => truncate(src, rng, 'body') },
  { kind: 'truncate', fits: hasNonAscii, make: (src, rng) => truncate(src, rng, 'multi-byte character') },
  { kind: 'byte-flip', make: byteFlip },
  { kind: 'control-chars', make: controlChars },
  { kind: 'invalid-utf8', make: invalidUtf8 },
  { kind: 'nul', make: nul },
  { kind: 'duplicate-keys', make: duplicateKeys },
  { kind: 'tabs', make: tabs },
  { kind: 'long-lines', fits: (src) => src.bytes.length < 200_000, make: longLines },
];

// ---- putting it together ------------------------------------------------------------------------

function plans(count: number, rng: Rng): Plan[] {
  const fixed: Plan[] = [
    ...PRODUCT_FIELDS.flatMap((f) => WRONG_TYPES.map((t) => wrongType('product', f, t))),
    ...RELEASE_FIELDS.flatMap((f) => WRONG_TYPES.map((t) => wrongType('release', f, t))),
    ...BOMBS,
    ...NESTING,
    ...OVERSIZE,
    ...MANY_RELEASES,
    ...LINE_ENDS,
    ...WIDE,
  ];
  if (count <= fixed.length) return rng.shuffle(fixed).slice(0, count);
  const random = Array.from({ length: count - fixed.length }, (_, i) => RANDOM[i % RANDOM.length]!);
  return [...fixed, ...random];
}

export function generate(options: { corpus: string; outDir: string; seed: number; count: number }): Manifest {
  const { corpus, outDir, seed, count } = options;
  const files = readdirSync(corpus)
    .filter((f) => f.endsWith('.md'))
    .sort();
  if (!Number.isInteger(count) || count < 1 || count > files.length) {
    throw new Error(`--count must be between 1 and ${files.length} (one file per corpus document), got ${count}`);
  }
  const rng = new Rng(seed);
  const sources = rng.shuffle(files).map((f) => readSource(corpus, f));
  const chosen = plans(count, rng);

  // The plans with the fewest fitting documents choose first, each the first unused document (in
  // shuffled order) that fits; when none is left, any unused one (wrong-type then adds its field).
  const used = new Set<Source>();
  const assigned = new Array<Source>(chosen.length);
  const fitting = chosen.map((p) => (p.fits ? sources.filter(p.fits).length : Infinity));
  const order = chosen.map((_, i) => i).sort((a, b) => fitting[a]! - fitting[b]! || a - b);
  for (const i of order) {
    const fits = chosen[i]!.fits ?? (() => true);
    const src = sources.find((s) => !used.has(s) && fits(s)) ?? sources.find((s) => !used.has(s))!;
    used.add(src);
    assigned[i] = src;
  }

  mkdirSync(outDir, { recursive: true });
  const cases = chosen.map((plan, i): FuzzCase => {
    const src = assigned[i]!;
    const { bytes, ...made } = plan.make(src, new Rng((seed * 1_000_003 + i * 7919) >>> 0));
    writeFileSync(join(outDir, src.file), bytes);
    let lines = 1;
    for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) lines++;
    return {
      file: src.file,
      kind: plan.kind,
      ...made,
      bytes: bytes.length,
      lines,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  });
  const manifest: Manifest = { seed, count, corpus, cases };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

function main(argv: string[]): number {
  const usage = 'Usage: npx tsx test/fuzz/generate.ts <outDir> [--seed N] [--count N] [--corpus DIR]';
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { seed: { type: 'string', default: '1' }, count: { type: 'string' }, corpus: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) {
    console.error(`--seed must be a whole number, got ${values.seed}\n${usage}`);
    return 2;
  }
  const outDir = resolve(positionals[0]!);
  const inside = relative(projectRoot, outDir);
  if (!inside.startsWith('..') && !isAbsolute(inside)) {
    console.error(`${outDir} is inside the repository; generate into a temporary directory instead\n${usage}`);
    return 2;
  }
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    console.error(`${outDir} is not empty\n${usage}`);
    return 2;
  }
  let manifest: Manifest;
  try {
    manifest = generate({
      corpus: resolve(values.corpus ?? DEFAULT_CORPUS),
      outDir,
      seed,
      count: Number(values.count ?? DEFAULT_COUNT),
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  const byKind = new Map<string, number>();
  for (const c of manifest.cases) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
  console.log(
    `${manifest.cases.length} files in ${outDir} (seed ${manifest.seed}): ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`,
  );
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
