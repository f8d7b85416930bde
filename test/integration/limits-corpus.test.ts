// The cost budget on the whole endoflife.date corpus (464 products, 8,351 cycles), on the service
// process as deployed (`npm start`: heap capped at 256 MB): a query that nests releases through
// ReleaseCycle.product (samsung-mobile's 437 cycles, cubed: 83 million objects, which took the
// process down) is refused, and the whole catalogue with every field (the W2 workload, and more)
// is served. Also: the figures the estimate takes from the in-memory catalogue are the corpus's,
// and within the floors it never goes below (src/graphql/limits.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/data/snapshot.ts';
import { catalogFigures, costOf, estimateCost, FIGURE_FLOORS } from '../../src/graphql/limits.ts';
import { typeDefs } from '../../src/graphql/schema.ts';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { corpusDir, noCorpus, projectRoot } from '../helpers/env.ts';
import { killAllServices, startReadyService, type ServiceProcess } from '../helpers/service-process.ts';
import { W2_EVERY_RELATION } from '../helpers/queries.ts';

const schema = makeExecutableSchema({ typeDefs });
const cost = (query: string, variables: Record<string, unknown> = {}) => costOf(schema, parse(query), variables);
const BUDGET = 100_000;

/** The reviewer's query: depth 7, and 437³ cycles. */
const ATTACK =
  '{ product(name:"samsung-mobile"){ releases { product { releases { product { releases { name } } } } } } }';
/** The same one level shorter: 437² = 190,969 cycles, still far more than the budget allows. */
const ONE_LEVEL_BACK = '{ product(name:"samsung-mobile"){ releases { product { releases { name } } } } }';

/** bench/queries/W2.graphql: the whole catalogue, every product with every release cycle. */
const W2_BENCH = readFileSync(join(projectRoot, 'bench/queries/W2.graphql'), 'utf8');
/** The whole catalogue with every relation and computed field (also api-lookups.test.ts's). */
const W2_LOOKUPS = W2_EVERY_RELATION;
/** Every field of every type reachable without nesting a list in a list of the same kind. */
const EVERYTHING = `query Everything {
  products(first: 500) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } }
    nodes {
      name label category tags aliases iconSlug versionCommand releasePolicyLink changelogTemplate
      identifiers { type id }
      columns { releaseDate { shown label } latest { shown label } eoas { shown label } eol { shown label }
        eoes { shown label } discontinued { shown label } }
      labels { eoas eol eoes discontinued }
      customFields { name display label description link }
      description summary addedAt updatedAt
      releases { name slug position codename label releaseDate isReleased isLts ltsFrom isEoas eoasFrom isEol
        eolFrom isEoes eoesFrom isDiscontinued discontinuedFrom isMaintained daysUntilEol supportPhase
        latest { name date link } custom { name value } outOfOrder asOf product { name label } }
      latestRelease { name product { name } } releaseCount maintainedReleaseCount asOf
      importWarnings { path message line }
    }
  }
}`;

afterAll(killAllServices);

describe.skipIf(noCorpus('the cost budget on the whole corpus'))('the cost budget on the whole corpus', () => {
  let t: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    t = await createImportedDatabase(corpusDir);
    service = await startReadyService({ DATABASE_URL: t.url });
  });
  afterAll(async () => {
    await service?.stop();
    await t?.drop();
  });

  it('the in-memory catalogue has the corpus figures, each within the floors', async () => {
    const figures = catalogFigures(await loadCatalog(t.db));
    // Import warnings follow the importer's rules (a few dozen): within the floors is enough.
    expect({ ...figures, importWarnings: 0, maxImportWarningsPerProduct: 0 }).toEqual({
      products: 464,
      cycles: 8_351,
      maxCyclesPerProduct: 437,
      identifiers: 1_683,
      maxIdentifiersPerProduct: 210,
      customFields: 96,
      maxCustomFieldsPerProduct: 6,
      customValues: 1_487,
      importWarnings: 0,
      maxImportWarningsPerProduct: 0,
      tags: 87,
    });
    for (const [k, v] of Object.entries(figures)) {
      expect(v, k).toBeLessThanOrEqual(FIGURE_FLOORS[k as keyof typeof figures]);
    }
  });

  it('releases nested through ReleaseCycle.product are refused with QUERY_TOO_COSTLY; the service stays up', async () => {
    for (const query of [ATTACK, ONE_LEVEL_BACK]) {
      const full = cost(query);
      expect(full).toBeGreaterThan(BUDGET);
      const reported = estimateCost(schema, parse(query), {}, { stopAbove: BUDGET });
      const r = await service.gql(query);
      expect(r.status).toBe(400);
      expect(r.body.data ?? undefined).toBeUndefined();
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors![0]!.extensions).toMatchObject({
        code: 'QUERY_TOO_COSTLY',
        limit: BUDGET,
        value: reported.cost,
      });
      expect(r.body.errors![0]!.message).toMatch(/the limit is 100000, this request has (at least )?\d+/);
    }
    expect(cost(ATTACK)).toBe(1 + 500 + 500 + 500 ** 2 + 500 ** 2 + 500 ** 3);
    // Refused before anything ran: the process is up and answers.
    expect(service.running).toBe(true);
    const after = await service.gql<{ data: { product: { releases: unknown[] } } }>(
      '{ product(name: "samsung-mobile") { releases { name product { name } } } }',
    );
    expect(after.status).toBe(200);
    expect(after.body.data.product.releases).toHaveLength(437);
  });

  it('the whole catalogue (W2, and every field of everything) is served', async () => {
    const queries: [string, string, Record<string, unknown>][] = [
      ['W2 (bench)', W2_BENCH, {}],
      ['W2 (api-lookups)', W2_LOOKUPS, { first: 500 }],
      ['every field', EVERYTHING, {}],
    ];
    for (const [what, query, variables] of queries) {
      const estimate = cost(query, variables);
      expect(estimate, what).toBeLessThanOrEqual(BUDGET);
      const r = await service.gql<{ data: { products: { nodes: { releases: unknown[] }[] } } }>(query, variables);
      expect(r.status, what).toBe(200);
      expect((r.body as { errors?: unknown }).errors, what).toBeUndefined();
      expect(r.body.data.products.nodes, what).toHaveLength(464);
      expect(
        r.body.data.products.nodes.flatMap((p) => p.releases),
        what,
      ).toHaveLength(8_351);
    }
    expect(cost(W2_BENCH)).toBe(22_501);
  });
});
