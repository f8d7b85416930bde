// Embedded mode: the whole corpus into an in-memory PGlite gives the same rows as PostgreSQL
// (the same counts, spot checks of the values that are easiest to get wrong), and a second
// import finds everything unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import type { ImportReport } from '../../src/importer/import.ts';
import { createTestPglite } from '../helpers/db.ts';
import { runImport, tableCounts } from '../helpers/documents.ts';
import { corpusDir, noCorpus } from '../helpers/env.ts';

describe.skipIf(noCorpus('the corpus import into PGlite'))('importing the whole corpus into PGlite', () => {
  let db: Database;
  let report: ImportReport;

  beforeAll(async () => {
    db = await createTestPglite();
    report = await runImport(db, [corpusDir]);
  });
  afterAll(async () => {
    await db?.close();
  });

  const cycle = async (product: string, name: string) => {
    const [row] = await db.query<Record<string, unknown>>(
      `SELECT rc.* FROM release_cycle rc JOIN product p ON p.id = rc.product_id WHERE p.name = $1 AND rc.name = $2`,
      [product, name],
    );
    return row;
  };

  it('imports all 464 documents with no rejection, with the same row counts as PostgreSQL', async () => {
    expect(db.kind).toBe('pglite');
    expect(report.rejected).toEqual([]);
    expect(report.created).toHaveLength(464);
    expect(await tableCounts(db)).toMatchObject({
      product: 464,
      release_cycle: 8351,
      product_tag: 1010,
      identifier: 1683,
      deleted_product: 0,
    });
  });

  it('stores dates, flags, null links, templates and custom dates as PostgreSQL does', async () => {
    expect(await cycle('nodejs', '26')).toMatchObject({ lts_from: '2026-10-28', lts_flag: null, position: 0 });
    expect(await cycle('samsung-mobile', 'galaxy-z-flip8')).toMatchObject({
      link_set: true,
      link: null,
      eol_flag: false,
    });
    expect(await cycle('jenkins', '2')).toMatchObject({ position: 0, out_of_order: true, release_label: 'Regular' });
    const horizon = await cycle('horizon', '8.2603');
    expect(JSON.parse(horizon!.custom as string)).toEqual({ technicalGuidance: '2030-04-14' });
    const [python] = await db.query<{ version_command: string; n: number }>(
      `SELECT version_command, (SELECT count(*)::int FROM release_cycle WHERE product_id = p.id) AS n
         FROM product p WHERE name = 'python'`,
    );
    expect(python).toEqual({ version_command: 'python --version\n\n# or alternatively\npython3 --version', n: 17 });
    const renamed = await db.query(
      `SELECT name FROM product WHERE name IN ('linux', 'linux-kernel', 'rails', 'ruby-on-rails') ORDER BY name`,
    );
    expect(renamed).toEqual([{ name: 'linux' }, { name: 'rails' }]);
  });

  it('finds all 464 unchanged on a second import', async () => {
    const [before] = await db.query(`SELECT max(updated_at)::text AS p, max(imported_at)::text AS i FROM product`);
    const again = await runImport(db, [corpusDir]);
    expect(again).toMatchObject({ created: [], updated: [], rejected: [] });
    expect(again.unchanged).toHaveLength(464);
    expect(await db.query(`SELECT max(updated_at)::text AS p, max(imported_at)::text AS i FROM product`)).toEqual([
      before,
    ]);
  });
});
