// The limits that keep one request from taking the service down, on the real service process:
// each refusal names its limit in extensions.code and gives the limit and the value seen (message
// and extensions), a request just within each limit is served, and every limit follows its
// environment variable (a second process with smaller limits refuses what the first serves).
// Also: invalid configuration makes the process exit 2 naming every bad variable; introspection
// and CORS follow INTROSPECTION and CORS_ORIGINS.
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf } from '../../src/graphql/limits.ts';
import { typeDefs } from '../../src/graphql/schema.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { runImport } from '../helpers/documents.ts';
import { seedsDir } from '../helpers/env.ts';
import {
  killAllServices,
  postJson,
  spawnService,
  startReadyService,
  type HttpResult,
  type ServiceProcess,
} from '../helpers/service-process.ts';

const schema = makeExecutableSchema({ typeDefs });
const cost = (query: string) => costOf(schema, parse(query), {});

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

function expectServed(r: HttpResult): void {
  expect(r.status).toBe(200);
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data).toBeTruthy();
}

/** A refusal naming the limit: the code, the limit and the value in the message and in extensions. */
function expectRefused(r: HttpResult, code: string, limit: number, value: number, status = 400): void {
  expect(r.status).toBe(status);
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
        MAX_QUERY_COST: '200',
        MAX_ALIASES: '2',
        MAX_ROOT_FIELDS: '2',
        MAX_QUERY_BYTES: '300',
        MAX_QUERY_TOKENS: '60',
        MAX_BODY_BYTES: '1000',
        MAX_BATCH_OPERATIONS: '2',
        MAX_PAGE_SIZE: '7',
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

      const attack = cost(PAGES_IN_PAGES);
      expect(attack).toBeGreaterThan(100_000);
      expectRefused(await standard.gql(PAGES_IN_PAGES), 'QUERY_TOO_COSTLY', 100_000, attack);
    });

    it('TOO_MANY_ALIASES: 15 are served, 16 refused', async () => {
      expectServed(await standard.gql(aliased(15)));
      expectRefused(await standard.gql(aliased(16)), 'TOO_MANY_ALIASES', 15, 16);
    });

    it('TOO_MANY_ROOT_FIELDS: 10 are served, 11 refused', async () => {
      expectServed(await standard.gql(rootFields(10)));
      expectRefused(await standard.gql(rootFields(11)), 'TOO_MANY_ROOT_FIELDS', 10, 11);
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

    it('MAX_QUERY_COST=200', async () => {
      // Root lists are estimated at 100 items: one costs 101, two cost 202 (depth and fields stay
      // within the other small limits).
      const one = '{ categories { name } }';
      const two = '{ categories { name } tags { name } }';
      expect(cost(one)).toBeLessThanOrEqual(200);
      expectServed(await small.gql(one));
      await servedThenRefused((s) => s.gql(two), 'QUERY_TOO_COSTLY', 200, cost(two));
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
