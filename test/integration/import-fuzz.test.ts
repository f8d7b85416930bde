// The importer against damaged documents. test/fuzz/generate.ts makes ~400 of them from the real
// corpus (in a temporary directory; see its header for the mutations and why each expectation is
// what it is), each named after its original so that it claims the product its original stored.
// The whole corpus is imported first and every stored row dumped; then the damaged directory is
// imported into the same database. The import must return, within a generous time bound and with
// bounded memory; every damaged file is imported or rejected with a message that names it (and
// the line and field where they can be known); a BOM or CRLF copy stores its original's rows; and
// every stored product that no accepted damaged document replaced (in particular each one whose
// damaged copy was rejected) is byte for byte as before. FUZZ_SEED=N replays another seed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/importer/document.ts';
import type { ImportReport } from '../../src/importer/import.ts';
import type { FuzzCase, Manifest } from '../fuzz/generate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { removeDir, runImport, tempDir } from '../helpers/documents.ts';
import { corpusDir, noCorpus, projectRoot } from '../helpers/env.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 1);
const SNAPSHOT_DAY = '2026-08-22';
const GENERATOR = join(projectRoot, 'test/fuzz/generate.ts');
const MiB = 1_048_576;
/** Generous: the import of the damaged directory takes a few seconds. */
const TIME_BOUND_MS = 45_000;
/**
 * Peak resident memory the import may add to what the process held before it. Measured 330 to
 * 470 MB (seeds 1 to 6), most of it the few documents at the limits (50,000 releases, 70,000
 * custom keys, …: ~150 MB of prepared documents, which the importer holds until it writes, and
 * their rows and warnings as JSON while they are written) and garbage not yet collected.
 */
const RSS_GROWTH_BOUND = 640 * MiB;

/** Each table, with what orders its rows within a product (natural keys, not surrogate ids). */
const TABLES = {
  product: `''`,
  product_tag: 'x.tag',
  product_alias: `lpad(x.position::text, 10, '0')`,
  identifier: `lpad(x.position::text, 10, '0')`,
  custom_field: `lpad(x.position::text, 10, '0')`,
  release_cycle: `lpad(x.position::text, 10, '0')`,
} as const;

/** Product name → every stored row that belongs to it (all columns, as jsonb text), in a fixed order. */
type Dump = Map<string, string[]>;

async function dumpRows(t: TestDatabase): Promise<Dump> {
  // Every column of every row: an import that leaves a product alone touches none of them (the
  // timestamps imported_at/updated_at change only when a product is written), so nothing is left out.
  const union = Object.entries(TABLES)
    .map(
      ([table, key]) =>
        `SELECT p.name AS product, '${table}' AS tbl, ${key} AS key, to_jsonb(x)::text AS row
           FROM ${table} x JOIN product p ON p.id = x.${table === 'product' ? 'id' : 'product_id'}`,
    )
    .join(' UNION ALL ');
  const sql = `SELECT product, tbl, row FROM (${union}) u ORDER BY product COLLATE "C", tbl, key COLLATE "C"`;
  const { rows } = await t.db.queryArrays(sql);
  const dump: Dump = new Map();
  for (const [product, table, row] of rows as [string, string, string][]) {
    const list = dump.get(product) ?? [];
    if (list.length === 0) dump.set(product, list);
    list.push(`${table} ${row}`);
  }
  return dump;
}

// What a re-import of the same content may change: the bookkeeping of the write itself and the
// surrogate keys of the child rows, which are deleted and inserted again.
const VOLATILE: Record<string, string[]> = {
  product: ['source_path', 'content_hash', 'imported_at', 'updated_at'],
  release_cycle: ['id', 'updated_at'],
  identifier: ['id'],
};

function comparable(rows: string[], crlfBody: boolean): unknown[] {
  return rows.map((line) => {
    const table = line.slice(0, line.indexOf(' '));
    const row = JSON.parse(line.slice(table.length + 1)) as Record<string, unknown>;
    for (const column of VOLATILE[table] ?? []) delete row[column];
    // The body is stored as written (parse.test.ts pins that CRLF stays CRLF); compared without it.
    if (table === 'product' && crlfBody) row.body = (row.body as string).replace(/\r\n/g, '\n');
    return { table, row };
  });
}

/** Samples the process's resident memory from a worker thread, so it keeps sampling while the
 *  importer runs synchronous code on the main thread. */
function startRssSampler(): { stop(): Promise<number> } {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     let peak = 0;
     const sample = () => { peak = Math.max(peak, process.memoryUsage.rss()); };
     const timer = setInterval(sample, 5);
     parentPort.once('message', () => { clearInterval(timer); sample(); parentPort.postMessage(peak); });`,
    { eval: true },
  );
  return {
    stop: () =>
      new Promise<number>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (peak: number) => {
          void worker.terminate();
          resolve(peak);
        });
        worker.postMessage('stop');
      }),
  };
}

function generate(dir: string, seed: number): Manifest {
  execFileSync(process.execPath, ['--import', 'tsx', GENERATOR, dir, '--seed', String(seed)], {
    cwd: projectRoot,
    stdio: 'pipe',
  });
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

interface Outcome {
  c: FuzzCase;
  path: string;
  /** The product the original document stored. */
  original: string;
  /** The product the file now stores, when it was imported. */
  product: string | null;
  /** Its problems, when it was rejected. */
  problems: Problem[] | null;
}

const mb = (bytes: number) => `${Math.round(bytes / MiB)} MB`;

describe.skipIf(noCorpus('the importer fuzz test'))('damaged documents imported over the stored corpus', () => {
  let t: TestDatabase;
  let dir: string;
  let manifest: Manifest;
  let pristine: ImportReport;
  let before: Dump;
  let after: Dump;
  let report: ImportReport | undefined;
  let importError: unknown;
  let elapsedMs = 0;
  let rssBefore = 0;
  let rssPeak = 0;
  let rssAfter = 0;
  let outcomes: Outcome[] = [];
  /** Products that an accepted damaged file now stores. */
  let replaced = new Set<string>();

  beforeAll(async () => {
    dir = tempDir('fuzz');
    manifest = generate(dir, SEED);
    t = await createTestDatabase();
    pristine = await runImport(t.db, [corpusDir], { today: SNAPSHOT_DAY });
    before = await dumpRows(t);
    const originals = new Map(
      (await t.db.query<{ name: string; path: string }>(`SELECT name, source_path AS path FROM product`)).map((p) => [
        basename(p.path),
        p.name,
      ]),
    );

    const sampler = startRssSampler();
    const highWaterBefore = process.resourceUsage().maxRSS * 1024;
    rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    try {
      report = await runImport(t.db, [dir], { today: SNAPSHOT_DAY });
    } catch (err) {
      importError = err;
    }
    elapsedMs = performance.now() - started;
    rssAfter = process.memoryUsage.rss();
    // The kernel's high-water mark is the exact peak, when the import is what raised it.
    const highWater = process.resourceUsage().maxRSS * 1024;
    rssPeak = Math.max(await sampler.stop(), highWater > highWaterBefore ? highWater : 0, rssAfter);

    after = await dumpRows(t);
    const stored = await t.db.query<{ name: string; path: string }>(
      `SELECT name, source_path AS path FROM product WHERE starts_with(source_path, $1)`,
      [`${dir}/`],
    );
    const productOf = new Map(stored.map((p) => [p.path, p.name]));
    const rejected = new Map((report?.rejected ?? []).map((r) => [r.file, r.problems]));
    outcomes = manifest.cases.map((c) => {
      const path = join(dir, c.file);
      return {
        c,
        path,
        original: originals.get(c.file)!,
        product: productOf.get(path) ?? null,
        problems: rejected.get(path) ?? null,
      };
    });
    replaced = new Set(stored.map((p) => p.name));
    printSummary();
  }, 120_000);

  afterAll(async () => {
    await t?.drop();
    if (dir) removeDir(dir);
  });

  function printSummary(): void {
    const kinds = new Map<string, { files: number; imported: number; rejected: number }>();
    for (const o of outcomes) {
      const k = kinds.get(o.c.kind) ?? { files: 0, imported: 0, rejected: 0 };
      kinds.set(o.c.kind, k);
      k.files++;
      if (o.product !== null) k.imported++;
      if (o.problems !== null) k.rejected++;
    }
    const r = report;
    console.log(
      [
        `fuzz seed ${SEED}: ${manifest.cases.length} files imported in ${(elapsedMs / 1000).toFixed(1)} s, ` +
          `resident memory ${mb(rssBefore)} before, ${mb(rssPeak)} at the peak, ${mb(rssAfter)} after`,
        r
          ? `outcome: created ${r.created.length}, updated ${r.updated.length}, unchanged ${r.unchanged.length}, ` +
            `rejected ${r.rejected.length}, conflicts ${r.conflicts.length}, warnings ${r.warnings.length}`
          : `outcome: the import threw ${String(importError)}`,
        ...[...kinds].map(
          ([kind, k]) =>
            `  ${kind.padEnd(15)} ${String(k.files).padStart(4)} files: ${k.imported} imported, ${k.rejected} rejected`,
        ),
      ].join('\n'),
    );
  }

  it('imports the whole corpus first', () => {
    expect(pristine.rejected).toEqual([]);
    expect(pristine.created).toHaveLength(464);
    expect(before.size).toBe(464);
  });

  it('builds the same files again from the same seed', () => {
    const again = tempDir('fuzz-again');
    try {
      const second = generate(again, SEED);
      expect(second.cases.map((c) => `${c.file} ${c.sha256}`)).toEqual(
        manifest.cases.map((c) => `${c.file} ${c.sha256}`),
      );
    } finally {
      removeDir(again);
    }
    expect(manifest.cases.length).toBeGreaterThanOrEqual(300);
    expect(new Set(manifest.cases.map((c) => c.file)).size).toBe(manifest.cases.length);
  });

  it('returns a report, within the time bound and with bounded memory', () => {
    expect(importError).toBeUndefined();
    expect(report?.documents).toBe(manifest.cases.length);
    expect(elapsedMs).toBeLessThan(TIME_BOUND_MS);
    expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_BOUND);
    expect(rssAfter - rssBefore).toBeLessThan(RSS_GROWTH_BOUND);
  });

  it('imports or rejects every file, and a rejection names the file', () => {
    const failures: string[] = [];
    for (const { c, path, product, problems } of outcomes) {
      if ((product === null) === (problems === null)) {
        failures.push(
          `${c.file} (${c.variant}): ${product ? 'both imported and rejected' : 'neither imported nor rejected'}`,
        );
      }
      if (problems === null) continue;
      if (!problems.some((p) => p.severity === 'error')) failures.push(`${c.file}: rejected without an error`);
      for (const p of problems) {
        if (p.file !== path) failures.push(`${c.file}: a problem names ${p.file}`);
        if (!p.message.trim()) failures.push(`${c.file}: a problem without a message`);
        if (p.line !== undefined && !(p.line >= 1 && p.line <= c.lines)) {
          failures.push(`${c.file}: line ${p.line} is not a line of the file (it has ${c.lines})`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(report?.conflicts).toEqual([]);
    expect(report?.editsKept).toEqual([]);
    expect(report?.deletedKept).toEqual([]);
    expect([...(report?.created ?? []), ...(report?.updated ?? []), ...(report?.unchanged ?? [])].sort()).toEqual(
      [...replaced].sort(),
    );
  });

  it('gives each file whose outcome the format decides that outcome, with the line and field it can know', async () => {
    const failures: string[] = [];
    for (const { c, product, problems } of outcomes) {
      const what = `${c.file} (${c.kind}: ${c.variant})`;
      const errors = (problems ?? []).filter((p) => p.severity === 'error');
      const said = errors.map((p) => `${p.line ?? '-'}:${p.path}: ${p.message.slice(0, 160)}`).join(' | ');
      if (c.expect === 'import' && product === null) failures.push(`${what} was rejected: ${said}`);
      if (c.expect === 'reject' && product !== null) failures.push(`${what} was imported as ${product}`);
      const spec = c.rejection;
      if (problems !== null && spec) {
        const named = errors.some(
          (p) =>
            (spec.path === undefined ||
              p.path === spec.path ||
              p.path.startsWith(`${spec.path}[`) ||
              p.path.startsWith(`${spec.path}.`)) &&
            (spec.lines === undefined || (p.line !== undefined && spec.lines.includes(p.line))) &&
            (spec.says === undefined || p.message.includes(spec.says)),
        );
        const byDatabase = spec.orDatabase && errors.some((p) => p.message.startsWith('the database refused it'));
        if (!named && !byDatabase) {
          const wanted = `${spec.path ?? ''} line ${spec.lines?.join(' or ') ?? '-'} "${spec.says ?? ''}"`;
          failures.push(`${what}: rejected without naming ${wanted}; said ${said}`);
        }
      }
      if (product !== null && (c.releases !== undefined || c.label !== undefined)) {
        const [row] = await t.db.query<{ label: string; releases: number }>(
          `SELECT p.label, (SELECT count(*)::int FROM release_cycle r WHERE r.product_id = p.id) AS releases
             FROM product p WHERE p.name = $1`,
          [product],
        );
        if (c.releases !== undefined && row?.releases !== c.releases) {
          failures.push(`${what}: ${row?.releases} cycles stored, expected ${c.releases}`);
        }
        if (c.label !== undefined && row?.label !== c.label) failures.push(`${what}: label ${row?.label}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('stores the same rows for a BOM or CRLF copy as for its original', () => {
    const copies = outcomes.filter((o) => o.c.sameRowsAsOriginal);
    expect(copies.length).toBeGreaterThan(0);
    for (const { c, original, product } of copies) {
      expect(product, `${c.file} (${c.variant})`).toBe(original);
      const crlf = c.kind !== 'bom';
      expect(comparable(after.get(original)!, crlf), `${c.file} (${c.variant})`).toEqual(
        comparable(before.get(original)!, false),
      );
      if (crlf) {
        const body = (rows: string[]) =>
          (JSON.parse(rows.find((r) => r.startsWith('product {'))!.slice('product '.length)) as { body: string }).body;
        expect(body(after.get(original)!)).toBe(body(before.get(original)!).replace(/\n/g, '\r\n'));
      }
    }
  });

  it('leaves every product no accepted file replaced byte for byte as it was', () => {
    const changed: string[] = [];
    let untouched = 0;
    for (const [name, rows] of before) {
      if (replaced.has(name)) continue;
      untouched++;
      if (after.get(name)?.join('\n') !== rows.join('\n')) changed.push(name);
    }
    expect(changed).toEqual([]);
    expect(untouched).toBeGreaterThan(0);
  });

  it('leaves each product whose damaged copy was rejected byte for byte as it was', () => {
    const rejected = outcomes.filter((o) => o.problems !== null);
    expect(rejected.length).toBeGreaterThan(0);
    const changed = rejected
      // (A damaged permalink could make another accepted file claim it: that is a replacement.)
      .filter((o) => !replaced.has(o.original))
      .filter((o) => after.get(o.original)?.join('\n') !== before.get(o.original)!.join('\n'))
      .map((o) => `${o.original} (${o.c.file}: ${o.c.variant})`);
    expect(changed).toEqual([]);
  });
});
