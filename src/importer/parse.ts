// Step 1 and 2 of the pipeline: bytes → front matter (typed YAML) + Markdown body. Front matter
// boundaries follow Jekyll (the file starts with a "---" line and the block ends at the next line
// that is "---" or "..."); gray-matter then splits and parses it, with an options object (which
// also turns off its content cache) and our YAML engine (src/importer/yaml.ts).
import matter from 'gray-matter';
import { assertYamlSize, parseYaml, YamlTooLargeError } from './yaml.ts';

export interface ParsedDocument {
  data: Record<string, unknown>;
  body: string;
  /** Locates front-matter paths (e.g. "releases[2].eol") on 1-based file lines. */
  lineOf(path: string): number | undefined;
}

export class DocumentError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'DocumentError';
  }
}

export interface ParseLimits {
  maxBytes: number;
  maxYamlNodes: number;
}

const OPEN_RE = /^---[ \t]*\r?\n/;
const CLOSE_RE = /^(?:---|\.\.\.)[ \t]*\r?$/;
const DELIMITER = '---eolgraph-front-matter-delimiter---';

export function parseDocument(bytes: Buffer, limits: ParseLimits): ParsedDocument {
  if (bytes.length > limits.maxBytes) {
    throw new DocumentError(
      `the file is ${bytes.length} bytes; documents larger than ${limits.maxBytes} bytes are refused (IMPORT_MAX_DOCUMENT_BYTES)`,
    );
  }
  if (bytes.length === 0) throw new DocumentError('the file is empty: a product document needs YAML front matter');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new DocumentError(`the file is not valid UTF-8 (first bad byte at offset ${at})`, lineAtOffset(bytes, at));
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM is harmless: drop it

  if (!OPEN_RE.test(text)) {
    throw new DocumentError('no front matter: the file must start with a line "---" followed by YAML', 1);
  }
  const lines = text.split('\n');
  let close = -1;
  for (let i = 1; i < lines.length; i++) {
    if (CLOSE_RE.test(lines[i]!)) {
      close = i;
      break;
    }
  }
  if (close < 0) {
    throw new DocumentError(
      'the front matter is not closed: no line "---" (or "...") after the opening "---" of line 1',
      1,
    );
  }
  // gray-matter ends the block at the first line that merely starts with its delimiter ("----",
  // "---x"), where Jekyll needs a line that is exactly "---" or "...". Hand it the block we found
  // between two delimiter lines that cannot occur in a document.
  lines[0] = DELIMITER;
  lines[close] = DELIMITER;
  text = lines.join('\n');

  let file: matter.GrayMatterFile<string>;
  try {
    file = matter(text, {
      excerpt: false,
      delimiters: DELIMITER,
      // Without aliases the front matter holds no more text than the file; with them, no more either.
      engines: { yaml: (s: string) => parseYaml(s, limits.maxBytes) as object },
    });
  } catch (err) {
    const e = err as Error & { mark?: { line: number }; reason?: string };
    if (e instanceof YamlTooLargeError) throw new DocumentError(e.message);
    if (e instanceof RangeError) throw new DocumentError('the front matter is nested too deeply to parse');
    // js-yaml's mark is 0-based within the front matter, which starts on the file's first line.
    // It reports a NUL byte at the start of the input, wherever it is.
    const nul = e.reason === 'null byte is not allowed in input' ? lines.findIndex((l) => l.includes('\0')) : -1;
    const line = nul >= 0 ? nul + 1 : e.mark ? e.mark.line + 1 : undefined;
    throw new DocumentError(`YAML error: ${e.reason ?? e.message.split('\n')[0]}`, line);
  }
  const data: unknown = file.data;
  if (
    data === null ||
    typeof data !== 'object' ||
    Array.isArray(data) ||
    Object.getPrototypeOf(data) !== Object.prototype
  ) {
    throw new DocumentError('the front matter is not a mapping of fields (key: value lines)', 2);
  }
  try {
    assertYamlSize(data, limits.maxYamlNodes, undefined, limits.maxBytes);
  } catch (err) {
    if (err instanceof YamlTooLargeError) throw new DocumentError(err.message);
    throw err;
  }
  const locator = new LineLocator(lines.slice(1, close), 2);
  return { data: data as Record<string, unknown>, body: file.content, lineOf: (p) => locator.lineOf(p) };
}

function firstInvalidUtf8(bytes: Buffer): number {
  // Every character before the first U+FFFD the decoder substitutes was decoded from valid bytes,
  // so their UTF-8 lengths add up to the offset of the first bad byte. (A binary search over
  // prefixes does not work: a prefix that cuts a valid character in two is invalid too.)
  let offset = 0;
  for (const ch of new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfffd && !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) {
      return offset;
    }
    offset += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return offset;
}

function lineAtOffset(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Finds the file line of a front-matter path without a YAML AST: top-level keys are unindented
 * "key:" lines; releases are the list items under "releases:"; a release field is the first
 * "field:" line inside its item. Good enough for messages ("line if known").
 */
class LineLocator {
  private readonly topLevel = new Map<string, number>();
  private readonly releaseStarts: number[] = [];
  private readonly releaseFields = new Map<number, Map<string, number>>();

  constructor(
    private readonly lines: string[],
    private readonly firstLine: number,
  ) {
    let inReleases = false;
    let itemIndent = -1;
    lines.forEach((raw, i) => {
      const line = raw.replace(/\r$/, '');
      const top = /^([A-Za-z_][\w-]*)\s*:/.exec(line);
      if (top) {
        if (!this.topLevel.has(top[1]!)) this.topLevel.set(top[1]!, i);
        inReleases = top[1] === 'releases';
        itemIndent = -1;
        return;
      }
      if (!inReleases) return;
      const item = /^(\s*)-(\s|$)/.exec(line);
      if (item && (itemIndent < 0 || item[1]!.length === itemIndent)) {
        itemIndent = item[1]!.length;
        this.releaseStarts.push(i);
      }
    });
  }

  lineOf(path: string): number | undefined {
    const m = /^releases\[(\d+)\](?:\.([\w-]+))?/.exec(path);
    if (m) {
      const index = Number(m[1]);
      const start = this.releaseStarts[index];
      if (start === undefined) return this.at(this.topLevel.get('releases'));
      if (!m[2]) return this.at(start);
      return this.at(this.fieldsOf(index, start).get(m[2]) ?? start);
    }
    const key = /^([\w-]+)/.exec(path)?.[1];
    return key ? this.at(this.topLevel.get(key)) : undefined;
  }

  /**
   * The first line of each key inside release `index`, indexed once: scanning the release for
   * every path asked made a release with 70,000 custom keys (one warning each) quadratic.
   */
  private fieldsOf(index: number, start: number): Map<string, number> {
    let fields = this.releaseFields.get(index);
    if (!fields) {
      fields = new Map();
      const end = this.releaseStarts[index + 1] ?? this.lines.length;
      for (let i = start; i < end; i++) {
        const key = /^\s*(?:-\s+)?([\w-]+)\s*:/.exec(this.lines[i]!)?.[1];
        if (key !== undefined && !fields.has(key)) fields.set(key, i);
      }
      this.releaseFields.set(index, fields);
    }
    return fields;
  }

  private at(index: number | undefined): number | undefined {
    return index === undefined ? undefined : index + this.firstLine;
  }
}
