// The in-memory catalogue (src/data/snapshot.ts) is an optimisation, never a second source of truth:
// over the whole corpus, a server that reads rows from it answers the benchmark queries and a query
// for every field of Product and ReleaseCycle, on three dates, byte for byte as a server that reads
// them through SQL – and with it loaded, none of W1–W4 sends an SQL statement (lists and reports are
// selected in memory too; test/integration/catalog-search.test.ts holds that selection to the SQL's).
// A third server executes with graphql-js instead of graphql-jit: the compiled queries (which skip
// re-serialising String/Boolean/Int/enum values, src/graphql/executor.ts) answer as graphql-js does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { postgresChangeFeed, type ChangeFeed } from '../../src/db/changes.ts';
import { totalStatements } from '../../src/db/statements.ts';
import { waitFor } from '../helpers/cache.ts';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { corpusDir, noCorpus, projectRoot } from '../helpers/env.ts';
import { startTestServer, type GraphQLBody, type RawResult, type TestServer } from '../helpers/server.ts';

const benchDir = join(projectRoot, 'bench/queries');
const WORKLOADS = ['W1', 'W2', 'W3', 'W4'] as const;
const benchVariables = JSON.parse(readFileSync(join(benchDir, 'variables.json'), 'utf8')) as Record<
  (typeof WORKLOADS)[number],
  Record<string, unknown>
>;
const bench = (w: (typeof WORKLOADS)[number]): GraphQLBody => ({
  query: readFileSync(join(benchDir, `${w}.graphql`), 'utf8'),
  variables: benchVariables[w],
});

/** A day before most of the corpus ended, the corpus's own day, and a day far ahead. */
const DATES = ['2019-03-15', '2026-08-22', '2031-01-01'];

const CYCLE_FIELDS = `name slug position codename label releaseDate isLts ltsFrom isEoas eoasFrom isEol eolFrom
  isEoes eoesFrom isDiscontinued discontinuedFrom isMaintained daysUntilEol supportPhase
  latest { name date link } custom { name value } outOfOrder asOf`;
const COLUMN = `shown label`;

// Every field of Product (and, through releases, of ReleaseCycle), 100 products a page: within the
// cost limit of 100,000.
const ALL_PRODUCT_FIELDS = `query All($after: String, $asOf: Date) {
  products(first: 100, after: $after, asOf: $asOf) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor }
    nodes {
      name label category tags aliases iconSlug versionCommand releasePolicyLink changelogTemplate
      identifiers { type id }
      columns { releaseDate { ${COLUMN} } latest { ${COLUMN} } eoas { ${COLUMN} } eol { ${COLUMN} } eoes { ${COLUMN} } discontinued { ${COLUMN} } }
      labels { eoas discontinued eol eoes }
      customFields { name display label description link }
      description summary addedAt updatedAt
      releases { ${CYCLE_FIELDS} product { name } }
      maintained: releases(filter: { isMaintained: true }) { name }
      latestRelease { name label }
      releaseCount maintainedReleaseCount asOf
      importWarnings { path message line }
    }
  }
}`;

// ReleaseCycle reached from the root (its product through the loader, not from Product.releases):
// the 500 cycles whose end of life is nearest after asOf.
const ALL_CYCLE_FIELDS = `query Cycles($asOf: Date) {
  releaseCycles(first: 500, asOf: $asOf, filter: { eolWithinDays: 36500 }, orderBy: { field: EOL_FROM }) {
    totalCount
    nodes { ${CYCLE_FIELDS} product { name label tags aliases releaseCount } }
  }
}`;

interface Page {
  data?: Record<string, { pageInfo: { hasNextPage: boolean; endCursor: string | null } }>;
  errors?: unknown[];
}

describe.skipIf(noCorpus('the in-memory catalogue against SQL over the corpus'))(
  'the in-memory catalogue answers exactly as SQL does',
  () => {
    let t: TestDatabase;
    let feed: ChangeFeed;
    let snapshot: CatalogSnapshot;
    let fromCatalogue: TestServer;
    let fromSql: TestServer;
    let withGraphqlJs: TestServer;
    let products: number;
    let loads: number;

    beforeAll(async () => {
      t = await createImportedDatabase(corpusDir);
      products = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM product'))[0]!.n;
      expect(products).toBe(464);
      feed = postgresChangeFeed({ url: t.url });
      snapshot = new CatalogSnapshot(t.db, feed);
      const now = new Date('2026-08-22T08:52:34Z');
      fromCatalogue = await startTestServer(t.db, { now, snapshot });
      fromSql = await startTestServer(t.db, { now });
      withGraphqlJs = await startTestServer(t.db, { now, options: { executor: 'graphql-js' } });
      await waitFor(() => feed.healthy, 'the change feed to listen');
      const data = await snapshot.ready();
      expect(data?.productsById.size).toBe(products);
      loads = snapshot.loads;
    });
    afterAll(async () => {
      // Every answer above came from the one catalogue loaded at the start.
      if (snapshot) expect(snapshot.loads).toBe(loads);
      await fromCatalogue?.close();
      await fromSql?.close();
      await withGraphqlJs?.close();
      snapshot?.close();
      await feed?.close();
      await t?.drop();
    });

    const counted = async (server: TestServer, body: GraphQLBody) => {
      const before = totalStatements();
      const r = await server.post(body);
      return { ...r, statements: totalStatements() - before };
    };

    /** The three servers' answers to body; they must be identical and without errors. */
    const same = async (body: GraphQLBody): Promise<RawResult> => {
      expect(snapshot.current()).not.toBeNull();
      const a = await fromCatalogue.post(body);
      expect(a.status, a.text.slice(0, 500)).toBe(200);
      const value = JSON.parse(a.text) as Page;
      expect(value.errors).toBeUndefined();
      // Large answers are written a piece at a time (src/http/json-slabs.ts): still what
      // JSON.stringify writes for the executed value.
      expect(a.text === (await fromCatalogue.expectedText(body))).toBe(true);
      for (const other of [fromSql, withGraphqlJs]) {
        const b = await other.post(body);
        expect(a.text.length).toBe(b.text.length);
        expect(a.text === b.text, `${body.query.slice(0, 60)} ${JSON.stringify(body.variables)}`).toBe(true);
      }
      return a;
    };

    /** Pages through root field `field` of query on asOf; returns the number of pages. */
    const allPages = async (query: string, field: string, asOf: string) => {
      let after: string | null = null;
      for (let pages = 1; ; pages++) {
        const page = JSON.parse((await same({ query, variables: { after, asOf } })).text) as Page;
        const info = page.data![field]!.pageInfo;
        if (!info.hasNextPage) return pages;
        after = info.endCursor;
      }
    };

    it.each(WORKLOADS)('%s: the same answer', async (w) => {
      const r = await same(bench(w));
      expect(r.text.length).toBeGreaterThan(100);
    });

    it.each(DATES)('every field of every product and its cycles, asOf %s: the same answer', async (asOf) => {
      expect(await allPages(ALL_PRODUCT_FIELDS, 'products', asOf)).toBe(Math.ceil(products / 100));
    });

    it.each(DATES)('every field of 500 cycles from the root, asOf %s: the same answer', async (asOf) => {
      const r = await same({ query: ALL_CYCLE_FIELDS, variables: { asOf } });
      const page = JSON.parse(r.text) as { data: { releaseCycles: { totalCount: number; nodes: unknown[] } } };
      expect(page.data.releaseCycles.nodes).toHaveLength(Math.min(500, page.data.releaseCycles.totalCount));
      expect(page.data.releaseCycles.totalCount).toBeGreaterThan(100);
    });

    it('with the catalogue loaded, W1–W4 send no SQL statement (and some without it)', async () => {
      expect(snapshot.current()).not.toBeNull();
      const statements = async (server: TestServer) => {
        const out: Record<string, number> = {};
        for (const w of WORKLOADS) {
          const r = await counted(server, bench(w));
          expect(r.status).toBe(200);
          out[w] = r.statements;
        }
        return out;
      };
      expect(await statements(fromCatalogue)).toEqual({ W1: 0, W2: 0, W3: 0, W4: 0 });
      const withoutCatalogue = await statements(fromSql);
      for (const w of WORKLOADS) expect(withoutCatalogue[w]).toBeGreaterThan(0);
    });
  },
);
