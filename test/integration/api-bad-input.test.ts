// Client mistakes (bad variable values, an operation that cannot run, filters that contradict
// themselves) and the edges of the filters and pages. Every request goes to four servers over the
// seeds: graphql-jit (the default) and graphql-js, each with the in-memory catalogue and without it
// (SQL). All four must answer byte for byte the same (request ids and stack traces aside), and a
// client's mistake is BAD_USER_INPUT (or Apollo's code for it), worded as graphql-js words it, never
// an INTERNAL_SERVER_ERROR logged at error level.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { postgresChangeFeed, type ChangeFeed } from '../../src/db/changes.ts';
import { createServer, defaultServerOptions, type ServerOptions } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { waitFor } from '../helpers/cache.ts';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedsDir } from '../helpers/env.ts';

const NOW = new Date('2026-08-22T08:52:34Z');

interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string; message?: string };
}

interface Served {
  name: string;
  url: string;
  logs: LogLine[];
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: unknown[]; locations?: unknown[]; extensions: Record<string, unknown> }[];
  };
}

/** The real HTTP service with a log that is kept (level debug) instead of thrown away. */
async function serve(
  name: string,
  t: TestDatabase,
  options: Partial<ServerOptions>,
  snapshot: CatalogSnapshot | null,
): Promise<Served> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const app = createServer({
    sql: t.db,
    logger: createLogger('debug', sink),
    clock: () => NOW,
    readiness: async () => ({ ready: true }),
    options: { ...defaultServerOptions, ...options },
    cache: null,
    snapshot,
  });
  await app.start();
  const port = await app.listen(0, '127.0.0.1');
  return { name, url: `http://127.0.0.1:${port}/graphql`, logs, stop: () => app.stop() };
}

interface Request {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** The answer without what differs between requests by design (request id, stack trace). */
async function ask(server: Served, req: Request): Promise<Answer> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(req),
  });
  const body = JSON.parse(await res.text()) as Answer['body'];
  for (const e of body.errors ?? []) {
    expect(e.extensions.requestId).toEqual(expect.any(String));
    delete e.extensions.requestId;
    delete e.extensions.stacktrace;
  }
  return { status: res.status, body };
}

describe('client mistakes and the edges of filters and pages, on both executors, from memory and SQL', () => {
  let t: TestDatabase;
  let feed: ChangeFeed;
  let snapshot: CatalogSnapshot;
  let servers: Served[];
  let jitServers: Served[];
  /** A cycle whose end of life is in the last year a Date can hold (an admin's edit). */
  const FAR_EOL = '9999-06-30';

  beforeAll(async () => {
    t = await createImportedDatabase(seedsDir);
    const [edited] = await t.db.query<{ id: number }>(
      `UPDATE release_cycle SET eol_flag = NULL, eol_from = $1
        WHERE id = (SELECT rc.id FROM release_cycle rc JOIN product p ON p.id = rc.product_id
                     WHERE p.name = 'python' ORDER BY rc.position LIMIT 1)
        RETURNING id`,
      [FAR_EOL],
    );
    expect(edited).toBeDefined();
    feed = postgresChangeFeed({ url: t.url });
    snapshot = new CatalogSnapshot(t.db, feed);
    jitServers = [await serve('jit, memory', t, {}, snapshot), await serve('jit, SQL', t, {}, null)];
    servers = [
      ...jitServers,
      await serve('graphql-js, memory', t, { executor: 'graphql-js' }, snapshot),
      await serve('graphql-js, SQL', t, { executor: 'graphql-js' }, null),
    ];
    await waitFor(() => feed.healthy, 'the change feed to listen');
    expect(await snapshot.ready()).not.toBeNull();
  });
  afterAll(async () => {
    for (const s of servers ?? []) await s.stop();
    snapshot?.close();
    await feed?.close();
    await t?.drop();
  });

  /** The four servers' answers, which must be the same; returns it. */
  async function same(req: Request): Promise<Answer> {
    expect(snapshot.current(), 'the catalogue is loaded').not.toBeNull();
    const answers = await Promise.all(servers.map((s) => ask(s, req)));
    for (let i = 1; i < answers.length; i++) {
      expect(answers[i], `${servers[i]!.name} vs ${servers[0]!.name}: ${JSON.stringify(req)}`).toEqual(answers[0]);
    }
    return answers[0]!;
  }

  /** One error, no data (a request error), HTTP 400, with this code and message. */
  function refused(a: Answer, code: string, message: string | RegExp) {
    expect(a.status).toBe(400);
    expect(a.body.data).toBeUndefined();
    expect(a.body.errors).toHaveLength(1);
    expect(a.body.errors![0]!.extensions.code).toBe(code);
    if (typeof message === 'string') expect(a.body.errors![0]!.message).toBe(message);
    else expect(a.body.errors![0]!.message).toMatch(message);
  }

  /** An argument refused by a resolver: HTTP 200, data null, BAD_USER_INPUT at the root field. */
  function badArgument(a: Answer, message: string | RegExp) {
    expect(a.status).toBe(200);
    expect(a.body.data).toBeNull();
    expect(a.body.errors).toHaveLength(1);
    expect(a.body.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    if (typeof message === 'string') expect(a.body.errors![0]!.message).toBe(message);
    else expect(a.body.errors![0]!.message).toMatch(message);
  }

  const ok = (a: Answer) => {
    expect(a.body.errors, JSON.stringify(a.body.errors)).toBeUndefined();
    expect(a.status).toBe(200);
    return a.body.data!;
  };

  describe('bad variable values: graphql-js coerces them, both executors say what it says', () => {
    const CYCLES = 'query($f: ReleaseCycleFilter) { releaseCycles(filter: $f) { totalCount } }';
    const FIRST = 'query($f: Int) { products(first: $f) { nodes { name } } }';

    it('a Date that is not a calendar date: the scalar says why', async () => {
      refused(
        await same({
          query: 'query($a: Date) { product(name: "nodejs", asOf: $a) { asOf } }',
          variables: { a: '2026-13-01' },
        }),
        'BAD_USER_INPUT',
        'Variable "$a" got invalid value "2026-13-01"; Date must be a calendar date "YYYY-MM-DD", got "2026-13-01"',
      );
      refused(
        await same({
          query: 'query($a: Date) { today product(name: "x", asOf: $a) { asOf } }',
          variables: { a: 20260101 },
        }),
        'BAD_USER_INPUT',
        'Variable "$a" got invalid value 20260101; Date must be a calendar date "YYYY-MM-DD", got 20260101',
      );
    });

    it('inside an input object: the variable named, and the path to the field', async () => {
      refused(
        await same({ query: CYCLES, variables: { f: { eolBetween: { from: '2026-02-31' } } } }),
        'BAD_USER_INPUT',
        'Variable "$f" got invalid value "2026-02-31" at "f.eolBetween.from"; Date must be a calendar date "YYYY-MM-DD", got "2026-02-31"',
      );
      refused(
        await same({ query: CYCLES, variables: { f: { supportPhase: ['ACTIVE', 'RETIRED'] } } }),
        'BAD_USER_INPUT',
        'Variable "$f" got invalid value "RETIRED" at "f.supportPhase[1]"; Value "RETIRED" does not exist in "SupportPhase" enum.',
      );
      refused(
        await same({ query: CYCLES, variables: { f: { prodcut: 'nodejs' } } }),
        'BAD_USER_INPUT',
        /^Variable "\$f" got invalid value \{ prodcut: "nodejs" \}; Field "prodcut" is not defined by type "ReleaseCycleFilter"\./,
      );
    });

    it.each([
      ['"x"', 'x', 'Variable "$f" got invalid value "x"; Int cannot represent non-integer value: "x"'],
      [
        '2147483648',
        2_147_483_648,
        'Variable "$f" got invalid value 2147483648; Int cannot represent non 32-bit signed integer value: 2147483648',
      ],
      [
        '-2147483649',
        -2_147_483_649,
        'Variable "$f" got invalid value -2147483649; Int cannot represent non 32-bit signed integer value: -2147483649',
      ],
      ['5.5', 5.5, 'Variable "$f" got invalid value 5.5; Int cannot represent non-integer value: 5.5'],
      ['true', true, 'Variable "$f" got invalid value true; Int cannot represent non-integer value: true'],
    ])('an Int given %s', async (_label, value, message) => {
      refused(await same({ query: FIRST, variables: { f: value } }), 'BAD_USER_INPUT', message);
    });

    it('a list item of the wrong type; a missing or null required variable', async () => {
      refused(
        await same({
          query: 'query($n: [String!]) { products(filter: { names: $n }) { totalCount } }',
          variables: { n: [1] },
        }),
        'BAD_USER_INPUT',
        'Variable "$n" got invalid value 1 at "n[0]"; String cannot represent a non string value: 1',
      );
      refused(
        await same({
          query: 'query($n: [String!]) { products(filter: { names: $n }) { totalCount } }',
          variables: { n: ['a', null] },
        }),
        'BAD_USER_INPUT',
        'Variable "$n" got invalid value null at "n[1]"; Expected non-nullable type "String!" not to be null.',
      );
      refused(
        await same({ query: 'query($n: String!) { product(name: $n) { name } }', variables: {} }),
        'BAD_USER_INPUT',
        'Variable "$n" of required type "String!" was not provided.',
      );
      refused(
        await same({ query: 'query($n: String!) { product(name: $n) { name } }', variables: { n: null } }),
        'BAD_USER_INPUT',
        'Variable "$n" of non-null type "String!" must not be null.',
      );
    });

    it('several bad variables: each one reported', async () => {
      const a = await same({
        query:
          'query($a: Date, $f: Int, $n: String!) { products(first: $f, asOf: $a) { totalCount } product(name: $n) { name } }',
        variables: { a: '2026-02-29', f: 'ten' },
      });
      expect(a.status).toBe(400);
      expect(a.body.errors!.map((e) => [e.message.slice(0, 30), e.extensions.code])).toEqual([
        ['Variable "$a" got invalid valu', 'BAD_USER_INPUT'],
        ['Variable "$f" got invalid valu', 'BAD_USER_INPUT'],
        ['Variable "$n" of required type', 'BAD_USER_INPUT'],
      ]);
    });

    it('every combination of variable type and value: the same answer everywhere', async () => {
      const types: [string, string][] = [
        ['Int', 'products(first: $v) { totalCount }'],
        ['Int!', 'products(first: $v) { totalCount }'],
        ['String', 'products(filter: { search: $v }, first: 1) { totalCount }'],
        ['String!', 'product(name: $v) { name }'],
        ['[String!]', 'products(filter: { names: $v }) { totalCount }'],
        ['[String!]!', 'releaseCycles(filter: { products: $v }) { totalCount }'],
        ['Boolean', 'products(filter: { hasMaintainedRelease: $v }) { totalCount }'],
        ['Date', 'releaseCycles(asOf: $v, first: 1) { totalCount nodes { asOf } }'],
        ['[SupportPhase!]', 'releaseCycles(filter: { supportPhase: $v }) { totalCount }'],
        ['DateRange', 'releaseCycles(filter: { releasedBetween: $v }) { totalCount }'],
        ['ReleaseCycleFilter', 'releaseCycles(filter: $v, first: 1) { totalCount }'],
        ['ReleaseCycleOrder', 'releaseCycles(orderBy: $v, first: 1) { nodes { name } }'],
        ['ProductFilter', 'products(filter: $v) { totalCount }'],
      ];
      const values: unknown[] = [
        null,
        0,
        -1,
        7,
        2.5,
        1e10,
        '',
        'x',
        '7',
        'nodejs',
        ' 2026-01-01',
        '2026-01-01',
        '2024-02-29',
        '2023-02-29',
        '0000-01-01',
        true,
        'true',
        'ACTIVE',
        [],
        ['nodejs'],
        [null],
        ['ACTIVE', 'ENDED'],
        [['ACTIVE']],
        {},
        { from: '2020-01-01' },
        { from: '2020-01-01', to: '2019-01-01' },
        { to: 'soon' },
        { product: 'python', eolWithinDays: 3650 },
        { eolBetween: { from: '2026-02-31' } },
        { field: 'EOL_FROM' },
        { field: 'EOL_FROM', direction: 'SIDEWAYS' },
        { names: ['python'], search: '  py ' },
        { unknown: 1 },
      ];
      const outcomes = new Map<string, number>();
      for (const [type, selection] of types)
        for (const v of values) {
          const a = await same({ query: `query($v: ${type}) { ${selection} }`, variables: { v } });
          const code = String(a.body.errors?.[0]?.extensions.code ?? 'ok');
          outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
          expect(code, JSON.stringify({ type, v, a })).not.toBe('INTERNAL_SERVER_ERROR');
        }
      // Both kinds are exercised: values accepted and values refused.
      expect(outcomes.get('ok')).toBeGreaterThan(50);
      expect(outcomes.get('BAD_USER_INPUT')).toBeGreaterThan(200);
    }, 120_000);
  });

  describe('operations that cannot be run', () => {
    it('an unknown operationName: OPERATION_RESOLUTION_FAILURE, as Apollo answers with graphql-js', async () => {
      refused(
        await same({ query: 'query A { today }', operationName: 'B' }),
        'OPERATION_RESOLUTION_FAILURE',
        'Unknown operation named "B".',
      );
      refused(
        await same({ query: 'query A { today } query B { today }', operationName: 'C' }),
        'OPERATION_RESOLUTION_FAILURE',
        'Unknown operation named "C".',
      );
      refused(
        await same({ query: 'query A { today } query B { today }' }),
        'OPERATION_RESOLUTION_FAILURE',
        'Must provide operation name if query contains multiple operations.',
      );
      expect(ok(await same({ query: 'query A { a: today } query B { b: today }', operationName: 'B' }))).toEqual({
        b: '2026-08-22',
      });
    });

    it.each(['subscription', 'mutation'])('a %s (the API has only queries): BAD_USER_INPUT', async (type) => {
      const req = { query: `${type} { today }` };
      const message = `Schema is not configured to execute ${type} operation.`;
      // Refused by validation, before either executor runs: every server answers alike.
      const [first, ...others] = await Promise.all(servers.map((s) => ask(s, req)));
      for (const other of others) expect(other).toEqual(first);
      expect(first).toEqual({
        status: 400,
        body: {
          errors: [{ message, locations: [{ line: 1, column: 1 }], extensions: { code: 'BAD_USER_INPUT' } }],
        },
      });
    });
  });

  describe('filters', () => {
    const totals = async (filter: string, asOf = '2026-08-22') =>
      ok(
        await same({
          query: `{ releaseCycles(filter: ${filter}, asOf: "${asOf}", first: 500) { totalCount nodes { name product { name } } } }`,
        }),
      ).releaseCycles as { totalCount: number; nodes: { name: string; product: { name: string } }[] };
    const keys = (r: { nodes: { name: string; product: { name: string } }[] }) =>
      r.nodes.map((n) => `${n.product.name}/${n.name}`);

    it('eolWithinDays reaching beyond 9999-12-31 stops there instead of refusing eolBetween the client never gave', async () => {
      const far = await totals('{ eolWithinDays: 36500 }', '9999-01-01');
      expect(keys(far)).toEqual([expect.stringMatching(/^python\//)]);
      expect(far).toEqual(await totals('{ eolBetween: { from: "9999-01-01" } }', '9999-01-01'));
      expect((await totals('{ eolWithinDays: 36500 }', '9999-12-31')).totalCount).toBe(0);
      expect((await totals('{ eolWithinDays: 0 }', FAR_EOL)).totalCount).toBe(1);
      // combined with eolBetween, both hold
      expect(
        (await totals('{ eolWithinDays: 36500, eolBetween: { to: "9999-06-29" } }', '9999-01-01')).totalCount,
      ).toBe(0);
    });

    it('an empty list of products matches nothing, as an empty list of names does', async () => {
      expect(await totals('{ products: [] }')).toEqual({ totalCount: 0, nodes: [] });
      expect(await totals('{ products: [], isMaintained: true }')).toEqual({ totalCount: 0, nodes: [] });
      expect(
        ok(await same({ query: '{ products(filter: { names: [] }) { totalCount nodes { name } } }' })).products,
      ).toEqual({ totalCount: 0, nodes: [] });
      // and with variables, the way a script with an empty inventory would send it
      const a = await same({
        query: 'query($p: [String!]) { releaseCycles(filter: { products: $p }) { totalCount } }',
        variables: { p: [] },
      });
      expect(ok(a)).toEqual({ releaseCycles: { totalCount: 0 } });
    });

    it('product and products together: cycles of a product both name (AND), not of either', async () => {
      const nodejs = await totals('{ product: "nodejs" }');
      const python = await totals('{ product: "python" }');
      expect(nodejs.totalCount).toBeGreaterThan(5);
      expect(python.totalCount).toBeGreaterThan(5);
      expect(await totals('{ product: "nodejs", products: ["python"] }')).toEqual({ totalCount: 0, nodes: [] });
      // an alias and the id name the same product
      expect(await totals('{ product: "node", products: ["nodejs", "python"] }')).toEqual(nodejs);
      expect(await totals('{ product: "python", products: ["ruby", "python", "no-such-product"] }')).toEqual(python);
      expect(await totals('{ product: "no-such-product", products: ["python"] }')).toEqual({
        totalCount: 0,
        nodes: [],
      });
      // products alone: either of them
      const both = await totals('{ products: ["python", "node"] }');
      expect(both.totalCount).toBe(nodejs.totalCount + python.totalCount);
    });

    it('search ignores spaces around the term; a blank one does not filter', async () => {
      const names = async (search: string) =>
        ok(
          await same({
            query: `{ products(filter: { search: ${JSON.stringify(search)} }) { totalCount nodes { name } } }`,
          }),
        ).products as { totalCount: number; nodes: { name: string }[] };
      const node = await names('node');
      expect(node.nodes.map((n) => n.name)).toContain('nodejs');
      expect(await names('  node ')).toEqual(node);
      expect(await names('\tNode\n')).toEqual(node);
      const all = ok(await same({ query: '{ products { totalCount } }' })).products;
      expect((await names('   ')).totalCount).toBe((all as { totalCount: number }).totalCount);
      // spaces inside the term still count
      expect((await names('node js')).totalCount).toBe(0);
    });

    it('a range whose from is after its to is refused, naming the fields', async () => {
      badArgument(
        await same({
          query: '{ releaseCycles(filter: { eolBetween: { from: "2026-01-01", to: "2025-12-31" } }) { totalCount } }',
        }),
        'eolBetween.from (2026-01-01) is after eolBetween.to (2025-12-31): the range holds no date',
      );
      badArgument(
        await same({
          query: 'query($r: DateRange) { releaseCycles(filter: { releasedBetween: $r }) { totalCount } }',
          variables: { r: { from: '2020-06-01', to: '2020-05-31' } },
        }),
        'releasedBetween.from (2020-06-01) is after releasedBetween.to (2020-05-31): the range holds no date',
      );
      // one day is a range
      const day = await same({
        query: '{ releaseCycles(filter: { eolBetween: { from: "2025-04-30", to: "2025-04-30" } }) { totalCount } }',
      });
      expect(ok(day)).toEqual({ releaseCycles: { totalCount: expect.any(Number) } });
    });
  });

  describe('first: 0', () => {
    type PageInfo = { hasNextPage: boolean; endCursor: string | null };
    const productsPage = async (first: number, after: string | null) =>
      ok(
        await same({
          query: `query($after: String) { products(first: ${first}, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }`,
          variables: { after },
        }),
      ).products as { nodes: { name: string }[]; pageInfo: PageInfo };
    const cyclesPage = async (first: number, after: string | null) =>
      ok(
        await same({
          query: `query($after: String) { releaseCycles(first: ${first}, after: $after, asOf: "2026-08-22", orderBy: { field: EOL_FROM }) {
            nodes { name product { name } } pageInfo { hasNextPage endCursor } } }`,
          variables: { after },
        }),
      ).releaseCycles as { nodes: { name: string }[]; pageInfo: PageInfo };

    it.each([
      ['products', productsPage],
      ['releaseCycles', cyclesPage],
    ] as const)('%s: endCursor is the after given, so that paging continues where it was', async (_name, page) => {
      expect(await page(0, null)).toEqual({ nodes: [], pageInfo: { hasNextPage: true, endCursor: null } });
      const two = await page(2, null);
      expect(two.nodes).toHaveLength(2);
      const at = (await page(1, null)).pageInfo.endCursor!;
      expect(await page(0, at)).toEqual({ nodes: [], pageInfo: { hasNextPage: true, endCursor: at } });
      // continuing from first: 0's endCursor gives the node after it
      expect((await page(1, (await page(0, at)).pageInfo.endCursor)).nodes).toEqual(two.nodes.slice(1));
      // at the end: nothing to continue to
      let last: string | null = null;
      for (let p = await page(500, null); ; p = await page(500, last)) {
        last = p.pageInfo.endCursor;
        if (!p.pageInfo.hasNextPage) break;
      }
      expect(await page(0, last)).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    });
  });

  it('no client mistake above is logged at error level (jit); graphql-js only the operations it has no code for', () => {
    for (const s of jitServers) {
      const errors = s.logs.filter((l) => l.level >= 50);
      expect(errors, s.name).toEqual([]);
      // the requests were logged, so the log really was read
      expect(s.logs.length).toBeGreaterThan(50);
    }
    for (const s of servers.filter((s) => !jitServers.includes(s))) {
      const errors = s.logs.filter((l) => l.level >= 50 && !/not configured to execute/.test(l.err?.message ?? ''));
      expect(errors, s.name).toEqual([]);
    }
  });
});
