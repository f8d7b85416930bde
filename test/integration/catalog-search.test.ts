// Reports and product lists are selected in memory while the catalogue is current
// (src/data/catalog-search.ts). That is only allowed because it is the SQL's exact twin: over the
// whole corpus, for every filter, order and date below, walking every page both ways gives the
// same cycles, sort keys, cursors' positions and totals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCodePoints, searchCyclesInCatalog, searchProductsInCatalog } from '../../src/data/catalog-search.ts';
import { searchProducts, type ProductSearch } from '../../src/data/products.ts';
import { searchCycles, type CycleHit, type CycleSearch } from '../../src/data/release-cycles.ts';
import { loadCatalog, type CatalogData } from '../../src/data/snapshot.ts';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { corpusDir, noCorpus } from '../helpers/env.ts';

// 2025-04-15 is the release date of 19 cycles, the EOL date of 10 and the end of active support
// of another: the boundaries (on the day itself) are where the two could differ.
const DATES = ['2019-03-15', '2025-04-15', '2026-08-22'];
const ORDERS: CycleSearch['order'][] = (['EOL_FROM', 'RELEASE_DATE', 'PRODUCT_NAME'] as const).flatMap((field) =>
  (['ASC', 'DESC'] as const).map((direction) => ({ field, direction })),
);
const CYCLE_FILTERS: Partial<CycleSearch>[] = [
  {},
  { isEol: true },
  { isEol: false },
  { isMaintained: true },
  { isMaintained: false, tag: 'database' },
  { isLts: true },
  { isReleased: false },
  { isReleased: true, category: 'os' },
  { supportPhases: ['EXTENDED', 'SECURITY_ONLY'] },
  { supportPhases: ['UNKNOWN'] },
  { products: ['nodejs', 'python', 'rhel', 'no-such-product'] },
  // aliases count as names
  { products: ['node', 'postgres', 'k8s'] },
  { product: 'k8s' },
  // product and products: both hold; an empty list matches nothing
  { product: 'node', products: ['nodejs', 'python'] },
  { product: 'nodejs', products: ['python'] },
  { products: [] },
  { eolFrom: '2024-01-01', eolTo: '2026-12-31' },
  { eolFrom: '2030-01-01' },
  { eolTo: '2010-06-30', isMaintained: true },
  { eolDated: true },
  { releaseDated: true, releasedFrom: '2020-02-29', releasedTo: '2021-03-01' },
  { releasedTo: '2005-01-01' },
];

const hitKey = (h: CycleHit) => `${h.row.id}|${h.sortKey}|${h.productName}|${h.row.position}`;

describe.skipIf(noCorpus('selecting in memory against SQL over the corpus'))(
  'selection in memory is the same as in SQL',
  () => {
    let t: TestDatabase;
    let data: CatalogData;

    beforeAll(async () => {
      t = await createImportedDatabase(corpusDir);
      data = await loadCatalog(t.db);
    }, 300_000);
    afterAll(async () => {
      await t?.drop();
    });

    /** Every page of a cycle search, by both paths, with totals. */
    async function walkCycles(base: CycleSearch) {
      const pages: { sql: string[]; memory: string[]; sqlTotal: number | null; memoryTotal: number | null }[] = [];
      let after: CycleSearch['after'] = null;
      for (;;) {
        const q = { ...base, after };
        const fromSql = await searchCycles(t.db, q);
        const fromMemory = searchCyclesInCatalog(data, q);
        expect(fromMemory, 'the catalogue can answer').not.toBeNull();
        const page = {
          sql: fromSql.rows.map(hitKey),
          memory: fromMemory!.rows.map(hitKey),
          sqlTotal: fromSql.total,
          memoryTotal: fromMemory!.total,
        };
        pages.push(page);
        if (fromSql.rows.length < base.first) return pages;
        const last = fromSql.rows.at(-1)!;
        after = { key: last.sortKey, product: last.productName, position: last.row.position };
      }
    }

    it('release cycles: every filter, order and date, page by page', async () => {
      let compared = 0;
      let nonEmpty = 0;
      for (const asOf of DATES)
        for (const order of ORDERS)
          for (const filter of CYCLE_FILTERS) {
            const base: CycleSearch = { asOf, order, after: null, first: 1_300, withCount: true, ...filter };
            const pages = await walkCycles(base);
            for (const p of pages) {
              expect(p.memory, JSON.stringify({ asOf, order, filter })).toEqual(p.sql);
              expect(p.memoryTotal).toBe(p.sqlTotal);
              compared += p.sql.length;
            }
            if (pages[0]!.sql.length > 0) nonEmpty += 1;
          }
      // The matrix really selects: most cases find cycles, and the unfiltered walks see them all.
      expect(nonEmpty).toBeGreaterThan(ORDERS.length * DATES.length * (CYCLE_FILTERS.length - 5));
      expect(compared).toBeGreaterThan(2 * ORDERS.length * 8_000);
    }, 300_000);

    it('release cycles: hand-made cursors (open-ended keys, a cycle that is not there) and no count', async () => {
      const cursors: CycleSearch['after'][] = [
        { key: 'infinity', product: 'a', position: 0 },
        { key: '-infinity', product: 'zzz', position: 99 },
        { key: '2023-04-30', product: 'nodejs', position: 3 },
        { key: '2023-04-30', product: 'no-such', position: 0 },
      ];
      for (const order of ORDERS)
        for (const after of cursors) {
          const q: CycleSearch = {
            asOf: '2026-08-22',
            order,
            first: 50,
            withCount: false,
            after:
              order.field === 'PRODUCT_NAME' && after
                ? { ...after, key: after.key.replace(/^-?infinity$|^\d.*/, 'nodejs') }
                : after,
          };
          const fromSql = await searchCycles(t.db, q);
          const fromMemory = searchCyclesInCatalog(data, q)!;
          expect(fromMemory.rows.map(hitKey), JSON.stringify(q)).toEqual(fromSql.rows.map(hitKey));
          expect(fromMemory.total).toBeNull();
        }
    }, 120_000);

    it('products: filters and pages as SQL has them; a text search is left to SQL', async () => {
      const filters: Partial<ProductSearch>[] = [
        {},
        { tag: 'database' },
        { category: 'lang' },
        { names: ['nodejs', 'node', 'rhel', 'k8s', 'nope'] },
        { hasMaintainedRelease: false },
        { hasMaintainedRelease: true, tag: 'os' },
        // Read from the per-tag and per-category lists: unknown ones, and both filters at once.
        { tag: 'nope' },
        { category: 'nope' },
        { tag: 'database', category: 'database' },
        { tag: 'database', category: 'server-app' },
        { category: 'os', names: ['rhel', 'nodejs', 'sles'] },
      ];
      for (const asOf of DATES)
        for (const filter of filters) {
          let after: string | null = null;
          for (;;) {
            const q: ProductSearch = { asOf, after, first: 37, withCount: true, ...filter };
            const fromSql = await searchProducts(t.db, q);
            const fromMemory = searchProductsInCatalog(data, q)!;
            expect(
              fromMemory.rows.map((r) => r.id),
              JSON.stringify(q),
            ).toEqual(fromSql.rows.map((r) => r.id));
            expect(fromMemory.total).toBe(fromSql.total);
            if (fromSql.rows.length < q.first) break;
            after = fromSql.rows.at(-1)!.name;
          }
        }
      expect(
        searchProductsInCatalog(data, { asOf: DATES[0]!, after: null, first: 10, withCount: false, search: 'linux' }),
      ).toBeNull();
    }, 120_000);

    it('leaves a catalogue with a date it cannot order to SQL', () => {
      const [productId, cycles] = [...data.cyclesByProductId][0]!;
      const odd = {
        ...data,
        cyclesByProductId: new Map([
          ...data.cyclesByProductId,
          [productId, [{ ...cycles[0]!, eolFrom: '10000-01-01' }]],
        ]),
      };
      const q: CycleSearch = { asOf: '2026-08-22', order: ORDERS[0]!, after: null, first: 10, withCount: false };
      expect(searchCyclesInCatalog(data, q)).not.toBeNull();
      expect(searchCyclesInCatalog(odd, q)).toBeNull();
    });
  },
);

describe('code-point order', () => {
  it('is the byte order of UTF-8 (PostgreSQL COLLATE "C")', () => {
    const alphabet = ['a', 'B', '-', '.', '0', 'é', '\u00ff', '\ud7ff', '\ue000', '\uffee', '😀', '𝔸', 'z'];
    const words: string[] = [];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    for (let i = 0; i < 400; i++) {
      let w = '';
      for (let j = rnd(5); j >= 0; j--) w += alphabet[rnd(alphabet.length)];
      words.push(w);
    }
    const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...words].sort(compareCodePoints)).toEqual(byBytes);
    // and it is not what JavaScript's own comparison gives for these words
    expect([...words].sort()).not.toEqual(byBytes);
  });
});
