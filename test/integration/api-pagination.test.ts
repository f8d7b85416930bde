// Cursor pagination over the corpus (464 products, 8,351 cycles): walking every page returns each
// item exactly once in the documented order (checked against a sort in JS of the full set, read
// through Product.releases), cursors are stable and tied to their field and order, totalCount does
// not depend on the page, and bad page arguments are BAD_USER_INPUT.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { corpusDir, noCorpus } from '../helpers/env.ts';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server.ts';

const AS_OF = '2026-08-22';

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
interface Page<N> {
  totalCount: number;
  edges: { cursor: string; node: N }[];
  pageInfo: PageInfo;
}
interface CycleNode {
  name: string;
  position: number;
  eolFrom: string | null;
  releaseDate: string | null;
  product: { name: string };
}

type Field = 'EOL_FROM' | 'RELEASE_DATE' | 'PRODUCT_NAME';
type Direction = 'ASC' | 'DESC';

function ok<T>(r: GqlResult<T>): T {
  expect(r.errors, JSON.stringify(r.errors?.slice(0, 2))).toBeUndefined();
  return r.data;
}

function badInput(r: GqlResult<unknown>): string {
  expect(r.errors, 'an error was expected').toBeDefined();
  expect(r.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  return r.errors![0]!.message;
}

/** Code-unit order, which is also the byte order PostgreSQL's C collation sorts names in. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The documented order of releaseCycles: key (dates missing last either way), product id, position. */
function documentedOrder(field: Field, direction: Direction) {
  const sign = direction === 'ASC' ? 1 : -1;
  return (a: CycleNode, b: CycleNode): number => {
    if (field !== 'PRODUCT_NAME') {
      const ka = field === 'EOL_FROM' ? a.eolFrom : a.releaseDate;
      const kb = field === 'EOL_FROM' ? b.eolFrom : b.releaseDate;
      if (ka === null && kb !== null) return 1;
      if (ka !== null && kb === null) return -1;
      if (ka !== null && kb !== null && ka !== kb) return sign * cmp(ka, kb);
    }
    return sign * (cmp(a.product.name, b.product.name) || a.position - b.position);
  };
}

const CYCLE_NODE = `name position eolFrom releaseDate product { name }`;
const cycleKey = (c: CycleNode) => `${c.product.name}/${c.name}`;

describe.skipIf(noCorpus('pagination over the corpus'))('pagination', () => {
  let t: TestDatabase;
  let server: TestServer;
  /** Every product and cycle, read once through products { releases } (not through the connections). */
  let productNames: string[];
  let allCycles: CycleNode[];

  const productsPage = async (args: string, vars: Record<string, unknown> = {}) =>
    ok(
      await server.gql<{ products: Page<{ name: string }> }>(
        `query($after: String) { products(${args} after: $after, asOf: "${AS_OF}") {
          totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`,
        vars,
      ),
    ).products;

  const cyclesPage = async (args: string, after: string | null) =>
    ok(
      await server.gql<{ releaseCycles: Page<CycleNode> }>(
        `query($after: String) { releaseCycles(${args} after: $after, asOf: "${AS_OF}") {
          totalCount edges { cursor node { ${CYCLE_NODE} } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      ),
    ).releaseCycles;

  /** Follows endCursor until hasNextPage is false, checking each page's bookkeeping on the way. */
  async function walk<N>(fetchPage: (after: string | null) => Promise<Page<N>>, pageSize: number) {
    const pages: Page<N>[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: Page<N> = await fetchPage(after);
      pages.push(page);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      if (!page.pageInfo.hasNextPage) break;
      expect(page.edges).toHaveLength(pageSize);
      after = page.pageInfo.endCursor;
    }
    const last = pages.at(-1)!;
    expect(last.pageInfo.hasNextPage).toBe(false);
    // totalCount is the whole result's, on every page.
    for (const p of pages) expect(p.totalCount).toBe(pages[0]!.totalCount);
    const nodes = pages.flatMap((p) => p.edges.map((e) => e.node));
    expect(nodes).toHaveLength(pages[0]!.totalCount);
    return { pages, nodes };
  }

  beforeAll(async () => {
    t = await createImportedDatabase(corpusDir);
    server = await startTestServer(t.db, { now: new Date(`${AS_OF}T12:00:00Z`) });
    const data = ok(
      await server.gql<{
        products: { nodes: { name: string; releases: Omit<CycleNode, 'product'>[] }[] };
      }>(`{ products(first: 500) { nodes { name releases { name position eolFrom releaseDate } } } }`),
    );
    productNames = data.products.nodes.map((p) => p.name);
    allCycles = data.products.nodes.flatMap((p) => p.releases.map((c) => ({ ...c, product: { name: p.name } })));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  it('the reference set is complete: 464 products, 8,351 cycles, over 1,000 without an EOL date', () => {
    expect(productNames).toHaveLength(464);
    expect(allCycles).toHaveLength(8351);
    expect(allCycles.filter((c) => c.eolFrom === null).length).toBeGreaterThan(1000);
    // Every HEAD cycle has a release date: the fixture documents below cover missing ones.
    expect(allCycles.filter((c) => c.releaseDate === null)).toEqual([]);
  });

  describe('products', () => {
    it('first defaults to 100; walking every page gives each product once, by name', async () => {
      const { pages, nodes } = await walk((after) => productsPage('', { after }), 100);
      expect(pages.map((p) => p.edges.length)).toEqual([100, 100, 100, 100, 64]);
      expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, true, true, false]);
      expect(nodes.map((n) => n.name)).toEqual([...productNames].sort(cmp));
      expect(pages[0]!.totalCount).toBe(464);
    });

    it('a page size that divides the total: the last full page says there is no next page', async () => {
      // 464 = 8 × 58: the 8th page is full and is the last.
      const { pages } = await walk((after) => productsPage('first: 58', { after }), 58);
      expect(pages).toHaveLength(8);
      expect(pages[7]!.edges).toHaveLength(58);
      expect(pages[7]!.pageInfo.hasNextPage).toBe(false);
      // After the last cursor: nothing, and no cursor.
      const beyond = await productsPage('first: 58', { after: pages[7]!.pageInfo.endCursor });
      expect(beyond).toEqual({ totalCount: 464, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    });

    it('cursors are stable: the same request twice gives the same cursors', async () => {
      const first = await productsPage('first: 50', {});
      const a = await productsPage('first: 50', { after: first.pageInfo.endCursor });
      const b = await productsPage('first: 50', { after: first.pageInfo.endCursor });
      expect(b).toEqual(a);
      expect(new Set(a.edges.map((e) => e.cursor)).size).toBe(50);
    });

    it('totalCount follows the filter, not the page', async () => {
      const { pages, nodes } = await walk(
        (after) => productsPage('first: 7, filter: { category: "database" }', { after }),
        7,
      );
      expect(pages.length).toBeGreaterThan(2);
      expect(pages[0]!.totalCount).toBe(nodes.length);
    });
  });

  describe('releaseCycles', () => {
    it('first defaults to 100', async () => {
      const page = await cyclesPage('', null);
      expect(page.edges).toHaveLength(100);
      expect(page.pageInfo.hasNextPage).toBe(true);
      expect(page.totalCount).toBe(8351);
    });

    it('the default order is product id, then document order (the cursors of PRODUCT_NAME ASC)', async () => {
      const page = await cyclesPage('first: 500,', null);
      const expected = [...allCycles].sort(documentedOrder('PRODUCT_NAME', 'ASC')).slice(0, 500);
      expect(page.edges.map((e) => cycleKey(e.node))).toEqual(expected.map(cycleKey));
      const explicit = await cyclesPage('first: 500, orderBy: { field: PRODUCT_NAME, direction: ASC },', null);
      expect(explicit).toEqual(page);
    });

    const orders = (['EOL_FROM', 'RELEASE_DATE', 'PRODUCT_NAME'] as const).flatMap((f) =>
      (['ASC', 'DESC'] as const).map((d) => [f, d] as const),
    );
    it.each(orders)(
      'orderBy %s %s: every cycle once, in the order of an independent sort',
      async (field, direction) => {
        const args = `first: 500, orderBy: { field: ${field}, direction: ${direction} },`;
        const { nodes } = await walk((after) => cyclesPage(args, after), 500);
        const expected = [...allCycles].sort(documentedOrder(field, direction));
        expect(nodes.map(cycleKey)).toEqual(expected.map(cycleKey));
        if (field === 'EOL_FROM') {
          // Cycles without an EOL date (a boolean eol) come last, in both directions.
          const firstMissing = nodes.findIndex((c) => c.eolFrom === null);
          expect(firstMissing).toBe(allCycles.filter((c) => c.eolFrom !== null).length);
          expect(nodes.slice(firstMissing).every((c) => c.eolFrom === null)).toBe(true);
        }
      },
    );

    it('cursors are stable, and the same page comes back for the same after', async () => {
      const args = `first: 200, orderBy: { field: EOL_FROM, direction: DESC },`;
      const p1 = await cyclesPage(args, null);
      const again = await cyclesPage(args, null);
      expect(again).toEqual(p1);
      const p2a = await cyclesPage(args, p1.pageInfo.endCursor);
      const p2b = await cyclesPage(args, p1.pageInfo.endCursor);
      expect(p2b).toEqual(p2a);
      expect(p2a.edges[0]!.cursor).not.toBe(p1.pageInfo.endCursor);
    });

    it('totalCount follows the filter, not the page; the last page is marked', async () => {
      const args = `first: 5, filter: { product: "node" },`;
      const { pages, nodes } = await walk((after) => cyclesPage(args, after), 5);
      const nodejs = allCycles.filter((c) => c.product.name === 'nodejs');
      expect(nodes.map(cycleKey)).toEqual(nodejs.map(cycleKey));
      expect(pages[0]!.totalCount).toBe(nodejs.length);
      expect(pages.length).toBe(Math.ceil(nodejs.length / 5));
    });
  });

  describe('bad page arguments are BAD_USER_INPUT', () => {
    it.each(['products', 'releaseCycles'])('%s: first may be at most 500, and not negative', async (field) => {
      const at500 = await server.gql<Record<string, { totalCount: number }>>(`{ ${field}(first: 500) { totalCount } }`);
      expect(at500.errors).toBeUndefined();
      expect(badInput(await server.gql(`{ ${field}(first: 501) { totalCount } }`))).toMatch(/\b500\b/);
      expect(badInput(await server.gql(`{ ${field}(first: -1) { totalCount } }`))).toMatch(/-1/);
    });

    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const garbage = [
      'not a cursor',
      '',
      encode(42),
      encode(null),
      encode({ x: 1 }),
      // Well-formed shapes carrying values the query cannot use.
      encode({ o: 'EOL_FROM:ASC', k: 'not-a-date', n: 'nodejs', p: 1 }),
      encode({ o: 'RELEASE_DATE:ASC', k: '2024-02-30', n: 'nodejs', p: 1 }),
      encode({ o: 'PRODUCT_NAME:ASC', k: 'nodejs', n: 'nodejs', p: 1e12 }),
    ];
    it.each(garbage)('releaseCycles: after %j', async (after) => {
      const field = /EOL_FROM|RELEASE_DATE/.exec(Buffer.from(after, 'base64url').toString())?.[0] ?? 'PRODUCT_NAME';
      const r = await server.gql(
        `query($after: String) { releaseCycles(after: $after, orderBy: { field: ${field} }) { totalCount } }`,
        { after },
      );
      expect(badInput(r)).toContain('after');
    });

    it.each(garbage.slice(0, 5))('products: after %j', async (after) => {
      const r = await server.gql(`query($after: String) { products(after: $after) { totalCount } }`, { after });
      expect(badInput(r)).toContain('after');
    });

    it("a cursor of the other connection is refused (a product's in releaseCycles, a cycle's in products)", async () => {
      const product = (await productsPage('first: 3', {})).pageInfo.endCursor;
      const cycle = (await cyclesPage('first: 3,', null)).pageInfo.endCursor;
      const intoCycles = await server.gql(`query($a: String) { releaseCycles(after: $a) { totalCount } }`, {
        a: product,
      });
      expect(badInput(intoCycles)).toContain('after');
      const intoProducts = await server.gql(`query($a: String) { products(after: $a) { totalCount } }`, { a: cycle });
      expect(badInput(intoProducts)).toContain('after');
    });

    it('a cursor made under another orderBy (field or direction) is refused', async () => {
      const cursor = (await cyclesPage('first: 3, orderBy: { field: EOL_FROM, direction: ASC },', null)).pageInfo
        .endCursor;
      for (const orderBy of [
        '{ field: EOL_FROM, direction: DESC }',
        '{ field: RELEASE_DATE }',
        '{ field: PRODUCT_NAME }',
        null,
      ]) {
        const r = await server.gql(
          `query($a: String) { releaseCycles(after: $a${orderBy ? `, orderBy: ${orderBy}` : ''}) { totalCount } }`,
          { a: cursor },
        );
        expect(badInput(r)).toContain('after');
      }
      // The control: under its own order the cursor works.
      const same = await server.gql(
        `query($a: String) { releaseCycles(after: $a, orderBy: { field: EOL_FROM }) { totalCount } }`,
        { a: cursor },
      );
      expect(same.errors).toBeUndefined();
    });
  });
});

describe('pagination over cycles without dates (fixture documents)', () => {
  let dir: string;
  let t: TestDatabase;
  let server: TestServer;
  let all: CycleNode[];

  beforeAll(async () => {
    // Three products whose cycles lack a release date, an EOL date, or both (legacy documents do):
    // pages of two then start and end inside the block of missing dates.
    dir = mkdtempSync(join(tmpdir(), 'eolgraph-api-undated-'));
    for (const [p, month] of [
      ['aaa', '05'],
      ['mmm', '05'],
      ['zzz', '03'],
    ] as const) {
      const doc = [
        '---',
        `title: Undated ${p}`,
        'category: app',
        `permalink: /${p}-undated`,
        'releases:',
        '  - releaseCycle: "3"',
        '    eol: 2030-01-01',
        '  - releaseCycle: "2"',
        '    releaseDate: 2020-01-01',
        '    eol: true',
        '  - releaseCycle: "1"',
        `    releaseDate: 2019-${month}-01`,
        '  - releaseCycle: "0"',
        '---',
        '',
      ];
      writeFileSync(join(dir, `${p}-undated.md`), doc.join('\n'));
    }
    t = await createImportedDatabase(dir);
    server = await startTestServer(t.db);
    const data = ok(
      await server.gql<{ products: { nodes: { name: string; releases: Omit<CycleNode, 'product'>[] }[] } }>(
        `{ products { nodes { name releases { name position eolFrom releaseDate } } } }`,
      ),
    );
    all = data.products.nodes.flatMap((p) => p.releases.map((c) => ({ ...c, product: { name: p.name } })));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the fixture has cycles without a release date and without an EOL date', () => {
    expect(all).toHaveLength(12);
    expect(all.filter((c) => c.releaseDate === null)).toHaveLength(6);
    expect(all.filter((c) => c.eolFrom === null)).toHaveLength(9);
  });

  const orders = (['EOL_FROM', 'RELEASE_DATE', 'PRODUCT_NAME'] as const).flatMap((f) =>
    (['ASC', 'DESC'] as const).map((d) => [f, d] as const),
  );
  it.each(orders)(
    'orderBy %s %s, two at a time: missing dates last, then product and position',
    async (field, direction) => {
      const nodes: CycleNode[] = [];
      let after: string | null = null;
      for (let i = 0; i < 10; i++) {
        type R = { releaseCycles: { nodes: CycleNode[]; pageInfo: PageInfo; totalCount: number } };
        const page: R['releaseCycles'] = ok(
          await server.gql<R>(
            `query($after: String) { releaseCycles(first: 2, after: $after, orderBy: { field: ${field}, direction: ${direction} }) {
            totalCount nodes { ${CYCLE_NODE} } pageInfo { hasNextPage endCursor } } }`,
            { after },
          ),
        ).releaseCycles;
        expect(page.totalCount).toBe(12);
        nodes.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(nodes.map(cycleKey)).toEqual([...all].sort(documentedOrder(field, direction)).map(cycleKey));
      if (field !== 'PRODUCT_NAME') {
        const key = (c: CycleNode) => (field === 'EOL_FROM' ? c.eolFrom : c.releaseDate);
        const missing = all.filter((c) => key(c) === null).length;
        expect(nodes.slice(-missing).every((c) => key(c) === null)).toBe(true);
        expect(nodes.slice(0, -missing).every((c) => key(c) !== null)).toBe(true);
      }
    },
  );
});
