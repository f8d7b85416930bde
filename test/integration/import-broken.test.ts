// Broken documents, made from real ones (seeds/) in a temporary directory: each is rejected alone,
// with a message that names the file, the field and what is wrong (and the line when it can be
// known), while every other document of the same run imports. A rejected document never touches
// the product stored from an earlier version of it. The command lists the rejections and exits 1.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/importer/document.ts';
import type { ImportReport } from '../../src/importer/import.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  copyDocuments,
  isoDate,
  lineWith,
  plainFrontMatter,
  productDump,
  readDocument,
  removeDir,
  replaceOnce,
  runImport,
  runImportCli,
  tableCounts,
  tempDir,
  writeDocument,
} from '../helpers/documents.ts';
import { seedsDir } from '../helpers/env.ts';

const seed = (file: string) => readDocument(seedsDir, file);
const releaseCount = (text: string) => (plainFrontMatter(text).releases as unknown[]).length;

interface Expected {
  file: string;
  path: string;
  line?: number;
  /** A fragment of the message saying what is wrong. */
  says: string;
}

const SQL_TITLE = "Robert'); DROP TABLE product;--";
const HTML_TITLE = '<script>alert(1)</script>';

describe('broken documents among good ones', () => {
  let t: TestDatabase;
  let dir: string;
  let report: ImportReport;
  const expected: Expected[] = [];
  /** Releases of the documents that must import. */
  let goodReleases = 0;

  /** Writes a broken document and records the one error it must be rejected with. */
  const broken = (file: string, text: string, problem: Omit<Expected, 'file'>) => {
    expected.push({ file: writeDocument(dir, file, text), ...problem });
  };

  beforeAll(async () => {
    dir = tempDir('broken');
    copyDocuments(seedsDir, dir, ['amazon-linux.md', 'go.md', 'nodejs.md']);
    const sqlTitle = replaceOnce(seed('wordpress.md'), 'title: WordPress', `title: "${SQL_TITLE}"`);
    const htmlTitle = replaceOnce(seed('angular.md'), 'title: Angular', `title: "${HTML_TITLE}"`);
    writeDocument(dir, 'sql-title.md', sqlTitle);
    writeDocument(dir, 'html-title.md', htmlTitle);
    goodReleases = [seed('amazon-linux.md'), seed('go.md'), seed('nodejs.md'), sqlTitle, htmlTitle]
      .map(releaseCount)
      .reduce((a, b) => a + b);

    // No closing "---": the whole file would be front matter.
    broken('unterminated.md', replaceOnce(seed('ruby.md'), '\n---\n', '\n'), {
      path: '',
      line: 1,
      says: 'the front matter is not closed',
    });

    const yamlError = replaceOnce(seed('php.md'), 'category: lang\n', 'category: lang\n  oops: x\n');
    broken('yaml-error.md', yamlError, {
      path: '',
      line: lineWith(yamlError, '  oops: x'),
      says: 'YAML error: bad indentation of a mapping entry',
    });

    const redis = seed('redis.md');
    const releasesAt = redis.indexOf('\nreleases:\n');
    const notAList = `${redis.slice(0, releasesAt)}\nreleases:\n  current: "8.10"${redis.slice(redis.indexOf('\n---\n', releasesAt))}`;
    broken('releases-not-a-list.md', notAList, {
      path: 'releases',
      line: lineWith(notAList, 'releases:'),
      says: 'must be a list of release cycles, got a mapping',
    });

    const noName = replaceOnce(
      seed('vue.md'),
      '  - releaseCycle: "3.4"\n    releaseDate: 2023-12-29',
      '  - releaseDate: 2023-12-29',
    );
    broken('cycle-without-name.md', noName, {
      path: 'releases[1].releaseCycle',
      line: lineWith(noName, '  - releaseDate: 2023-12-29'),
      says: 'is required: the release has no cycle name',
    });

    const duplicate = replaceOnce(seed('kubernetes.md'), '- releaseCycle: "1.35"', '- releaseCycle: "1.36"');
    broken('duplicate-cycle.md', duplicate, {
      path: 'releases[1].releaseCycle',
      line: lineWith(duplicate, 'releaseCycle: "1.36"', 2),
      says: 'duplicate cycle "1.36" (also releases[0])',
    });

    const postgresql = seed('postgresql.md');
    const eolIndex = (plainFrontMatter(postgresql).releases as Record<string, unknown>[]).findIndex(
      (r) => isoDate(r.eol) === '2030-11-14',
    );
    const notADate = replaceOnce(postgresql, 'eol: 2030-11-14', 'eol: end of 2030');
    broken('not-a-date.md', notADate, {
      path: `releases[${eolIndex}].eol`,
      line: lineWith(notADate, 'eol: end of 2030'),
      says: 'expected a date (YYYY-MM-DD), got "end of 2030"',
    });

    // js-yaml alone would roll this over to 2026-03-02.
    const impossible = replaceOnce(seed('jquery.md'), 'releaseDate: 2026-01-17', 'releaseDate: 2026-02-30');
    broken('impossible-date.md', impossible, {
      path: 'releases[0].releaseDate',
      line: lineWith(impossible, 'releaseDate: 2026-02-30'),
      says: '"2026-02-30" is not a calendar date',
    });

    broken('empty.md', '', { path: '', says: 'the file is empty' });

    const pixelA = join(dir, 'pixel-a.md');
    const pixelB = join(dir, 'pixel-b.md');
    broken('pixel-a.md', seed('google-pixel.md'), {
      path: 'permalink',
      says: `product id "pixel" is also claimed by ${pixelB}`,
    });
    broken('pixel-b.md', seed('google-pixel.md'), {
      path: 'permalink',
      says: `product id "pixel" is also claimed by ${pixelA}`,
    });

    t = await createTestDatabase();
    report = await runImport(t.db, [dir]);
  });
  afterAll(async () => {
    await t?.drop();
    removeDir(dir);
  });

  it('rejects exactly the broken documents and imports all the others', async () => {
    expect(report.documents).toBe(expected.length + 5);
    expect(report.rejected.map((r) => r.file).sort()).toEqual(expected.map((e) => e.file).sort());
    expect(report.created).toEqual(['amazon-linux', 'angular', 'go', 'nodejs', 'wordpress']);
    expect(await tableCounts(t.db)).toMatchObject({ product: 5, release_cycle: goodReleases });
  });

  it('says for each one which file, which field, which line and what is wrong', () => {
    for (const e of expected) {
      const rejected = report.rejected.find((r) => r.file === e.file)!;
      const errors = rejected.problems.filter((p) => p.severity === 'error');
      expect(errors, e.file).toEqual([
        {
          file: e.file,
          path: e.path,
          ...(e.line !== undefined ? { line: e.line } : {}),
          message: expect.stringContaining(e.says),
          severity: 'error',
        } satisfies Problem,
      ]);
    }
  });

  it('imports HTML and SQL look-alikes in titles verbatim, and nothing else is harmed', async () => {
    const rows = await t.db.query(`SELECT name, label FROM product ORDER BY name`);
    expect(rows).toEqual([
      { name: 'amazon-linux', label: 'Amazon Linux' },
      { name: 'angular', label: HTML_TITLE },
      { name: 'go', label: 'Go' },
      { name: 'nodejs', label: 'Node.js' },
      { name: 'wordpress', label: SQL_TITLE },
    ]);
    const [wordpress] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM release_cycle rc JOIN product p ON p.id = rc.product_id WHERE p.name = 'wordpress'`,
    );
    expect(wordpress!.n).toBe(releaseCount(seed('wordpress.md')));
  });

  it('the command lists every rejected file with its problem (and with --verbose every warning), and exits 1', async () => {
    // A database of its own, so that the good documents are read (not skipped as unchanged).
    const fresh = await createTestDatabase();
    try {
      const cli = await runImportCli(fresh.url, [dir, '--verbose']);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain(`created: 5, updated: 0, unchanged: 0, rejected: ${expected.length}, conflicts: 0`);
      const lines = cli.stdout.split('\n');
      for (const e of expected) {
        expect(lines).toContain(`rejected ${e.file}:`);
        const where = `  ${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.path ? `${e.path}: ` : ''}`;
        expect(
          lines.some((l) => l.startsWith(where) && l.includes(e.says)),
          `${where}… ${e.says}`,
        ).toBe(true);
      }
      const amazon = join(dir, 'amazon-linux.md');
      const cycleLine = lineWith(seed('amazon-linux.md'), "- releaseCycle: 'Amazon Linux AMI'");
      expect(lines).toContain(
        `warning ${amazon}:${cycleLine}: releases[0].releaseCycle: "Amazon Linux AMI" does not match ^[a-z0-9.-+_]+$`,
      );
      expect((await fresh.db.query(`SELECT name FROM product ORDER BY name`)).map((r) => r.name)).toEqual(
        report.created,
      );
    } finally {
      await fresh.drop();
    }
  });

  it('the command exits 2, writing nothing, when a path does not exist', async () => {
    const before = await tableCounts(t.db);
    const missing = join(dir, 'no-such-directory');
    const cli = await runImportCli(t.url, [dir, missing]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`${missing}: no such file or directory`);
    expect(cli.stdout).toBe('');
    expect(await tableCounts(t.db)).toEqual(before);
  });
});

describe('a rejected document over a stored product', () => {
  let t: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    dir = tempDir('rejected-over-stored');
    copyDocuments(seedsDir, dir, ['go.md', 'ruby.md']);
    expect((await runImport(t.db, [dir])).created).toEqual(['go', 'ruby']);
  });
  afterAll(async () => {
    await t?.drop();
    removeDir(dir);
  });

  it('leaves every stored row of the product as it was, even with --prune, while the other documents import', async () => {
    const before = await productDump(t.db, 'ruby');
    const ruby = readDocument(dir, 'ruby.md');
    const file = writeDocument(dir, 'ruby.md', replaceOnce(ruby, 'title: Ruby\n', 'title: Ruby\n  oops: x\n'));
    writeDocument(dir, 'go.md', replaceOnce(readDocument(dir, 'go.md'), 'title: Go', 'title: Go (golang)'));
    copyDocuments(seedsDir, dir, ['php.md']);

    const report = await runImport(t.db, [dir], { prune: true });
    expect(report.rejected.map((r) => r.file)).toEqual([file]);
    expect(report).toMatchObject({ updated: ['go'], created: ['php'], missing: [], pruned: [] });
    expect(await productDump(t.db, 'ruby')).toBe(before);

    // A document whose product id is known but which has an error: the same.
    const firstCycle = /releaseCycle: "([^"]+)"/.exec(ruby)![1]!;
    const secondCycle = /releaseCycle: "([^"]+)"/g;
    secondCycle.exec(ruby);
    const second = secondCycle.exec(ruby)![1]!;
    writeDocument(dir, 'ruby.md', replaceOnce(ruby, `releaseCycle: "${second}"`, `releaseCycle: "${firstCycle}"`));
    const again = await runImport(t.db, [dir], { prune: true });
    expect(again.rejected).toEqual([
      {
        file,
        problems: expect.arrayContaining([
          expect.objectContaining({
            path: 'releases[1].releaseCycle',
            message: expect.stringContaining('duplicate cycle'),
          }),
        ]),
      },
    ]);
    expect(again).toMatchObject({ unchanged: ['go', 'php'], pruned: [] });
    expect(await productDump(t.db, 'ruby')).toBe(before);
  });
});

describe('documents over the size limit', () => {
  let t: TestDatabase;
  let dir: string;
  let big: string;
  let bigSize: number;

  beforeAll(async () => {
    t = await createTestDatabase();
    dir = tempDir('huge');
    copyDocuments(seedsDir, dir, ['go.md', 'nodejs.md']);
    const text = `${seed('redis.md')}\n${'Padding paragraph of a very long product description.\n'.repeat(250)}`;
    bigSize = Buffer.byteLength(text);
    big = writeDocument(dir, 'redis.md', text);
  });
  afterAll(async () => {
    await t?.drop();
    removeDir(dir);
  });

  it('rejects a document larger than maxBytes, naming its size and the limit, and imports the rest', async () => {
    expect(bigSize).toBeGreaterThan(10_000);
    const report = await runImport(t.db, [dir], { limits: { maxBytes: 10_000, maxYamlNodes: 200_000 } });
    expect(report.created).toEqual(['go', 'nodejs']);
    expect(report.rejected).toEqual([
      {
        file: big,
        problems: [
          {
            file: big,
            path: '',
            message: `the file is ${bigSize} bytes; documents larger than 10000 bytes are refused (IMPORT_MAX_DOCUMENT_BYTES)`,
            severity: 'error',
          },
        ],
      },
    ]);
  });

  it('takes the limit from IMPORT_MAX_DOCUMENT_BYTES in the command, and exits 1', async () => {
    const cli = await runImportCli(t.url, [dir], { IMPORT_MAX_DOCUMENT_BYTES: '10000' });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('created: 0, updated: 0, unchanged: 2, rejected: 1');
    expect(cli.stdout).toContain(
      `rejected ${big}:\n  ${big}: the file is ${bigSize} bytes; documents larger than 10000 bytes are refused`,
    );
    expect((await tableCounts(t.db)).product).toBe(2);
    // Within the default limit the same document imports.
    expect((await runImport(t.db, [dir])).created).toEqual(['redis']);
  });
});
