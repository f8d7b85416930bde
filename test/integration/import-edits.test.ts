// Admin edits: rows changed or deleted outside the importer (Prisma Studio, psql) are marked by the
// triggers of the first migration, and the importer leaves them alone – an unchanged document keeps
// the edit, a changed one is a conflict (exit code 1) – unless --overwrite-edits.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  copyDocuments,
  isoDate,
  plainFrontMatter,
  productDump,
  readDocument,
  removeDir,
  replaceOnce,
  runImport,
  runImportCli,
  tempDir,
  writeDocument,
} from '../helpers/documents.ts';
import { seedsDir } from '../helpers/env.ts';

const FILES = ['go.md', 'nodejs.md', 'php.md', 'ruby.md'];

describe('admin edits in the database', () => {
  let t: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    dir = tempDir('edits');
    copyDocuments(seedsDir, dir, FILES);
    const first = await runImport(t.db, [dir]);
    expect(first.created).toEqual(['go', 'nodejs', 'php', 'ruby']);
  });
  afterAll(async () => {
    await t?.drop();
    removeDir(dir);
  });

  const cycle = async (product: string, name: string) => {
    const [row] = await t.db.query<Record<string, unknown>>(
      `SELECT rc.* FROM release_cycle rc JOIN product p ON p.id = rc.product_id WHERE p.name = $1 AND rc.name = $2`,
      [product, name],
    );
    return row;
  };
  const editMarks = async (product: string) => {
    const [row] = await t.db.query<{ product_edited: boolean; rows_edited: number }>(
      `SELECT p.edited_at IS NOT NULL AS product_edited,
              (SELECT count(*)::int FROM release_cycle rc WHERE rc.product_id = p.id AND rc.edited_at IS NOT NULL) AS rows_edited
         FROM product p WHERE p.name = $1`,
      [product],
    );
    return row;
  };

  it('keeps an edit of a release row when the document is unchanged, and reports it in editsKept', async () => {
    const changed = await t.db.execute(
      `UPDATE release_cycle SET latest = '26.99.0'
        WHERE name = '26' AND product_id = (SELECT id FROM product WHERE name = 'nodejs')`,
    );
    expect(changed).toBe(1);
    expect(await editMarks('nodejs')).toEqual({ product_edited: true, rows_edited: 1 });

    const report = await runImport(t.db, [dir]);
    expect(report).toMatchObject({
      editsKept: ['nodejs'],
      unchanged: ['go', 'php', 'ruby'],
      created: [],
      updated: [],
      conflicts: [],
      rejected: [],
    });
    expect(await cycle('nodejs', '26')).toMatchObject({ latest: '26.99.0' });
    expect(await editMarks('nodejs')).toEqual({ product_edited: true, rows_edited: 1 });
  });

  it('reports a conflict when the document of an edited product changed, leaves the rows alone, and the command exits 1', async () => {
    const file = writeDocument(
      dir,
      'nodejs.md',
      replaceOnce(readDocument(dir, 'nodejs.md'), 'latest: "26.7.0"', 'latest: "26.8.0"'),
    );
    const before = await productDump(t.db, 'nodejs');

    const report = await runImport(t.db, [dir]);
    expect(report.conflicts).toEqual([
      {
        name: 'nodejs',
        file,
        reason: expect.stringContaining('edited in the database after it was imported, and its document changed'),
      },
    ]);
    expect(report).toMatchObject({ updated: [], created: [], unchanged: ['go', 'php', 'ruby'] });
    expect(await productDump(t.db, 'nodejs')).toBe(before);

    const cli = await runImportCli(t.url, [dir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('created: 0, updated: 0, unchanged: 3, rejected: 0, conflicts: 1');
    expect(cli.stdout).toContain(`conflict nodejs (${file}): the product was edited in the database`);
    expect(await productDump(t.db, 'nodejs')).toBe(before);
  });

  it('applies the changed document with --overwrite-edits and clears the edit marks', async () => {
    const cli = await runImportCli(t.url, [dir, '--overwrite-edits']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('created: 0, updated: 1, unchanged: 3, rejected: 0, conflicts: 0');
    expect(await cycle('nodejs', '26')).toMatchObject({ latest: '26.8.0', edited_at: null });
    expect(await editMarks('nodejs')).toEqual({ product_edited: false, rows_edited: 0 });
    // Applied by the importer, so no longer an edit: the next import finds everything unchanged.
    const again = await runImport(t.db, [dir]);
    expect(again).toMatchObject({ unchanged: ['go', 'nodejs', 'php', 'ruby'], editsKept: [], conflicts: [] });
  });

  it('reverts an edit with --overwrite-edits even when the document did not change', async () => {
    const first = (plainFrontMatter(readDocument(dir, 'ruby.md')).releases as Record<string, unknown>[])[0]!;
    const name = String(first.releaseCycle);
    expect(await cycle('ruby', name)).toMatchObject({ eol_from: isoDate(first.eol) });
    await t.db.execute(
      `UPDATE release_cycle SET eol_from = '2099-12-31', eol_flag = NULL
        WHERE name = $1 AND product_id = (SELECT id FROM product WHERE name = 'ruby')`,
      [name],
    );
    expect((await runImport(t.db, [dir])).editsKept).toEqual(['ruby']);
    expect(await cycle('ruby', name)).toMatchObject({ eol_from: '2099-12-31' });

    const report = await runImport(t.db, [dir], { overwriteEdits: true });
    expect(report).toMatchObject({ updated: ['ruby'], editsKept: [], unchanged: ['go', 'nodejs', 'php'] });
    expect(await cycle('ruby', name)).toMatchObject({ eol_from: isoDate(first.eol), edited_at: null });
    expect(await editMarks('ruby')).toEqual({ product_edited: false, rows_edited: 0 });
  });

  it('does not re-create a product deleted in SQL (deletedKept), unless --overwrite-edits', async () => {
    expect(await t.db.execute(`DELETE FROM product WHERE name = 'go'`)).toBe(1);
    expect(await t.db.query(`SELECT name FROM deleted_product`)).toEqual([{ name: 'go' }]);

    const report = await runImport(t.db, [dir]);
    expect(report).toMatchObject({
      deletedKept: ['go'],
      created: [],
      updated: [],
      unchanged: ['nodejs', 'php', 'ruby'],
    });
    expect(await t.db.query(`SELECT name FROM product ORDER BY name`)).toEqual([
      { name: 'nodejs' },
      { name: 'php' },
      { name: 'ruby' },
    ]);

    const restored = await runImport(t.db, [dir], { overwriteEdits: true });
    expect(restored).toMatchObject({ created: ['go'], deletedKept: [], unchanged: ['nodejs', 'php', 'ruby'] });
    expect(await t.db.query(`SELECT name FROM deleted_product`)).toEqual([]);
    const releases = plainFrontMatter(readDocument(dir, 'go.md')).releases as unknown[];
    const [row] = await t.db.query<{ n: number; edited: boolean }>(
      `SELECT count(rc.id)::int AS n, bool_or(p.edited_at IS NOT NULL) AS edited
         FROM product p JOIN release_cycle rc ON rc.product_id = p.id WHERE p.name = 'go'`,
    );
    expect(row).toEqual({ n: releases.length, edited: false });
    expect(join(dir, 'go.md')).toBe(
      (await t.db.query<{ source_path: string }>(`SELECT source_path FROM product WHERE name = 'go'`))[0]!.source_path,
    );
  });
});
