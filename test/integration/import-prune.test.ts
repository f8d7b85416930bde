// --prune and --dry-run. A product whose document is gone from the imported directory is reported
// (and removed with --prune); products imported from any other directory – a sibling or a
// subdirectory, which importing a directory does not read – are none of its business. A dry run
// reports what would change and writes nothing, not even the tables of an empty database.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  copyDocuments,
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

describe('--prune and --dry-run', () => {
  let t: TestDatabase;
  let dir: string;
  let archive: string;
  let other: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    dir = tempDir('prune');
    archive = join(dir, 'archive');
    other = tempDir('prune-other');
    copyDocuments(seedsDir, dir, ['go.md', 'nodejs.md', 'ruby.md']);
    mkdirSync(archive);
    copyDocuments(seedsDir, archive, ['php.md']);
    copyDocuments(seedsDir, other, ['redis.md']);
    expect((await runImport(t.db, [dir])).created).toEqual(['go', 'nodejs', 'ruby']);
    expect((await runImport(t.db, [archive])).created).toEqual(['php']);
    expect((await runImport(t.db, [other])).created).toEqual(['redis']);
  });
  afterAll(async () => {
    await t?.drop();
    removeDir(dir);
    removeDir(other);
  });

  const products = async () =>
    (await t.db.query<{ name: string }>(`SELECT name FROM product ORDER BY name`)).map((r) => r.name);
  /** Everything a write would change: row counts and the newest updated_at of each written table. */
  const state = async () => ({
    counts: await tableCounts(t.db),
    stamps: await t.db.query(
      `SELECT (SELECT max(updated_at)::text FROM product) AS product, (SELECT max(imported_at)::text FROM product) AS imported,
              (SELECT max(updated_at)::text FROM release_cycle) AS release_cycle`,
    ),
  });

  it('reports a product whose document is gone as missing and keeps it, without --prune', async () => {
    rmSync(join(dir, 'go.md'));
    const report = await runImport(t.db, [dir]);
    expect(report).toMatchObject({
      missing: ['go'],
      pruned: [],
      unchanged: ['nodejs', 'ruby'],
      created: [],
      updated: [],
    });
    expect(await products()).toEqual(['go', 'nodejs', 'php', 'redis', 'ruby']);
  });

  it('reports what --prune would remove in a dry run, and removes nothing', async () => {
    const before = await state();
    const report = await runImport(t.db, [dir], { prune: true, dryRun: true });
    expect(report).toMatchObject({ dryRun: true, missing: ['go'], pruned: ['go'] });
    expect(await state()).toEqual(before);
  });

  it('removes only the products of the imported directory whose documents are gone, with --prune', async () => {
    const cli = await runImportCli(t.url, [dir, '--prune']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('created: 0, updated: 0, unchanged: 2, rejected: 0, conflicts: 0, pruned: 1');
    expect(cli.stdout).toContain('\npruned: go\n');
    expect(await products()).toEqual(['nodejs', 'php', 'redis', 'ruby']);
    // The importer's own removal is not an admin deletion: nothing is remembered against re-creation.
    expect(await t.db.query(`SELECT name FROM deleted_product`)).toEqual([]);
    const releases = ['nodejs.md', 'ruby.md', 'archive/php.md']
      .map((f) => (plainFrontMatter(readDocument(dir, f)).releases as unknown[]).length)
      .reduce((a, b) => a + b, (plainFrontMatter(readDocument(other, 'redis.md')).releases as unknown[]).length);
    expect((await tableCounts(t.db)).release_cycle).toBe(releases);

    copyDocuments(seedsDir, dir, ['go.md']);
    expect(await runImport(t.db, [dir])).toMatchObject({ created: ['go'], deletedKept: [], missing: [] });
  });

  it('reports what would be created and updated in a dry run, and writes nothing', async () => {
    writeDocument(dir, 'ruby.md', replaceOnce(readDocument(dir, 'ruby.md'), 'title: Ruby', 'title: Ruby (MRI)'));
    copyDocuments(seedsDir, dir, ['vue.md']);
    const before = await state();
    const ruby = await productDump(t.db, 'ruby');

    const report = await runImport(t.db, [dir], { dryRun: true });
    expect(report).toMatchObject({
      dryRun: true,
      created: ['vue'],
      updated: ['ruby'],
      unchanged: ['go', 'nodejs'],
      rejected: [],
    });
    expect(await state()).toEqual(before);
    expect(await productDump(t.db, 'ruby')).toBe(ruby);
    expect(await products()).not.toContain('vue');
  });

  it('writes nothing in a dry run on an empty database either, migrated or not', async () => {
    const migrated = await createTestDatabase();
    const bare = await createTestDatabase({ empty: true });
    try {
      const report = await runImport(migrated.db, [dir], { dryRun: true });
      expect(report).toMatchObject({ created: ['go', 'nodejs', 'ruby', 'vue'], updated: [], rejected: [] });
      expect(Object.values(await tableCounts(migrated.db))).toEqual([0, 0, 0, 0, 0, 0, 0]);

      const cli = await runImportCli(bare.url, [dir, '--dry-run']);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toMatch(
        /^dry run, nothing written — 4 documents in \d+\.\d\d s — created: 4, updated: 0, unchanged: 0, rejected: 0,/,
      );
      const tables = await bare.db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      expect(tables).toEqual([]);
    } finally {
      await migrated.drop();
      await bare.drop();
    }
  });

  describe('a document renamed and broken at once', () => {
    it("is still its product's document: --prune does not remove the product (its permalink line is read)", async () => {
      const text = readDocument(dir, 'nodejs.md');
      rmSync(join(dir, 'nodejs.md'));
      // Renamed, and a YAML error: the document cannot be understood, but it is nodejs's.
      writeDocument(dir, 'node-renamed.md', replaceOnce(text, 'title:', 'title: [unclosed'));
      try {
        const cli = await runImportCli(t.url, [dir, '--prune']);
        expect(cli.code).toBe(1);
        expect(cli.stdout).toContain('rejected: 1');
        expect(cli.stdout).toContain('pruned: 0');
        expect(await products()).toContain('nodejs');
      } finally {
        rmSync(join(dir, 'node-renamed.md'));
        writeDocument(dir, 'nodejs.md', text);
      }
    });

    it('when its product id cannot be read at all, nothing is pruned, and the report says why', async () => {
      const text = readDocument(dir, 'ruby.md');
      rmSync(join(dir, 'ruby.md'));
      const garbled = writeDocument(dir, 'garbled.md', '\0\0 not a document \0');
      try {
        const report = await runImport(t.db, [dir], { prune: true });
        expect(report.missing).toEqual(['ruby']);
        expect(report.pruned).toEqual([]);
        expect(report.pruneWithheld).toEqual([expect.stringContaining('garbled.md')]);
        expect(await products()).toContain('ruby');
        const cli = await runImportCli(t.url, [dir, '--prune']);
        expect(cli.stdout).toContain('nothing pruned: the product id of ');
        expect(cli.stdout).toContain('garbled.md');
        expect(garbled).toContain('garbled.md');
      } finally {
        rmSync(join(dir, 'garbled.md'));
        writeDocument(dir, 'ruby.md', text);
      }
    });
  });

  it('says so when a product is now written from another document than the one it came from', async () => {
    const elsewhere = tempDir('prune-elsewhere');
    try {
      copyDocuments(seedsDir, elsewhere, ['redis.md']);
      writeDocument(
        elsewhere,
        'redis.md',
        replaceOnce(readDocument(elsewhere, 'redis.md'), 'title: Redis', 'title: Redis (elsewhere)'),
      );
      const report = await runImport(t.db, [elsewhere]);
      expect(report.updated).toEqual(['redis']);
      expect(report.moved).toEqual([
        { name: 'redis', from: expect.stringContaining('prune-other'), to: expect.stringContaining('prune-elsewhere') },
      ]);
    } finally {
      removeDir(elsewhere);
    }
  });
});
