// Every filter of products, releaseCycles and Product.releases over the corpus, each checked against
// the same filter computed in JS over the unfiltered data (all products with all their cycles and
// computed fields, read once per date through products { releases }). The filters on computed
// fields run in SQL (the eolgraph_* functions); the reference values come from the TypeScript
// rules, so the two implementations are compared too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { corpusDir, noCorpus } from '../helpers/env.ts';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server.ts';

const AS_OF = '2026-08-22';

interface RefCycle {
  name: string;
  isEol: boolean | null;
  isMaintained: boolean;
  isLts: boolean;
  supportPhase: string;
  eolFrom: string | null;
  releaseDate: string | null;
}
interface RefProduct {
  name: string;
  label: string;
  category: string | null;
  tags: string[];
  aliases: string[];
  releases: RefCycle[];
}
type Cycle = RefCycle & { product: RefProduct; key: string };

function ok<T>(r: GqlResult<T>): T {
  expect(r.errors, JSON.stringify(r.errors?.slice(0, 2))).toBeUndefined();
  return r.data;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) =>
  (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

describe.skipIf(noCorpus('the filters over the corpus'))('filters', () => {
  let t: TestDatabase;
  let server: TestServer;
  let products: RefProduct[];
  let cycles: Cycle[];

  /** Every product with its cycles on asOf, one request. */
  async function reference(asOf: string): Promise<RefProduct[]> {
    return ok(
      await server.gql<{ products: { nodes: RefProduct[] } }>(
        `query($asOf: Date) { products(first: 500, asOf: $asOf) { nodes { name label category tags aliases
          releases { name isEol isMaintained isLts supportPhase eolFrom releaseDate } } } }`,
        { asOf },
      ),
    ).products.nodes;
  }

  /** The keys of the cycles releaseCycles(filter) returns, all pages, and its totalCount. */
  async function filteredCycles(filter: string, asOf: string | null = AS_OF): Promise<string[]> {
    const keys: string[] = [];
    let after: string | null = null;
    for (;;) {
      type R = {
        releaseCycles: {
          totalCount: number;
          nodes: { name: string; product: { name: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      };
      const page: R['releaseCycles'] = ok(
        await server.gql<R>(
          `query($after: String, $asOf: Date) { releaseCycles(filter: ${filter}, first: 500, after: $after, asOf: $asOf) {
            totalCount nodes { name product { name } } pageInfo { hasNextPage endCursor } } }`,
          { after, asOf },
        ),
      ).releaseCycles;
      keys.push(...page.nodes.map((n) => `${n.product.name}/${n.name}`));
      if (!page.pageInfo.hasNextPage) {
        expect(page.totalCount).toBe(keys.length);
        return keys;
      }
      after = page.pageInfo.endCursor;
    }
  }

  /** Keys of the reference cycles matching pred, in the default order (product id, document order). */
  const expectedCycles = (pred: (c: Cycle) => boolean) => cycles.filter(pred).map((c) => c.key);

  const productNames = async (filter: string, asOf = AS_OF) =>
    ok(
      await server.gql<{ products: { totalCount: number; nodes: { name: string }[] } }>(
        `query($asOf: Date) { products(filter: ${filter}, first: 500, asOf: $asOf) { totalCount nodes { name } } }`,
        { asOf },
      ),
    ).products.nodes.map((p) => p.name);
  const expectedProducts = (pred: (p: RefProduct) => boolean) =>
    products
      .filter(pred)
      .map((p) => p.name)
      .sort(cmp);

  beforeAll(async () => {
    t = await createImportedDatabase(corpusDir);
    server = await startTestServer(t.db, { now: new Date(`${AS_OF}T12:00:00Z`) });
    products = await reference(AS_OF);
    products.sort((a, b) => cmp(a.name, b.name));
    cycles = products.flatMap((p) => p.releases.map((c) => ({ ...c, product: p, key: `${p.name}/${c.name}` })));
    expect(products).toHaveLength(464);
    expect(cycles).toHaveLength(8351);
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  describe('ProductFilter', () => {
    it('names: ids and aliases mixed; unknown names are ignored', async () => {
      const names = ['node', 'ubuntu', 'linux-kernel', 'mongo', 'rails', 'no-such-product'];
      const expected = expectedProducts((p) => names.includes(p.name) || p.aliases.some((a) => names.includes(a)));
      expect(expected).toEqual(['linux', 'mongodb', 'nodejs', 'rails', 'ubuntu']);
      expect(await productNames(`{ names: ${JSON.stringify(names)} }`)).toEqual(expected);
    });

    it.each(['database', 'os', 'lang', 'device'])('category: %s', async (category) => {
      const expected = expectedProducts((p) => p.category === category);
      expect(expected.length).toBeGreaterThan(5);
      expect(await productNames(`{ category: ${JSON.stringify(category)} }`)).toEqual(expected);
    });

    it.each(['linux-distribution', 'javascript-runtime', 'os'])('tag: %s (categories count as tags)', async (tag) => {
      const expected = expectedProducts((p) => p.tags.includes(tag));
      expect(expected.length).toBeGreaterThan(3);
      expect(await productNames(`{ tag: ${JSON.stringify(tag)} }`)).toEqual(expected);
    });

    it.each(['LINUX', 'suseserver', 'Enterprise', 'NoDe', 'db', '%', '_', "o'"])(
      'search: %j (case-insensitive, in the id, the label or an alias)',
      async (term) => {
        const needle = term.toLowerCase();
        const expected = expectedProducts((p) =>
          [p.name, p.label, ...p.aliases].some((s) => s.toLowerCase().includes(needle)),
        );
        expect(await productNames(`{ search: ${JSON.stringify(term)} }`)).toEqual(expected);
      },
    );

    it('search reaches labels and aliases, not only ids (the terms above exercise each)', () => {
      const only = (needle: string, where: (p: RefProduct) => string[]) =>
        products.filter(
          (p) => where(p).some((s) => s.toLowerCase().includes(needle)) && !p.name.toLowerCase().includes(needle),
        );
      expect(only('suseserver', (p) => p.aliases).map((p) => p.name)).toEqual(['sles']);
      expect(only('enterprise', (p) => [p.label]).length).toBeGreaterThan(3);
      // The LIKE wildcards are matched literally: "_" is in a few products only, "%" in none
      // (unescaped, either would match every product).
      const containing = (ch: string) =>
        expectedProducts((p) => [p.name, p.label, ...p.aliases].some((s) => s.includes(ch)));
      expect(containing('_').length).toBeGreaterThan(0);
      expect(containing('_').length).toBeLessThan(20);
      expect(containing('%')).toEqual([]);
    });

    it.each([AS_OF, '2012-06-30'])('hasMaintainedRelease true / false on asOf %s', async (asOf) => {
      const ref = asOf === AS_OF ? products : await reference(asOf);
      const maintained = (p: RefProduct) => p.releases.some((c) => c.isMaintained);
      const yes = [...ref]
        .filter(maintained)
        .map((p) => p.name)
        .sort(cmp);
      const no = [...ref]
        .filter((p) => !maintained(p))
        .map((p) => p.name)
        .sort(cmp);
      expect(yes.length).toBeGreaterThan(50);
      expect(no.length).toBeGreaterThan(0);
      expect(await productNames(`{ hasMaintainedRelease: true }`, asOf)).toEqual(yes);
      expect(await productNames(`{ hasMaintainedRelease: false }`, asOf)).toEqual(no);
    });

    it('filters combine (AND)', async () => {
      const expected = expectedProducts(
        (p) => p.category === 'os' && p.tags.includes('linux-distribution') && !p.releases.some((c) => c.isMaintained),
      );
      expect(await productNames(`{ category: "os", tag: "linux-distribution", hasMaintainedRelease: false }`)).toEqual(
        expected,
      );
    });
  });

  describe('ReleaseCycleFilter', () => {
    it('product: an alias; products: ids and aliases mixed', async () => {
      expect(await filteredCycles(`{ product: "node" }`)).toEqual(expectedCycles((c) => c.product.name === 'nodejs'));
      const names = ['mongo', 'python', 'linux-kernel', 'no-such-product'];
      const expected = expectedCycles((c) => ['mongodb', 'python', 'linux'].includes(c.product.name));
      expect(await filteredCycles(`{ products: ${JSON.stringify(names)} }`)).toEqual(expected);
      expect(await filteredCycles(`{ product: "no-such-product" }`)).toEqual([]);
    });

    it('products: an empty list matches nothing, as ProductFilter.names does', async () => {
      expect(await filteredCycles(`{ products: [] }`)).toEqual([]);
      expect(await filteredCycles(`{ products: [], isMaintained: true }`)).toEqual([]);
      expect(await productNames(`{ names: [] }`)).toEqual([]);
    });

    it('product and products together: both must hold (the intersection), aliases included', async () => {
      expect(await filteredCycles(`{ product: "nodejs", products: ["python"] }`)).toEqual([]);
      expect(await filteredCycles(`{ product: "node", products: ["nodejs", "python", "mongo"] }`)).toEqual(
        expectedCycles((c) => c.product.name === 'nodejs'),
      );
      expect(await filteredCycles(`{ product: "mongodb", products: ["mongo", "k8s"], isMaintained: true }`)).toEqual(
        expectedCycles((c) => c.product.name === 'mongodb' && c.isMaintained),
      );
    });

    it('category and tag', async () => {
      expect(await filteredCycles(`{ category: "lang" }`)).toEqual(
        expectedCycles((c) => c.product.category === 'lang'),
      );
      expect(await filteredCycles(`{ tag: "linux-distribution" }`)).toEqual(
        expectedCycles((c) => c.product.tags.includes('linux-distribution')),
      );
    });

    it.each([
      ['isEol', true],
      ['isEol', false],
      ['isMaintained', true],
      ['isMaintained', false],
      ['isLts', true],
      ['isLts', false],
    ] as const)('%s: %s', async (field, value) => {
      const expected = expectedCycles((c) => c[field] === value);
      expect(expected.length).toBeGreaterThan(500);
      expect(await filteredCycles(`{ ${field}: ${value} }`)).toEqual(expected);
    });

    it('supportPhase: a single value, and a list', async () => {
      const single = expectedCycles((c) => c.supportPhase === 'EXTENDED');
      expect(single.length).toBeGreaterThan(50);
      expect(await filteredCycles(`{ supportPhase: EXTENDED }`)).toEqual(single);
      const list = expectedCycles((c) => c.supportPhase === 'ACTIVE' || c.supportPhase === 'SECURITY_ONLY');
      expect(await filteredCycles(`{ supportPhase: [ACTIVE, SECURITY_ONLY] }`)).toEqual(list);
      expect(await filteredCycles(`{ supportPhase: [UNKNOWN] }`)).toEqual(
        expectedCycles((c) => c.supportPhase === 'UNKNOWN'),
      );
    });

    describe('eolBetween', () => {
      it('both ends inclusive', async () => {
        const dates = [...new Set(cycles.map((c) => c.eolFrom).filter((d): d is string => d !== null))].sort(cmp);
        const from = dates.find((d) => d >= '2025-01-01')!;
        const to = dates.filter((d) => d <= '2025-06-30').at(-1)!;
        const expected = expectedCycles((c) => c.eolFrom !== null && c.eolFrom >= from && c.eolFrom <= to);
        // Cycles end exactly on both boundary days.
        expect(cycles.filter((c) => c.eolFrom === from).length).toBeGreaterThan(0);
        expect(cycles.filter((c) => c.eolFrom === to).length).toBeGreaterThan(0);
        expect(await filteredCycles(`{ eolBetween: { from: "${from}", to: "${to}" } }`)).toEqual(expected);
        // One day narrower on each side drops exactly the boundary days.
        const narrower = expectedCycles((c) => c.eolFrom !== null && c.eolFrom > from && c.eolFrom < to);
        expect(
          await filteredCycles(`{ eolBetween: { from: "${addDays(from, 1)}", to: "${addDays(to, -1)}" } }`),
        ).toEqual(narrower);
      });

      it('open ends; cycles whose eol is a boolean never match', async () => {
        expect(await filteredCycles(`{ eolBetween: { from: "2030-01-01" } }`)).toEqual(
          expectedCycles((c) => c.eolFrom !== null && c.eolFrom >= '2030-01-01'),
        );
        expect(await filteredCycles(`{ eolBetween: { to: "2010-12-31" } }`)).toEqual(
          expectedCycles((c) => c.eolFrom !== null && c.eolFrom <= '2010-12-31'),
        );
        const dated = expectedCycles((c) => c.eolFrom !== null);
        expect(dated.length).toBeLessThan(cycles.length);
        expect(await filteredCycles(`{ eolBetween: {} }`)).toEqual(dated);
        expect(await filteredCycles(`{ eolBetween: { from: null, to: null } }`)).toEqual(dated);
      });
    });

    describe('eolWithinDays', () => {
      it('from asOf to asOf + N, both inclusive, relative to asOf', async () => {
        const dates = [...new Set(cycles.map((c) => c.eolFrom).filter((d): d is string => d !== null))].sort(cmp);
        // asOf on an EOL day, N reaching exactly another EOL day.
        const start = dates.find((d) => d >= '2024-01-01')!;
        const end = dates[dates.indexOf(start) + 12]!;
        const n = daysBetween(start, end);
        const expected = expectedCycles((c) => c.eolFrom !== null && c.eolFrom >= start && c.eolFrom <= end);
        expect(expected.filter((k) => cycles.find((c) => c.key === k)!.eolFrom === start).length).toBeGreaterThan(0);
        expect(expected.filter((k) => cycles.find((c) => c.key === k)!.eolFrom === end).length).toBeGreaterThan(0);
        expect(await filteredCycles(`{ eolWithinDays: ${n} }`, start)).toEqual(expected);
        // A day later the window has moved by a day: the first day's cycles drop out.
        expect(await filteredCycles(`{ eolWithinDays: ${n - 1} }`, addDays(start, 1))).toEqual(
          expectedCycles((c) => c.eolFrom !== null && c.eolFrom > start && c.eolFrom <= end),
        );
      });

      it('"the next 90 days" from the clock (no asOf), and with 0 only asOf itself', async () => {
        const end = addDays(AS_OF, 90);
        const expected = expectedCycles((c) => c.eolFrom !== null && c.eolFrom >= AS_OF && c.eolFrom <= end);
        expect(expected.length).toBeGreaterThan(10);
        expect(await filteredCycles(`{ eolWithinDays: 90 }`, null)).toEqual(expected);
        const day = cycles.find((c) => c.eolFrom !== null && c.eolFrom > '2025-01-01')!.eolFrom!;
        expect(await filteredCycles(`{ eolWithinDays: 0 }`, day)).toEqual(expectedCycles((c) => c.eolFrom === day));
      });

      it('a window reaching beyond 9999-12-31 ends there (no error about an eolBetween not given)', async () => {
        expect(await filteredCycles(`{ eolWithinDays: 36500 }`, '9999-12-31')).toEqual([]);
        expect(await filteredCycles(`{ eolWithinDays: 36500 }`, '9990-01-01')).toEqual([]);
      });

      it('combined with eolBetween: both must hold', async () => {
        const expected = expectedCycles(
          (c) => c.eolFrom !== null && c.eolFrom >= '2026-10-01' && c.eolFrom <= addDays(AS_OF, 365),
        );
        expect(expected.length).toBeGreaterThan(10);
        expect(await filteredCycles(`{ eolWithinDays: 365, eolBetween: { from: "2026-10-01" } }`)).toEqual(expected);
      });
    });

    it('releasedBetween: inclusive ends and open ends', async () => {
      const dates = [...new Set(cycles.map((c) => c.releaseDate).filter((d): d is string => d !== null))].sort(cmp);
      const from = dates.find((d) => d >= '2023-01-01')!;
      const to = dates.filter((d) => d <= '2023-03-31').at(-1)!;
      expect(await filteredCycles(`{ releasedBetween: { from: "${from}", to: "${to}" } }`)).toEqual(
        expectedCycles((c) => c.releaseDate !== null && c.releaseDate >= from && c.releaseDate <= to),
      );
      expect(await filteredCycles(`{ releasedBetween: { from: "2026-06-01" } }`)).toEqual(
        expectedCycles((c) => c.releaseDate !== null && c.releaseDate >= '2026-06-01'),
      );
      expect(await filteredCycles(`{ releasedBetween: { to: "2005-12-31" } }`)).toEqual(
        expectedCycles((c) => c.releaseDate !== null && c.releaseDate <= '2005-12-31'),
      );
    });

    it('several filters combine (AND), on the asOf given', async () => {
      const ref2020 = await reference('2020-01-01');
      const expected = ref2020
        .filter((p) => p.category === 'os')
        .sort((a, b) => cmp(a.name, b.name))
        .flatMap((p) => p.releases.filter((c) => c.isMaintained && !c.isLts).map((c) => `${p.name}/${c.name}`));
      expect(expected.length).toBeGreaterThan(10);
      expect(await filteredCycles(`{ category: "os", isMaintained: true, isLts: false }`, '2020-01-01')).toEqual(
        expected,
      );
    });
  });

  describe('Product.releases(filter), evaluated on the root asOf, in document order', () => {
    it.each([
      ['{ isEol: true }', (c: RefCycle) => c.isEol === true],
      ['{ isMaintained: false }', (c: RefCycle) => !c.isMaintained],
      ['{ isLts: true }', (c: RefCycle) => c.isLts],
      [
        '{ supportPhase: [EXTENDED, SECURITY_ONLY] }',
        (c: RefCycle) => ['EXTENDED', 'SECURITY_ONLY'].includes(c.supportPhase),
      ],
      ['{ isEol: true, isMaintained: true }', (c: RefCycle) => c.isEol === true && c.isMaintained],
      ['{}', () => true],
    ] as const)('releases(filter: %s)', async (filter, pred) => {
      const data = ok(
        await server.gql<{ products: { nodes: { name: string; releases: { name: string }[] }[] } }>(
          `{ products(first: 500, asOf: "${AS_OF}") { nodes { name releases(filter: ${filter}) { name } } } }`,
        ),
      );
      const got = data.products.nodes.map((p) => [p.name, p.releases.map((c) => c.name)]);
      const expected = products.map((p) => [p.name, p.releases.filter(pred).map((c) => c.name)]);
      expect(got).toEqual(expected);
      expect(expected.flatMap(([, r]) => r).length).toBeGreaterThan(0);
    });

    it('on another asOf, through product(name, asOf)', async () => {
      const [ubuntu2016] = (await reference('2016-01-01')).filter((p) => p.name === 'ubuntu');
      const data = ok(
        await server.gql<{ product: { releases: { name: string }[] } }>(
          `{ product(name: "ubuntu", asOf: "2016-01-01") { releases(filter: { isMaintained: true }) { name } } }`,
        ),
      );
      const expected = ubuntu2016!.releases.filter((c) => c.isMaintained).map((c) => c.name);
      expect(expected.length).toBeGreaterThan(2);
      expect(data.product.releases.map((c) => c.name)).toEqual(expected);
    });
  });
});
