// Lookups over the corpus: resolveVersion for a version derived from every numeric cycle of every
// product, productByIdentifier for every purl and CPE the corpus declares (with a version and
// qualifiers added), and the SQL-statement bound of the nested queries (DataLoader batching: the
// number of statements does not grow with the number of products).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { corpusDir, noCorpus } from '../helpers/env.ts';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server.ts';
import { W2_EVERY_RELATION } from '../helpers/queries.ts';

const AS_OF = '2026-08-22';
/** Root fields per operation (the server allows 10). */
const GROUP = 10;

interface Product {
  name: string;
  identifiers: { type: string; id: string }[];
  releases: { name: string }[];
}

function ok<T>(r: GqlResult<T>): T {
  expect(r.errors, JSON.stringify(r.errors?.slice(0, 2))).toBeUndefined();
  return r.data;
}

/** Runs one operation per group of items (aliased root fields), a few operations at a time. */
async function lookUp<T, R>(
  server: TestServer,
  items: T[],
  field: (item: T) => string,
  selection: string,
): Promise<(R | null)[]> {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += GROUP) groups.push(items.slice(i, i + GROUP));
  const out: (R | null)[][] = new Array(groups.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < groups.length) {
        const i = next++;
        const group = groups[i]!;
        const data = ok(
          await server.gql<Record<string, R | null>>(
            `{ ${group.map((item, j) => `r${j}: ${field(item)} { ${selection} }`).join('\n')} }`,
          ),
        );
        out[i] = group.map((_, j) => data[`r${j}`] ?? null);
      }
    }),
  );
  return out.flat();
}

/** purl identity (type/namespace/name, percent-decoded, lowercased), written here from the purl spec. */
function purlIdentity(purl: string): string {
  const body = purl
    .replace(/^pkg:\/*/i, '')
    .replace(/#.*$/, '')
    .replace(/\?.*$/, '');
  const [type, ...rest] = body.split('/');
  const path = rest.join('/');
  const at = path.lastIndexOf('@');
  const withoutVersion = at > 0 && path[at - 1] !== '/' ? path.slice(0, at) : path;
  const segments = withoutVersion.split('/').filter(Boolean).map(decodeURIComponent);
  return [type, ...segments].join('/').toLowerCase();
}

/**
 * The purl with a version inserted and a qualifier added (existing qualifiers kept). A stored
 * trailing "/" (pkg:github/mautic/mautic/) is dropped first: "…/@1.2.3" would read as an npm-style
 * scope segment.
 */
function withVersion(purl: string): string {
  const [base, qualifiers] = purl.split('?') as [string, string | undefined];
  return `${base.replace(/\/+$/, '')}@1.2.3?${qualifiers ? `${qualifiers}&` : ''}arch=x86_64`;
}

/** A stored CPE's components are a prefix of the given one's ("*" in the stored one matches anything). */
function cpePrefixOf(stored: string, given: string): boolean {
  const parts = (s: string) =>
    s.toLowerCase().startsWith('cpe:2.3:')
      ? {
          v: '2.3',
          c: s
            .slice(8)
            .toLowerCase()
            .split(/(?<!\\):/),
        }
      : { v: '2.2', c: s.slice(5).toLowerCase().split(':') };
  const a = parts(stored);
  const b = parts(given);
  return a.v === b.v && a.c.length <= b.c.length && a.c.every((x, i) => x === '*' || x === b.c[i]);
}

describe.skipIf(noCorpus('lookups over the corpus'))('lookups and batching over the corpus', () => {
  let t: TestDatabase;
  let server: TestServer;
  let products: Product[];

  beforeAll(async () => {
    t = await createImportedDatabase(corpusDir);
    server = await startTestServer(t.db, { now: new Date(`${AS_OF}T12:00:00Z`) });
    products = ok(
      await server.gql<{ products: { nodes: Product[] } }>(
        `{ products(first: 500) { nodes { name identifiers { type id } releases { name } } } }`,
      ),
    ).products.nodes;
    expect(products).toHaveLength(464);
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  describe('resolveVersion', () => {
    it('"<cycle>.9.9" resolves to the cycle, or to a longer cycle name it also starts with, for every numeric cycle', async () => {
      const probes = products.flatMap((p) =>
        p.releases
          .filter((c) => /^\d+(\.\d+)*$/.test(c.name))
          .map((c) => {
            const version = `${c.name}.9.9`;
            // The longest cycle name that the version starts with, component-wise.
            const expected = p.releases
              .map((x) => x.name)
              .filter((n) => version === n || version.startsWith(`${n}.`))
              .sort((a, b) => b.length - a.length)[0]!;
            return { product: p.name, version, expected };
          }),
      );
      expect(probes.length).toBeGreaterThan(6000);
      // Some probes must land on a longer name (e.g. a product with cycles "3" and "3.9").
      expect(probes.filter((p) => p.expected !== p.version.slice(0, -4)).length).toBeGreaterThan(0);
      const answers = await lookUp<(typeof probes)[number], { name: string; product: { name: string } }>(
        server,
        probes,
        (p) => `resolveVersion(product: ${JSON.stringify(p.product)}, version: ${JSON.stringify(p.version)})`,
        'name product { name }',
      );
      const mismatches = probes
        .map((p, i) => ({ ...p, got: answers[i] }))
        .filter((p) => p.got?.name !== p.expected || p.got?.product.name !== p.product);
      expect(mismatches.slice(0, 5)).toEqual([]);
    });

    it('ignores a leading "v" and "+build", tries "-rc1" with and without, and takes aliases', async () => {
      const data = ok(
        await server.gql<Record<string, { name: string } | null>>(`{
          v: resolveVersion(product: "node", version: "v20.11.1") { name }
          build: resolveVersion(product: "nodejs", version: "22.4.0+build.7") { name }
          rc: resolveVersion(product: "nodejs", version: "24.0.0-rc.1") { name }
          freebsd: resolveVersion(product: "freebsd", version: "15.0.1") { name }
          go: resolveVersion(product: "go", version: "go1.22.5") { name }
          noMatch: resolveVersion(product: "nodejs", version: "999.0.0") { name }
          junk: resolveVersion(product: "nodejs", version: "latest-and-greatest") { name }
          noProduct: resolveVersion(product: "no-such-product", version: "1.0") { name }
        }`),
      );
      expect(data).toEqual({
        v: { name: '20' },
        build: { name: '22' },
        rc: { name: '24' },
        // FreeBSD has both "15" and "15.0": the longer one wins (src/domain/versions.ts).
        freebsd: { name: '15.0' },
        // As `go version` prints it.
        go: { name: '1.22' },
        noMatch: null,
        junk: null,
        noProduct: null,
      });
      const freebsd = products.find((p) => p.name === 'freebsd')!.releases.map((c) => c.name);
      expect(freebsd).toEqual(expect.arrayContaining(['15', '15.0']));
    });
  });

  describe('productByIdentifier', () => {
    const owners = (pred: (i: { type: string; id: string }) => boolean) =>
      new Set(products.filter((p) => p.identifiers.some(pred)).map((p) => p.name));

    it('every purl, with a version and qualifiers added, finds a product that declares it', async () => {
      const purls = products.flatMap((p) => p.identifiers.filter((i) => i.type === 'purl').map((i) => i.id));
      expect(purls.length).toBe(940);
      const answers = await lookUp<string, { name: string }>(
        server,
        purls,
        (purl) => `productByIdentifier(identifier: ${JSON.stringify(withVersion(purl))})`,
        'name',
      );
      const wrong = purls
        .map((purl, i) => {
          const candidates = owners((x) => x.type === 'purl' && purlIdentity(x.id) === purlIdentity(purl));
          return { purl, got: answers[i]?.name ?? null, candidates: [...candidates] };
        })
        .filter((r) => r.got === null || !r.candidates.includes(r.got));
      expect(wrong.slice(0, 5)).toEqual([]);
    });

    it('every CPE (2.3 and 2.2), with version components added, finds a product whose CPE is a prefix', async () => {
      const cpes = products.flatMap((p) => p.identifiers.filter((i) => i.type === 'cpe').map((i) => i.id));
      const given = (cpe: string) => (cpe.startsWith('cpe:2.3:') ? `${cpe}:1.2.3:*:*:*:*:*:*:*` : `${cpe}:1.2.3`);
      expect(cpes.filter((c) => c.startsWith('cpe:2.3:')).length).toBe(291);
      for (const c of cpes.filter((c) => c.startsWith('cpe:2.3:'))) expect(given(c).split(/(?<!\\):/)).toHaveLength(13);
      const answers = await lookUp<string, { name: string }>(
        server,
        cpes,
        (cpe) => `productByIdentifier(identifier: ${JSON.stringify(given(cpe))})`,
        'name',
      );
      const wrong = cpes
        .map((cpe, i) => {
          const candidates = owners((x) => x.type === 'cpe' && cpePrefixOf(x.id, given(cpe)));
          return { cpe, got: answers[i]?.name ?? null, candidates: [...candidates] };
        })
        .filter((r) => r.got === null || !r.candidates.includes(r.got));
      expect(wrong.slice(0, 5)).toEqual([]);
    });

    it('unknown identifiers (and a repology name) give null, known ones the product', async () => {
      const data = ok(
        await server.gql<Record<string, { name: string } | null>>(`{
          purl: productByIdentifier(identifier: "pkg:npm/no-such-package-eolgraph@1.0.0") { name }
          otherType: productByIdentifier(identifier: "pkg:cargo/react@18.2.0") { name }
          cpe: productByIdentifier(identifier: "cpe:2.3:a:no_vendor:no_product:1.0:*:*:*:*:*:*:*") { name }
          shortCpe: productByIdentifier(identifier: "cpe:2.3:a:nodejs") { name }
          junk: productByIdentifier(identifier: "definitely not an identifier") { name }
          brokenPurl: productByIdentifier(identifier: "pkg:") { name }
          react: productByIdentifier(identifier: "pkg:npm/react@18.2.0") { name }
          node: productByIdentifier(identifier: "cpe:2.3:a:nodejs:node.js:20.1.0:*:*:*:*:*:*:*") { name }
          repology: productByIdentifier(identifier: "nodejs") { name }
        }`),
      );
      expect(data).toEqual({
        purl: null,
        otherType: null,
        cpe: null,
        // A given CPE shorter than every stored one matches none.
        shortCpe: null,
        junk: null,
        brokenPurl: null,
        react: { name: 'react' },
        node: { name: 'nodejs' },
        repology: { name: 'nodejs' },
      });
      expect(products.find((p) => p.name === 'react')!.identifiers).toContainEqual({
        type: 'purl',
        id: 'pkg:npm/react',
      });
    });
  });

  describe('SQL statements per request (DataLoader batching)', () => {
    // Every relation and every computed field of every cycle (custom values and nested products
    // left out; with them it costs ~40,000, within the cost limit: test/integration/limits-corpus).
    const W2 = W2_EVERY_RELATION;
    type W2Result = { products: { totalCount: number; nodes: { releases: unknown[]; tags: string[] }[] } };

    it('W2, every product with every release and every computed field: at most 3 statements', async () => {
      const r = await server.gqlCounted<W2Result>(W2, { first: 500 });
      expect(r.errors).toBeUndefined();
      expect(r.data.products.nodes).toHaveLength(464);
      expect(r.data.products.nodes.flatMap((p) => p.releases)).toHaveLength(8351);
      expect(r.statements).toBeGreaterThan(0);
      expect(r.statements).toBeLessThanOrEqual(3);
    });

    it('W2: the statement count does not grow with the number of products (first: 10 vs first: 500)', async () => {
      const small = await server.gqlCounted<W2Result>(W2, { first: 10 });
      const large = await server.gqlCounted<W2Result>(W2, { first: 500 });
      expect(small.errors).toBeUndefined();
      expect(large.errors).toBeUndefined();
      expect(small.data.products.nodes).toHaveLength(10);
      expect(large.data.products.nodes).toHaveLength(464);
      expect(large.statements).toBe(small.statements);
    });

    it('W1, one product with its releases and every computed field: at most 3 statements', async () => {
      const r = await server.gqlCounted<{ product: { releases: unknown[] } }>(`{
        product(name: "node", asOf: "${AS_OF}") {
          name label tags aliases identifiers { type id } labels { eol } maintainedReleaseCount
          latestRelease { name label }
          releases { name label isLts ltsFrom isEoas eoasFrom isEol eolFrom isEoes eoesFrom isMaintained
            daysUntilEol supportPhase latest { name date link } custom { name value } product { name } }
        } }`);
      expect(r.errors).toBeUndefined();
      expect(r.data.product.releases.length).toBeGreaterThan(20);
      expect(r.statements).toBeGreaterThan(0);
      expect(r.statements).toBeLessThanOrEqual(3);
    });

    it('W3, releaseCycles(eolWithinDays: 90) with product { name label category }: at most 3 statements', async () => {
      const r = await server.gqlCounted<{
        releaseCycles: { totalCount: number; nodes: { product: { name: string } }[] };
      }>(`{
        releaseCycles(filter: { eolWithinDays: 90 }, orderBy: { field: EOL_FROM }, first: 500, asOf: "${AS_OF}") {
          totalCount
          nodes { product { name label category } name label eolFrom daysUntilEol isMaintained supportPhase latest { link } }
        } }`);
      expect(r.errors).toBeUndefined();
      const nodes = r.data.releaseCycles.nodes;
      expect(nodes.length).toBe(r.data.releaseCycles.totalCount);
      // Cycles of many different products: each would cost a statement without batching.
      expect(new Set(nodes.map((n) => n.product.name)).size).toBeGreaterThan(20);
      expect(r.statements).toBeGreaterThan(0);
      expect(r.statements).toBeLessThanOrEqual(3);
    });
  });
});
