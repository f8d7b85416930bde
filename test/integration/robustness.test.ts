// Rows an admin can make by hand (Prisma Studio, psql) that no document would produce: the API
// still answers over them, with nulls where nothing is known; what would break the model is
// refused by the database itself (CHECK constraints, named in the error; the value constraints on
// dates, names and links have their own file, constraints.test.ts); and the importer's report
// points at the odd rows ("check …").
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { postgresChangeFeed, type ChangeFeed } from '../../src/db/changes.ts';
import { createServer, defaultServerOptions } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { runImport } from '../helpers/documents.ts';
import { seedsDir } from '../helpers/env.ts';
import { postJson, runImporter } from '../helpers/service-process.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const AS_OF = '2026-01-01';

/** Runs SQL as an admin would in psql: its own connection, no importer marker. */
async function adminSql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const HAND_MADE = `
INSERT INTO product (name, label, permalink, category) VALUES
  ('hand-no-dates', 'No dates', '/hand-no-dates', 'app'),
  ('hand-empty', 'No cycles', '/hand-empty', 'os'),
  ('hand-uncategorised', 'No category', '/hand-uncategorised', NULL);
INSERT INTO product (name, label, permalink, category, changelog_template) VALUES
  ('hand-garbage', 'Garbage changelog', '/hand-garbage', 'lang', 'https://example.com/{% for x in %}{{ __LATEST__ | }}}}{%%}');
INSERT INTO release_cycle (product_id, position, name)
  SELECT id, 0, '1.0' FROM product WHERE name = 'hand-no-dates';
INSERT INTO release_cycle (product_id, position, name, release_label, release_date, eol_from)
  SELECT id, 1, '2.0', '{% if x %}Release __RELEASE_CYCLE__ {{ unclosed', '2020-01-01', '2030-01-01'
    FROM product WHERE name = 'hand-no-dates';
INSERT INTO release_cycle (product_id, position, name, release_date, eol_from)
  SELECT id, 0, '7', '2024-01-01', '2027-01-01' FROM product WHERE name = 'hand-uncategorised';
INSERT INTO release_cycle (product_id, position, name, release_date, eol_flag, latest, latest_release_date)
  SELECT id, 0, '3.1', '2024-01-01', false, '3.1.4', '2024-06-01' FROM product WHERE name = 'hand-garbage';
INSERT INTO custom_field (product_id, name, display, label, position)
  SELECT id, 'chip', 'api-only', 'Chip', 0 FROM product WHERE name = 'hand-garbage';
UPDATE release_cycle SET custom = '{}' WHERE name = '3.1'
   AND product_id = (SELECT id FROM product WHERE name = 'hand-garbage');
`;

const CYCLE = `name label releaseDate isLts isEoas eoasFrom isEol eolFrom isEoes isDiscontinued isMaintained daysUntilEol
  supportPhase latest { name date link } custom { name value }`;
const CATALOGUE = `{
  products(first: 500, asOf: "${AS_OF}") {
    totalCount
    nodes { name label category tags changelogTemplate releaseCount maintainedReleaseCount latestRelease { name }
      customFields { name } releases { ${CYCLE} } }
  }
  categories { name productCount }
  tags { name productCount }
}`;

interface Cycle {
  name: string;
  label: string;
  releaseDate: string | null;
  isEol: boolean | null;
  isMaintained: boolean;
  supportPhase: string;
  latest: { name: string | null; date: string | null; link: string | null } | null;
  custom: { name: string; value: string | null }[] | null;
  [field: string]: unknown;
}
interface Product {
  name: string;
  category: string | null;
  tags: string[];
  releases: Cycle[];
  [field: string]: unknown;
}

describe('rows made by hand', () => {
  let t: TestDatabase;
  let server: TestServer;
  let feed: ChangeFeed;
  let snapshot: CatalogSnapshot;
  let stopSnapshotServer: () => Promise<void>;
  let snapshotUrl: string;
  let catalogue: { products: { totalCount: number; nodes: Product[] } };
  const product = (name: string) => catalogue.products.nodes.find((p) => p.name === name)!;

  beforeAll(async () => {
    t = await createTestDatabase();
    expect((await runImport(t.db, [seedsDir])).rejected).toEqual([]);
    await adminSql(t.url, HAND_MADE);
    server = await startTestServer(t.db);

    // The same server with the in-memory catalogue (the service's default), loaded after the edits.
    feed = postgresChangeFeed({ url: t.url });
    snapshot = new CatalogSnapshot(t.db, feed);
    const app = createServer({
      sql: t.db,
      logger: createLogger('silent'),
      clock: () => new Date(),
      readiness: async () => ({ ready: true }),
      snapshot,
      options: defaultServerOptions,
    });
    await app.start();
    snapshotUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/graphql`;
    stopSnapshotServer = () => app.stop();
  });
  afterAll(async () => {
    await server?.close();
    await stopSnapshotServer?.();
    snapshot?.close();
    await feed?.close();
    await t?.drop();
  });

  describe('the API answers over them', () => {
    it('serves the whole catalogue without an error', async () => {
      const r = await server.gql<typeof catalogue>(CATALOGUE);
      expect(r.status).toBe(200);
      expect(r.errors).toBeUndefined();
      catalogue = r.data;
      expect(catalogue.products.totalCount).toBe(23 + 4);
    });

    it('a cycle with no dates and no support fields: nulls, not maintained, UNKNOWN', () => {
      const [noDates] = product('hand-no-dates').releases;
      expect(noDates).toEqual({
        name: '1.0',
        label: '1.0',
        releaseDate: null,
        isLts: false,
        isEoas: null,
        eoasFrom: null,
        isEol: null,
        eolFrom: null,
        isEoes: null,
        isDiscontinued: null,
        isMaintained: false,
        daysUntilEol: null,
        supportPhase: 'UNKNOWN',
        latest: { name: null, date: null, link: null },
        custom: null,
      });
    });

    it('a release label that is broken Liquid: the label falls back to the cycle name', () => {
      const broken = product('hand-no-dates').releases[1]!;
      expect(broken).toMatchObject({ name: '2.0', label: '2.0', isEol: false, isMaintained: true, daysUntilEol: 1461 });
    });

    it('a product without cycles: empty lists and zero counts', () => {
      expect(product('hand-empty')).toMatchObject({
        category: 'os',
        // The category is always among the tags (the SDL says so): the importer stores that row,
        // the API adds it for a product made by hand without it.
        tags: ['os'],
        releases: [],
        releaseCount: 0,
        maintainedReleaseCount: 0,
        latestRelease: null,
      });
    });

    it('a product without category: category null, no tag for it; categories still count the rest', () => {
      expect(product('hand-uncategorised')).toMatchObject({ category: null, tags: [], releaseCount: 1 });
      const { categories } = catalogue as unknown as { categories: { name: string | null }[] };
      expect(categories.every((c) => typeof c.name === 'string' && c.name.length > 0)).toBe(true);
    });

    it('a garbage changelog template: no link, the rest of latest intact; custom {} gives null values', () => {
      const garbage = product('hand-garbage');
      expect(garbage.changelogTemplate).toBe('https://example.com/{% for x in %}{{ __LATEST__ | }}}}{%%}');
      expect(garbage.releases[0]).toMatchObject({
        name: '3.1',
        latest: { name: '3.1.4', date: '2024-06-01', link: null },
        custom: [{ name: 'chip', value: null }],
        isEol: false,
        supportPhase: 'ACTIVE',
      });
    });

    it('filters, lookups and version resolution work over them', async () => {
      const r = await server.gql<{
        unknown: { nodes: { product: { name: string }; name: string }[] };
        notMaintained: { nodes: { name: string }[] };
        resolved: { name: string } | null;
        cycle: { name: string; label: string } | null;
        empty: { latestRelease: null; releases: [] } | null;
      }>(`{
        unknown: releaseCycles(filter: { supportPhase: [UNKNOWN], products: ["hand-no-dates", "hand-empty"] }, asOf: "${AS_OF}") {
          nodes { product { name } name } }
        notMaintained: products(filter: { hasMaintainedRelease: false, search: "hand-" }, asOf: "${AS_OF}") { nodes { name } }
        resolved: resolveVersion(product: "hand-no-dates", version: "1.0.7") { name }
        cycle: releaseCycle(product: "hand-no-dates", name: "2.0") { name label }
        empty: product(name: "hand-empty") { latestRelease { name } releases { name } }
      }`);
      expect(r.errors).toBeUndefined();
      expect(r.data.unknown.nodes).toEqual([{ product: { name: 'hand-no-dates' }, name: '1.0' }]);
      // hand-garbage's cycle has eol: false, so it is maintained; only the product without cycles is not.
      expect(r.data.notMaintained.nodes.map((p) => p.name)).toEqual(['hand-empty']);
      expect(r.data.resolved).toEqual({ name: '1.0' });
      expect(r.data.cycle).toEqual({ name: '2.0', label: '2.0' });
      expect(r.data.empty).toEqual({ latestRelease: null, releases: [] });
    });

    it('the in-memory catalogue (the service default) gives the same answer', async () => {
      expect(await snapshot.ready()).not.toBeNull();
      const r = await postJson<{ data: unknown; errors?: unknown }>(snapshotUrl, { query: CATALOGUE });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data).toEqual(catalogue);
    });
  });

  describe('what would break the model is refused by the database, naming the constraint', () => {
    const refusals: [string, string, string][] = [
      [
        'eol both a boolean and a date',
        `UPDATE release_cycle SET eol_flag = true, eol_from = '2030-01-01' WHERE name = '7'`,
        'release_cycle_eol_one_value',
      ],
      [
        'an unknown category',
        `UPDATE product SET category = 'toaster' WHERE name = 'hand-empty'`,
        'product_category_known',
      ],
      [
        'a blank product label',
        `UPDATE product SET label = '   ' WHERE name = 'hand-empty'`,
        'product_label_not_blank',
      ],
      [
        'a blank product name',
        `INSERT INTO product (name, label, permalink) VALUES ('', 'Blank', '/blank')`,
        'product_name_is_slug',
      ],
      [
        'a product name with a space',
        `INSERT INTO product (name, label, permalink) VALUES ('two words', 'Two words', '/two-words')`,
        'product_name_is_slug',
      ],
      ['a blank cycle name', `UPDATE release_cycle SET name = '  ' WHERE name = '7'`, 'release_cycle_name_not_blank'],
      [
        'custom that is an array',
        `UPDATE release_cycle SET custom = '["chip"]' WHERE name = '3.1'`,
        'release_cycle_custom_is_object',
      ],
      [
        'custom that is a string',
        `UPDATE release_cycle SET custom = '"chip"' WHERE name = '3.1'`,
        'release_cycle_custom_is_object',
      ],
      [
        'a blank tag',
        `INSERT INTO product_tag (product_id, tag) SELECT id, ' ' FROM product WHERE name = 'hand-empty'`,
        'product_tag_not_blank',
      ],
    ];

    it.each(refusals)('%s (%s) → %s', async (_what, sql, constraint) => {
      const before = await adminSql(t.url, `SELECT count(*)::int AS n, max(updated_at) AS u FROM product`);
      const err = await adminSql(t.url, sql).then(
        () => expect.fail(`the database accepted: ${sql}`),
        (e: unknown) => e as pg.DatabaseError,
      );
      expect(err.code).toBe('23514'); // check_violation
      expect(err.constraint).toBe(constraint);
      expect(err.message).toContain(constraint);
      expect(await adminSql(t.url, `SELECT count(*)::int AS n, max(updated_at) AS u FROM product`)).toEqual(before);
    });

    it('through Prisma Client (what Prisma Studio uses) too, with the constraint in the message', async () => {
      const err = await t.db.prisma.product
        .update({ where: { name: 'hand-empty' }, data: { category: 'toaster' } })
        .then(
          () => expect.fail('Prisma accepted an unknown category'),
          (e: unknown) => e as Error,
        );
      expect(err.message).toContain('product_category_known');
      const [row] = await adminSql<{ category: string }>(
        t.url,
        `SELECT category FROM product WHERE name = 'hand-empty'`,
      );
      expect(row!.category).toBe('os');
    });
  });

  describe('the importer points at them', () => {
    it('lists the odd rows ("check …") in its report', async () => {
      const r = await runImporter(t.url, [seedsDir]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const checks = r.stdout.split('\n').filter((l) => l.startsWith('check '));
      expect(checks).toEqual([
        'check hand-empty: has no release cycles (probably edited by hand)',
        'check hand-no-dates cycle "1.0": gives no release date and none of eol, eoas, eoes, discontinued (probably edited by hand)',
      ]);
      // The seeds are as imported: nothing was written.
      expect(r.stdout.split('\n')[0]).toContain('created: 0, updated: 0, unchanged: 23, rejected: 0');
    });
  });
});
