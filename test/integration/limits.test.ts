// The limits that keep one request from taking the service down, on the real service process:
// each refusal names its limit in extensions.code and gives the limit and the value seen (message
// and extensions), a request just within each limit is served, and every limit follows its
// environment variable (a second process with smaller limits refuses what the first serves).
// The cost budget is the request's (a batch's operations add up); the root-field and alias limits
// count through fragments; an operation whose cost cannot be estimated does not run.
// Also: invalid configuration makes the process exit 2 naming every bad variable; introspection
// and CORS follow INTROSPECTION and CORS_ORIGINS.
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf, estimateCost } from '../../src/graphql/limits.ts';
import { typeDefs } from '../../src/graphql/schema.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { runImport } from '../helpers/documents.ts';
import { seedsDir } from '../helpers/env.ts';
import { startTestServer } from '../helpers/server.ts';
import {
  killAllServices,
  postJson,
  spawnService,
  startReadyService,
  type GraphqlBody,
  type HttpResult,
  type ServiceProcess,
} from '../helpers/service-process.ts';

const schema = makeExecutableSchema({ typeDefs });
const cost = (query: string) => costOf(schema, parse(query), {});
/** What the service reports for a query over the budget: counting stops once past it. */
const costUpTo = (query: string, budget: number) => estimateCost(schema, parse(query), {}, { stopAbove: budget });

/**
 * product(name: "nodejs") with `levels` more levels of latestRelease/product below it: deep but
 * cheap (single objects, no lists), so that only the depth limit applies.
 */
function nested(levels: number): string {
  let selection = 'name';
  // From the inside out, so that the outermost level is latestRelease (of the product above it).
  for (let i = levels - 1; i >= 0; i--) selection = `${i % 2 === 0 ? 'latestRelease' : 'product'} { ${selection} }`;
  return `{ product(name: "nodejs", asOf: "2024-01-01") { ${selection} } }`;
}
/** Field depth of nested(levels): product, the levels, then name. */
const depthOf = (levels: number) => levels + 2;

const aliased = (n: number) =>
  `{ product(name: "nodejs", asOf: "2024-01-01") { ${Array.from({ length: n }, (_, i) => `a${i}: name`).join(' ')} } }`;
const rootFields = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: today`).join(' ')} }`;
const todays = (n: number) => Array.from({ length: n }, (_, i) => `t${i}: today`).join(' ');
const aliasedNames = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: name`).join(' ');

/** `{ today }` padded with a comment to exactly `bytes` bytes of query text. */
function queryOfSize(bytes: number): string {
  const base = '{ today }\n#';
  return base + 'x'.repeat(bytes - base.length);
}

/** A valid query of exactly `tokens` lexical tokens: a products filter with n names. */
function queryOfTokens(tokens: number): string {
  const names = Array.from({ length: tokens - 16 }, () => '"a"').join(' ');
  return `{ products(filter: { names: [${names}] }) { totalCount } }`;
}

/** A JSON request body of exactly `bytes` bytes (padded through an unused variable). */
function bodyOfSize(bytes: number, query = '{ today }'): string {
  const base = { query, variables: { pad: '' } };
  const pad = bytes - Buffer.byteLength(JSON.stringify(base));
  if (pad < 0) throw new Error(`a body of ${bytes} bytes is too small for the query`);
  return JSON.stringify({ ...base, variables: { pad: 'x'.repeat(pad) } });
}

/**
 * JSON text of `depth` objects within one another (`{"a":{"a":{}}}` has depth 3), or of lists
 * (`[[[]]]`). As text: JSON.stringify itself overflows the call stack on a few thousand levels.
 */
const deepJson = (depth: number, kind: 'object' | 'list' = 'object') =>
  kind === 'object' ? '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1) : '['.repeat(depth) + ']'.repeat(depth);
/** A request body whose variables (or extensions) are deepJson(depth, kind). */
const deepBody = (query: string, depth: number, kind: 'object' | 'list' = 'object', key = 'variables') =>
  `{"query":${JSON.stringify(query)},"${key}":${deepJson(depth, kind)}}`;
/** A variable of an input type, so that the request gets as far as coercion and the cost estimate. */
const FILTERED = 'query($a: ReleaseCycleFilter) { releaseCycles(filter: $a) { totalCount } }';
/** Nested as deep as the schema's inputs go: variables → filter → eolBetween (depth 3). */
const EOL_BETWEEN = {
  query: 'query($f: ReleaseCycleFilter) { releaseCycles(filter: $f, asOf: "2024-01-01") { totalCount } }',
  variables: { f: { product: 'nodejs', eolBetween: { from: '2020-01-01', to: '2030-12-31' } } },
};

/** The full catalogue with every field of API v1 (and every other field eolgraph has). */
const CYCLE_FIELDS = `name slug position codename label releaseDate isLts ltsFrom isEoas eoasFrom isEol eolFrom isEoes
  eoesFrom isDiscontinued discontinuedFrom isMaintained daysUntilEol supportPhase latest { name date link }
  custom { name value } outOfOrder asOf`;
const FULL_CATALOGUE = `query FullCatalogue {
  products(first: 500) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor }
    nodes {
      name label category tags aliases iconSlug versionCommand releasePolicyLink changelogTemplate
      identifiers { type id }
      columns { releaseDate { shown label } latest { shown label } eoas { shown label } eol { shown label }
        eoes { shown label } discontinued { shown label } }
      labels { eoas eol eoes discontinued }
      customFields { name display label description link }
      description summary addedAt updatedAt
      releases { ${CYCLE_FIELDS} product { name } }
      latestRelease { name } releaseCount maintainedReleaseCount asOf importWarnings { path message line }
    }
  }
}`;
/** Pages nested in pages: what the cost budget is for. */
const PAGES_IN_PAGES =
  '{ releaseCycles(first: 500) { nodes { product { releases { product { releases { name } } } } } } }';
/**
 * From one product back and forth: 437 × 437 × 437 cycles on the corpus (samsung-mobile), which the
 * earlier estimate (20 cycles a product) let through. Within the depth limit.
 */
const BACK_AND_FORTH =
  '{ product(name: "samsung-mobile") { releases { product { releases { product { releases { name } } } } } } }';
/** One back-reference under a page of cycles: over the budget, and cheap to run on the seeds. */
const OVER_BUDGET = '{ releaseCycles(first: 300) { nodes { product { releases { name } } } } }';

function expectServed(r: HttpResult): void {
  expect(r.status).toBe(200);
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data).toBeTruthy();
}

/** A refusal naming the limit: the code, the limit and the value in the message and in extensions. */
function expectRefused(r: HttpResult, code: string, limit: number, value: number, status = 400): void {
  expect(r.status).toBe(status);
  expectRefusal(r.body, code, limit, value);
}
/** One answer (of a batch, or the whole body) that is a refusal naming the limit. */
function expectRefusal(body: GraphqlBody, code: string, limit: number, value: number): void {
  const r = { body };
  expect(r.body.data ?? undefined).toBeUndefined();
  expect(r.body.errors).toHaveLength(1);
  const error = r.body.errors![0]!;
  expect(error.extensions).toMatchObject({ code, limit, value });
  expect(typeof error.extensions!.requestId).toBe('string');
  expect(error.message).toMatch(new RegExp(`the limit is ${limit}\\b.*\\b${value}\\b`));
}

afterAll(killAllServices);

/** One bad value per kind of check (URL, range, integer, boolean, list, choice). */
const BAD_CONFIGURATION: Record<string, string> = {
  DATABASE_URL: 'mysql://root@127.0.0.1/eol',
  PORT: '70000',
  MAX_QUERY_DEPTH: 'deep',
  MAX_QUERY_COST: '0',
  INTROSPECTION: 'maybe',
  CORS_ORIGINS: 'ftp://files.example',
  LOG_LEVEL: 'chatty',
  SHUTDOWN_TIMEOUT_MS: '-1',
  GRAPHQL_EXECUTOR: 'fast',
};
/** Started first, beside the other services (it only has to exit). */
let invalid: Promise<ServiceProcess>;
beforeAll(() => {
  invalid = spawnService({ ...BAD_CONFIGURATION, MAX_ALIASES: '15' });
});

describe('query limits', () => {
  let t: TestDatabase;
  /** The defaults. */
  let standard: ServiceProcess;
  /** Every limit lowered through its environment variable. */
  let small: ServiceProcess;

  beforeAll(async () => {
    t = await createTestDatabase();
    expect((await runImport(t.db, [seedsDir])).created).toHaveLength(23);
    [standard, small] = await Promise.all([
      startReadyService({ DATABASE_URL: t.url }),
      startReadyService({
        DATABASE_URL: t.url,
        MAX_QUERY_DEPTH: '3',
        MAX_QUERY_COST: '150',
        MAX_ALIASES: '2',
        MAX_ROOT_FIELDS: '2',
        MAX_QUERY_BYTES: '300',
        MAX_QUERY_TOKENS: '60',
        MAX_BODY_BYTES: '1000',
        MAX_BATCH_OPERATIONS: '2',
        MAX_PAGE_SIZE: '7',
        MAX_VARIABLES_DEPTH: '2',
        MAX_RESPONSE_BYTES: '2500',
        INTROSPECTION: 'false',
        CORS_ORIGINS: 'https://a.example',
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([standard?.stop(), small?.stop()]);
    await t?.drop();
  });

  describe('the defaults', () => {
    it('QUERY_TOO_DEEP: depth 10 is served, depth 11 refused', async () => {
      expect(depthOf(8)).toBe(10);
      expectServed(await standard.gql(nested(8)));
      expectRefused(await standard.gql(nested(9)), 'QUERY_TOO_DEEP', 10, 11);
    });

    it('QUERY_TOO_COSTLY: the whole catalogue with every field is served; pages nested in pages are refused', async () => {
      expect(cost(FULL_CATALOGUE)).toBeLessThan(100_000);
      const r = await standard.gql<{ data: { products: { totalCount: number; nodes: { releases: unknown[] }[] } } }>(
        FULL_CATALOGUE,
      );
      expect(r.status).toBe(200);
      expect((r.body as { errors?: unknown }).errors).toBeUndefined();
      expect(r.body.data.products.totalCount).toBe(23);
      expect(r.body.data.products.nodes).toHaveLength(23);
      for (const p of r.body.data.products.nodes) expect(p.releases.length).toBeGreaterThan(0);

      // Counting stops once past the budget: the refusal says "at least" how much.
      expect(cost(PAGES_IN_PAGES)).toBeGreaterThan(100_000_000);
      const attack = costUpTo(PAGES_IN_PAGES, 100_000);
      expect(attack).toEqual({ cost: 251_001, complete: false });
      const refused = await standard.gql(PAGES_IN_PAGES);
      expectRefused(refused, 'QUERY_TOO_COSTLY', 100_000, attack.cost);
      expect(refused.body.errors![0]!.message).toContain('this request has at least 251001');
    });

    it('QUERY_TOO_COSTLY: nesting through a back-reference is charged at the largest product, not the mean', async () => {
      // 1 product + 500 cycles + 500 products (one per cycle) + 500 × 500 cycles, and so on.
      expect(cost(BACK_AND_FORTH)).toBe(1 + 500 + 500 + 500 ** 2 + 500 ** 2 + 500 ** 3);
      expectRefused(
        await standard.gql(BACK_AND_FORTH),
        'QUERY_TOO_COSTLY',
        100_000,
        costUpTo(BACK_AND_FORTH, 100_000).cost,
      );
      // One level back is fine when the list above it is short.
      expectServed(await standard.gql('{ releaseCycles(first: 100) { nodes { product { releases { name } } } } }'));
      expect(cost(OVER_BUDGET)).toBe(1 + 300 + 300 + 300 * 500);
      expectRefused(await standard.gql(OVER_BUDGET), 'QUERY_TOO_COSTLY', 100_000, cost(OVER_BUDGET));
    });

    it('QUERY_TOO_COSTLY is per request: the operations of a batch add up, the one that goes over is refused', async () => {
      const full = cost(FULL_CATALOGUE);
      expect(3 * full).toBeGreaterThan(100_000);
      expect(2 * full).toBeLessThanOrEqual(100_000);
      const ops = [
        { query: FULL_CATALOGUE },
        { query: FULL_CATALOGUE },
        { query: FULL_CATALOGUE },
        { query: '{ today }' }, // costs nothing: still within the budget after the refusal
      ];
      const r = await standard.gql<GraphqlBody[]>(ops);
      expect(r.status).toBe(200);
      expect(r.body).toHaveLength(4);
      // Apollo runs them concurrently: whichever comes third is refused (in practice the third).
      const refused = r.body.filter((b) => b.errors);
      expect(refused).toHaveLength(1);
      expect(r.body.indexOf(refused[0]!)).toBeLessThan(3);
      expectRefusal(refused[0]!, 'QUERY_TOO_COSTLY', 100_000, 3 * full);
      expect(refused[0]!.errors![0]!.message).toContain(`${2 * full} of it by the batch's operations before this one`);
      for (const served of r.body.filter((b) => !b.errors)) expect(served.data).toBeTruthy();
      expect(r.body[3]).toEqual({ data: { today: expect.any(String) } });
      // Each of them alone is served.
      expectServed(await standard.gql(FULL_CATALOGUE));
    });

    it('invalid variables are refused before anything executes, by either executor, with every reason', async () => {
      const q =
        'query($first: Int, $names: [String!]) { products(first: $first, filter: { names: $names }) { totalCount } }';
      for (const executor of ['jit', 'graphql-js'] as const) {
        const server = await startTestServer(t.db, { options: { executor } });
        try {
          const r = await server.gqlCounted(q, { first: 1.5, names: [null] });
          expect(r.status).toBe(400);
          expect(r.data).toBeUndefined();
          expect(r.statements).toBe(0);
          expect(r.errors!.map((e) => [e.message, e.extensions?.code])).toEqual([
            ['Variable "$first" got invalid value 1.5; Int cannot represent non-integer value: 1.5', 'BAD_USER_INPUT'],
            [
              'Variable "$names" got invalid value null at "names[0]"; Expected non-nullable type "String!" not to be null.',
              'BAD_USER_INPUT',
            ],
          ]);
          const ok = await server.gqlCounted<{ products: { totalCount: number } }>(q, { first: 2, names: ['go'] });
          expect(ok.data.products.totalCount).toBe(1);
        } finally {
          await server.close();
        }
      }
    });

    it('an operation whose cost cannot be estimated is not executed unchecked', async () => {
      // null for $v (nullable, with a default) into product(name: String!): that one field fails at
      // execution, the others run; the earlier estimate threw on it and let the whole operation through.
      const q = `query($v: String = "nodejs") { product(name: $v) { name } ${OVER_BUDGET.slice(1, -1)} }`;
      const estimate = cost(q);
      expect(estimate).toBeGreaterThan(100_000);
      expectRefused(await standard.gql(q, { v: null }), 'QUERY_TOO_COSTLY', 100_000, estimate);
    });

    it('TOO_MANY_ALIASES: 15 are served, 16 refused', async () => {
      expectServed(await standard.gql(aliased(15)));
      expectRefused(await standard.gql(aliased(16)), 'TOO_MANY_ALIASES', 15, 16);
    });

    it('TOO_MANY_ALIASES counts aliases of __typename: they multiply every object of the answer', async () => {
      // graphql-armor's default leaves them out; 1,200 under every cycle (19 KB) took the process down.
      const typenames = (n: number) =>
        `{ products(first: 500) { nodes { releases { ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} } } } }`;
      expectServed(await standard.gql(typenames(15)));
      expectRefused(await standard.gql(typenames(16)), 'TOO_MANY_ALIASES', 15, 16);
      expectRefused(await standard.gql(typenames(1_000)), 'TOO_MANY_ALIASES', 15, 1_000);
      expectRefused(
        await standard.gql(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ')} }`),
        'TOO_MANY_ALIASES',
        15,
        16,
      );
    });

    it('TOO_MANY_ROOT_FIELDS: 10 are served, 11 refused', async () => {
      expectServed(await standard.gql(rootFields(10)));
      expectRefused(await standard.gql(rootFields(11)), 'TOO_MANY_ROOT_FIELDS', 10, 11);
    });

    it('TOO_MANY_ROOT_FIELDS counts through inline and named fragments', async () => {
      const inline = (n: number) => `{ ... on Query { ${todays(n)} } }`;
      const named = (n: number) => `{ ...F } fragment F on Query { ${todays(n)} }`;
      // Split between the operation, an inline fragment and a nested named fragment.
      const mixed = `{ t0: today t1: today ... on Query { t2: today t3: today ...F } }
        fragment F on Query { t4: today ... on Query { t5: today t6: today } ...G } fragment G on Query { t7: today t8: today t9: today t10: today }`;
      expectServed(await standard.gql(inline(10)));
      expectServed(await standard.gql(named(10)));
      expectRefused(await standard.gql(inline(11)), 'TOO_MANY_ROOT_FIELDS', 10, 11);
      expectRefused(await standard.gql(named(11)), 'TOO_MANY_ROOT_FIELDS', 10, 11);
      expectRefused(await standard.gql(mixed), 'TOO_MANY_ROOT_FIELDS', 10, 11);
      // A field named twice (directly and through a fragment) executes once: it counts once.
      expectServed(await standard.gql(`{ ${todays(6)} ...F } fragment F on Query { ${todays(6)} }`));
    });

    it('TOO_MANY_ALIASES counts through inline and named fragments', async () => {
      const inline = (n: number) => `{ product(name: "nodejs") { ... on Product { ${aliasedNames(n)} } } }`;
      const named = (n: number) => `{ product(name: "nodejs") { ...F } } fragment F on Product { ${aliasedNames(n)} }`;
      expectServed(await standard.gql(inline(15)));
      expectServed(await standard.gql(named(15)));
      expectRefused(await standard.gql(inline(16)), 'TOO_MANY_ALIASES', 15, 16);
      expectRefused(await standard.gql(named(16)), 'TOO_MANY_ALIASES', 15, 16);
      // A fragment with 8 aliases spread twice, at two places: 16.
      expectRefused(
        await standard.gql(
          `{ a: product(name: "nodejs") { ...F } b: product(name: "go") { ...F } } fragment F on Product { ${aliasedNames(7)} }`,
        ),
        'TOO_MANY_ALIASES',
        15,
        16,
      );
    });

    it('QUERY_TOO_LARGE: a query text of 20,000 bytes is served, 20,001 refused', async () => {
      expectServed(await standard.gql(queryOfSize(20_000)));
      expectRefused(await standard.gql(queryOfSize(20_001)), 'QUERY_TOO_LARGE', 20_000, 20_001);
    });

    it('TOO_MANY_TOKENS: 5,000 tokens are served, 5,001 refused (both under the size limit)', async () => {
      expect(Buffer.byteLength(queryOfTokens(5_001))).toBeLessThan(20_000);
      const ok = await standard.gql<{ data: { products: { totalCount: number } } }>(queryOfTokens(5_000));
      expect(ok.status).toBe(200);
      expect(ok.body.data.products.totalCount).toBe(0);
      expectRefused(await standard.gql(queryOfTokens(5_001)), 'TOO_MANY_TOKENS', 5_000, 5_001);
    });

    it('PAYLOAD_TOO_LARGE: a body of 100,000 bytes is served, 100,001 refused with HTTP 413', async () => {
      expectServed(await postJson(standard.graphqlUrl, bodyOfSize(100_000)));
      expectRefused(
        await postJson(standard.graphqlUrl, bodyOfSize(100_001)),
        'PAYLOAD_TOO_LARGE',
        100_000,
        100_001,
        413,
      );
    });

    it('VARIABLES_TOO_DEEP: 9,000 levels of variables (a 54 KB body) are refused with 400, not a 500 or an error log', async () => {
      // The reviewer's request: it reached the cost estimate, whose cache key (JSON.stringify)
      // overflowed the call stack (HTTP 500 INTERNAL_SERVER_ERROR, logged at error level).
      const body = deepBody(FILTERED, 9_000);
      expect(Buffer.byteLength(body)).toBeLessThan(100_000);
      const r = await postJson(standard.graphqlUrl, body);
      expectRefused(r, 'VARIABLES_TOO_DEEP', 20, 9_000);
      expect(r.body.errors![0]!.message).toMatch(/^The variables are nested too deeply/);
      expect(r.headers.get('cache-control')).toBe('no-store');
      // Lists nest as deep (49,000 levels in a body under the limit); a batch, a GET's query string
      // and the extensions are held to the same limit.
      const list = await postJson(standard.graphqlUrl, deepBody(FILTERED, 49_000, 'list'));
      expectRefused(list, 'VARIABLES_TOO_DEEP', 20, 49_000);
      const batch = await postJson(standard.graphqlUrl, `[{"query":"{ today }"},${deepBody(FILTERED, 5_000)}]`);
      expectRefused(batch, 'VARIABLES_TOO_DEEP', 20, 5_000);
      const res = await fetch(
        `${standard.graphqlUrl}?query=${encodeURIComponent(FILTERED)}&variables=${deepJson(7_000, 'list')}`,
        { headers: { 'apollo-require-preflight': 'true' } },
      );
      const get: HttpResult = {
        status: res.status,
        headers: res.headers,
        body: (await res.json()) as GraphqlBody,
        ms: 0,
      };
      expectRefused(get, 'VARIABLES_TOO_DEEP', 20, 7_000);
      const extensions = await postJson(standard.graphqlUrl, deepBody('{ today }', 9_000, 'object', 'extensions'));
      expectRefused(extensions, 'VARIABLES_TOO_DEEP', 20, 9_000);
      expect(extensions.body.errors![0]!.message).toMatch(/^The extensions are nested too deeply/);

      // Each refusal is logged as a client's request (info, with its code), none at error level.
      const ids = [r, list, batch, get, extensions].map((x) => x.body.errors![0]!.extensions!.requestId as string);
      const lines = await standard.waitForLogCount((l) => ids.includes(l.requestId as string), ids.length);
      expect(lines).toHaveLength(ids.length);
      for (const line of lines) expect(line).toMatchObject({ level: 30, status: 400, code: 'VARIABLES_TOO_DEEP' });
    });

    it('VARIABLES_TOO_DEEP: depth 20 passes the limit, 21 is refused; a filter with eolBetween (depth 3) is served', async () => {
      const served = await standard.gql<{ data: { releaseCycles: { totalCount: number } } }>(
        EOL_BETWEEN.query,
        EOL_BETWEEN.variables,
      );
      expect(served.status).toBe(200);
      expect(served.body.data.releaseCycles.totalCount).toBeGreaterThan(0);
      // Depth 20 is not refused for its depth: coercion refuses it (no such field of the filter).
      const twenty = await postJson(standard.graphqlUrl, deepBody(FILTERED, 20));
      expect(twenty.status).toBe(400);
      expect(twenty.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(twenty.body.errors![0]!.message).toContain('Field "a" is not defined by type "ReleaseCycleFilter"');
      expectRefused(await postJson(standard.graphqlUrl, deepBody(FILTERED, 21)), 'VARIABLES_TOO_DEEP', 20, 21);
      // Extensions the service ignores: served at depth 20, refused at 21.
      expectServed(await postJson(standard.graphqlUrl, deepBody('{ today }', 20, 'object', 'extensions')));
      expectRefused(
        await postJson(standard.graphqlUrl, deepBody('{ today }', 21, 'object', 'extensions')),
        'VARIABLES_TOO_DEEP',
        20,
        21,
      );
    });

    it('TOO_MANY_OPERATIONS: a batch of 5 is served, 6 refused', async () => {
      const op = (i: number) => ({ query: `query Op${i} { product(name: "nodejs") { name } }` });
      const batch = await standard.gql<{ data: { product: { name: string } } }[]>(
        Array.from({ length: 5 }, (_, i) => op(i)),
      );
      expect(batch.status).toBe(200);
      expect(batch.body).toEqual(Array.from({ length: 5 }, () => ({ data: { product: { name: 'nodejs' } } })));
      expectRefused(await standard.gql(Array.from({ length: 6 }, (_, i) => op(i))), 'TOO_MANY_OPERATIONS', 5, 6);
    });

    it('BAD_USER_INPUT: first may be at most 500', async () => {
      expectServed(
        await standard.gql('{ products(first: 500) { totalCount } releaseCycles(first: 500) { totalCount } }'),
      );
      for (const field of ['products', 'releaseCycles']) {
        const r = await standard.gql(`{ ${field}(first: 501) { totalCount } }`);
        expect(r.status).toBe(200);
        expect(r.body.data).toBeNull();
        expect(r.body.errors).toHaveLength(1);
        expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 500, value: 501 });
        expect(r.body.errors![0]!.message).toMatch(/\b500\b.*\b501\b/);
      }
    });

    it('introspection is on', async () => {
      const r = await standard.gql('{ __schema { queryType { name } } }');
      expect(r.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });

    it('CORS: any origin, and the preflight is answered with 204', async () => {
      const r = await fetch(`${standard.graphqlUrl}?query=%7Btoday%7D`, {
        headers: { origin: 'https://anywhere.example', 'apollo-require-preflight': 'true' },
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      const preflight = await fetch(standard.graphqlUrl, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://anywhere.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
    });
  });

  describe('each limit follows its environment variable (what the defaults serve, the small limits refuse)', () => {
    /** Served by the standard service, refused by the small one. */
    async function servedThenRefused(
      send: (s: ServiceProcess) => Promise<HttpResult>,
      code: string,
      limit: number,
      value: number,
      status = 400,
    ) {
      expectServed(await send(standard));
      expectRefused(await send(small), code, limit, value, status);
    }

    it('MAX_QUERY_DEPTH=3', async () => {
      expectServed(await small.gql(nested(1)));
      await servedThenRefused((s) => s.gql(nested(2)), 'QUERY_TOO_DEEP', 3, 4);
    });

    it('MAX_QUERY_COST=150', async () => {
      // Categories and tags are estimated at 100 each (the corpus has 9 and 87): one list costs 100,
      // two cost 200 (depth and fields stay within the other small limits).
      const one = '{ categories { name } }';
      const two = '{ categories { name } tags { name } }';
      expect(cost(one)).toBe(100);
      expect(cost(two)).toBe(200);
      expectServed(await small.gql(one));
      await servedThenRefused((s) => s.gql(two), 'QUERY_TOO_COSTLY', 150, 200);
    });

    it('MAX_QUERY_COST=150 is per request: in a batch the second list goes over', async () => {
      const batch = [{ query: '{ categories { name } }' }, { query: '{ tags { name } }' }];
      const ok = await standard.gql<GraphqlBody[]>(batch);
      for (const one of ok.body) expect(one.errors).toBeUndefined();
      const r = await small.gql<GraphqlBody[]>(batch);
      expect(r.status).toBe(200);
      expect(r.body).toHaveLength(2);
      // Which of the two comes second is up to Apollo (they run concurrently): one is served.
      const refused = r.body.filter((b) => b.errors);
      expect(refused).toHaveLength(1);
      expectRefusal(refused[0]!, 'QUERY_TOO_COSTLY', 150, 200);
      expect(r.body.filter((b) => !b.errors && b.data)).toHaveLength(1);
    });

    it('MAX_ALIASES=2', async () => {
      expectServed(await small.gql(aliased(2)));
      await servedThenRefused((s) => s.gql(aliased(3)), 'TOO_MANY_ALIASES', 2, 3);
    });

    it('MAX_ROOT_FIELDS=2', async () => {
      expectServed(await small.gql('{ today categories { name } }'));
      await servedThenRefused(
        (s) => s.gql('{ today categories { name } tags { name } }'),
        'TOO_MANY_ROOT_FIELDS',
        2,
        3,
      );
    });

    it('MAX_QUERY_BYTES=300', async () => {
      expectServed(await small.gql(queryOfSize(300)));
      await servedThenRefused((s) => s.gql(queryOfSize(301)), 'QUERY_TOO_LARGE', 300, 301);
    });

    it('MAX_QUERY_TOKENS=60', async () => {
      expectServed(await small.gql(queryOfTokens(60)));
      await servedThenRefused((s) => s.gql(queryOfTokens(61)), 'TOO_MANY_TOKENS', 60, 61);
    });

    it('MAX_BODY_BYTES=1000', async () => {
      expectServed(await postJson(small.graphqlUrl, bodyOfSize(1000)));
      await servedThenRefused((s) => postJson(s.graphqlUrl, bodyOfSize(1001)), 'PAYLOAD_TOO_LARGE', 1000, 1001, 413);
    });

    it('MAX_BATCH_OPERATIONS=2', async () => {
      const ops = (n: number) => Array.from({ length: n }, () => ({ query: '{ today }' }));
      const two = await small.gql<unknown[]>(ops(2));
      expect(two.status).toBe(200);
      expect(two.body).toHaveLength(2);
      await servedThenRefused(
        async (s) => {
          const r = await s.gql(ops(3));
          // A served batch is an array of results; unwrap it for expectServed.
          return Array.isArray(r.body) ? { ...r, body: { data: r.body[0].data } } : r;
        },
        'TOO_MANY_OPERATIONS',
        2,
        3,
      );
    });

    it('MAX_PAGE_SIZE=7', async () => {
      const r = await small.gql<{ data: { products: { nodes: unknown[] } } }>(
        '{ products(first: 7) { nodes { name } } }',
      );
      expect(r.body.data.products.nodes).toHaveLength(7);
      expectServed(await standard.gql('{ products(first: 8) { nodes { name } } }'));
      const refused = await small.gql('{ products(first: 8) { nodes { name } } }');
      expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 7, value: 8 });
      expect(refused.body.errors![0]!.message).toMatch(/\b7\b.*\b8\b/);
    });

    it('MAX_VARIABLES_DEPTH=2', async () => {
      expectServed(await small.gql(EOL_BETWEEN.query, { f: { product: 'nodejs' } }));
      await servedThenRefused((s) => s.gql(EOL_BETWEEN.query, EOL_BETWEEN.variables), 'VARIABLES_TOO_DEEP', 2, 3);
    });

    it('MAX_RESPONSE_BYTES=2500: an answer over it is refused (400), a batch counts its operations together', async () => {
      // Amazon Linux's description (its Markdown body) is ~1,700 bytes: once fits, twice does not.
      const once = '{ product(name: "amazon-linux") { description } }';
      const twice = '{ product(name: "amazon-linux") { description d: description } }';
      const served = await small.gql(once);
      expectServed(served);
      const bytes = Buffer.byteLength(JSON.stringify(served.body));
      expect(bytes).toBeGreaterThan(1_250);
      expect(bytes).toBeLessThanOrEqual(2_500);
      expectServed(await standard.gql(twice));

      const refused = await small.gql(twice);
      expect(refused.status).toBe(400);
      expect(refused.body.data ?? undefined).toBeUndefined();
      expect(refused.body.errors).toHaveLength(1);
      const error = refused.body.errors![0]!;
      expect(error.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 2_500 });
      expect(error.extensions!.value as number).toBeGreaterThan(2_500);
      expect(typeof error.extensions!.requestId).toBe('string');
      expect(error.message).toMatch(/the limit is 2500 bytes, this request has at least \d+/);
      // Not cached: the same request is refused again, and a smaller one is served.
      expect((await small.gql(twice)).status).toBe(400);
      expectServed(await small.gql(once));

      // A batch of two that fit alone: the one written second goes over the request's limit.
      const batch = await small.gql<GraphqlBody[]>([{ query: once }, { query: once }]);
      expect(batch.status).toBe(200);
      const over = batch.body.filter((b) => b.errors);
      expect(over).toHaveLength(1);
      expect(over[0]!.errors![0]!.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 2_500 });
      expect(over[0]!.errors![0]!.message).toMatch(/in its earlier operations/);
      expect(batch.body.filter((b) => !b.errors && b.data)).toHaveLength(1);
    });

    it('INTROSPECTION=false refuses introspection and still answers __typename', async () => {
      const r = await small.gql('{ __schema { queryType { name } } }');
      expect(r.status).toBe(400);
      expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(r.body.errors![0]!.message).toMatch(/introspection/i);
      expect((await small.gql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
    });

    it('CORS_ORIGINS=https://a.example: only that origin is allowed, on requests and preflights', async () => {
      const get = (origin: string) =>
        fetch(`${small.graphqlUrl}?query=%7Btoday%7D`, { headers: { origin, 'apollo-require-preflight': 'true' } });
      const preflight = (origin: string) =>
        fetch(small.graphqlUrl, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });

      const allowed = await get('https://a.example');
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://a.example');
      expect(allowed.headers.get('vary')).toMatch(/origin/i);
      const other = await get('https://b.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();

      // A repeated POST is answered from the cache before routing: the same CORS headers (and the
      // client's request id) all the same.
      const post = (origin: string, id: string) =>
        fetch(small.graphqlUrl, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json', 'x-request-id': id },
          body: JSON.stringify({ query: '{ today cors: __typename }' }),
        });
      await post('https://a.example', 'cors-1');
      const hit = await post('https://a.example', 'cors-2');
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(hit.headers.get('x-request-id')).toBe('cors-2');
      expect(hit.headers.get('access-control-allow-origin')).toBe('https://a.example');
      expect(hit.headers.get('vary')).toMatch(/origin/i);
      const otherHit = await post('https://b.example', 'cors-3');
      expect(otherHit.headers.get('x-cache')).toBe('HIT');
      expect(otherHit.headers.get('access-control-allow-origin')).toBeNull();

      const p1 = await preflight('https://a.example');
      expect(p1.status).toBe(204);
      expect(p1.headers.get('access-control-allow-origin')).toBe('https://a.example');
      const p2 = await preflight('https://b.example');
      expect(p2.status).toBe(204);
      expect(p2.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});

describe('invalid configuration', () => {
  it('exits with code 2 before listening, naming every bad variable', async () => {
    const service = await invalid;
    const exit = await service.exited;
    expect(exit.code).toBe(2);
    expect(service.stdoutLines).toEqual([]);
    const listed = [...service.stderr.matchAll(/^ {2}- ([A-Z_]+) /gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(BAD_CONFIGURATION).sort());
    expect(service.stderr).toMatch(/^Invalid configuration:/);
    expect(service.stderr).toContain('PORT must be between 0 and 65535, got 70000');
    expect(service.stderr).toContain('MAX_QUERY_DEPTH must be an integer, got "deep"');
    expect(service.stderr).toContain('INTROSPECTION must be true or false, got "maybe"');
  });
});
