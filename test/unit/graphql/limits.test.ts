// The cost estimate (src/graphql/limits.ts): an upper bound of the objects an answer can hold,
// from the catalogue's figures. A list under one parent is charged at the largest there is, under
// distinct parents at no more than the catalogue holds, and through a back-reference
// (ReleaseCycle.product) in full for every parent; so nesting that multiplies costs the product of
// its bounds. Also the root-field count through fragments.
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getIntrospectionQuery, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { CatalogData } from '../../../src/data/snapshot.ts';
import {
  catalogFigures,
  costOf,
  estimateCost,
  FIGURE_FLOORS,
  InvalidVariablesError,
  largerFigures,
  listsWithoutBound,
  rootFieldCount,
} from '../../../src/graphql/limits.ts';
import { typeDefs } from '../../../src/graphql/schema.ts';

const schema = makeExecutableSchema({ typeDefs });
const cost = (query: string, variables: Record<string, unknown> = {}) => costOf(schema, parse(query), variables);
const F = FIGURE_FLOORS;

describe('the cost estimate', () => {
  it('has a bound for every list of objects in the schema (introspection included)', () => {
    expect(listsWithoutBound(schema)).toEqual([]);
  });

  it('counts objects, not leaves; connections by first (default 100), at most the catalogue', () => {
    expect(cost('{ today }')).toBe(0);
    // The API has only queries: execution refuses anything else (BAD_USER_INPUT), nothing to count.
    expect(cost('mutation M { today }')).toBe(0);
    expect(cost('{ product(name: "go") { name label tags } }')).toBe(1);
    expect(cost('{ products(first: 7) { totalCount nodes { name } } }')).toBe(1 + 7);
    expect(cost('{ products { nodes { name } } }')).toBe(1 + 100);
    expect(cost('{ products(first: 100000) { nodes { name } } }')).toBe(1 + F.products);
    expect(cost('{ releaseCycles(first: 100000) { nodes { name } } }')).toBe(1 + F.cycles);
    expect(cost('query($n: Int) { products(first: $n) { nodes { name } } }', { n: 3 })).toBe(1 + 3);
    expect(cost('{ products(first: 5) { pageInfo { hasNextPage } edges { cursor node { name } } } }')).toBe(
      1 + 1 + 5 + 5,
    );
  });

  it('a list under one product: the largest product; under distinct products: at most the catalogue', () => {
    expect(cost('{ product(name: "go") { releases { name } } }')).toBe(1 + F.maxCyclesPerProduct);
    expect(cost('{ products(first: 3) { nodes { releases { name } } } }')).toBe(1 + 3 + 3 * F.maxCyclesPerProduct);
    expect(cost('{ products(first: 500) { nodes { releases { name } } } }')).toBe(1 + 500 + F.cycles);
    expect(cost('{ products(first: 500) { edges { node { releases { name } } } } }')).toBe(1 + 500 + 500 + F.cycles);
    expect(cost('{ products(first: 500) { nodes { identifiers { id } } } }')).toBe(1 + 500 + F.identifiers);
    // A product's releases are distinct cycles: their custom values are at most all there are.
    expect(cost('{ products(first: 500) { nodes { releases { custom { value } } } } }')).toBe(
      1 + 500 + F.cycles + F.customValues,
    );
  });

  it('through a back-reference (ReleaseCycle.product) the products repeat: each is charged in full', () => {
    expect(cost('{ releaseCycles(first: 10) { nodes { product { releases { name } } } } }')).toBe(
      1 + 10 + 10 + 10 * F.maxCyclesPerProduct,
    );
    expect(cost('{ product(name: "go") { releases { product { releases { name } } } } }')).toBe(
      1 + F.maxCyclesPerProduct + F.maxCyclesPerProduct + F.maxCyclesPerProduct ** 2,
    );
    // And again: the product of the bounds (the reviewer's query, 125 million).
    expect(
      cost('{ product(name:"samsung-mobile"){ releases { product { releases { product { releases { name } } } } } } }'),
    ).toBe(1 + 500 + 500 + 500 ** 2 + 500 ** 2 + 500 ** 3);
    // A single object owned by a distinct product stays distinct; a product reached back is not.
    expect(cost('{ products(first: 500) { nodes { latestRelease { custom { value } } } } }')).toBe(
      1 + 500 + 500 + F.customValues,
    );
    expect(cost('{ products(first: 500) { nodes { latestRelease { product { identifiers { id } } } } } }')).toBe(
      1 + 500 + 500 + 500 + 500 * F.maxIdentifiersPerProduct,
    );
  });

  it('the whole catalogue fits the default budget of 100,000; pages in pages do not', () => {
    const w2 = `{ products(first: 500) { nodes { name identifiers { type id } releases { name label isEol
      latest { name date link } } } } }`;
    expect(cost(w2)).toBe(1 + 500 + F.identifiers + F.cycles + F.cycles);
    expect(cost(w2)).toBeLessThan(100_000);
    expect(
      cost('{ releaseCycles(first: 500) { nodes { product { releases { product { releases { name } } } } } } }'),
    ).toBeGreaterThan(100_000_000);
  });

  it('follows the catalogue: larger figures, larger bounds', () => {
    const bigger = { ...F, maxCyclesPerProduct: 2_000, cycles: 50_000 };
    const q = parse(
      '{ product(name: "go") { releases { name } } products(first: 500) { nodes { releases { name } } } }',
    );
    expect(costOf(schema, q, {})).toBe(1 + 500 + 1 + 500 + 10_000);
    expect(costOf(schema, q, {}, null, bigger)).toBe(1 + 2_000 + 1 + 500 + 50_000);
  });

  it('merges fields as execution does, counts aliases apart, honours @skip and @include', () => {
    const one = 1 + F.maxCyclesPerProduct;
    expect(
      cost(
        '{ product(name: "go") { releases { name } ...P ... on Product { releases { label } } } } fragment P on Product { releases { slug } }',
      ),
    ).toBe(one);
    expect(cost('{ product(name: "go") { a: releases { name } b: releases { name } } }')).toBe(
      1 + 2 * F.maxCyclesPerProduct,
    );
    expect(cost('{ product(name: "go") { releases @skip(if: true) { name } } }')).toBe(1);
    const q = 'query($r: Boolean!) { product(name: "go") { releases @include(if: $r) { name } } }';
    expect(cost(q, { r: true })).toBe(one);
    expect(cost(q, { r: false })).toBe(1);
    // Fragments merged across the items of a list: still one list under each.
    expect(
      cost(
        '{ products(first: 2) { nodes { ...A ...B } } } fragment A on Product { releases { name } } fragment B on Product { releases { label } }',
      ),
    ).toBe(1 + 2 + 2 * F.maxCyclesPerProduct);
  });

  it('counts introspection with the schema own figures: the explorer query fits, nesting does not', () => {
    const explorer = cost(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(explorer).toBeGreaterThan(500);
    expect(explorer).toBeLessThan(10_000);
    // graphql-armor's depth limit leaves __schema alone: the cost must not.
    expect(
      cost('{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }'),
    ).toBeGreaterThan(100_000);
  });

  it('stops counting once past stopAbove (a lower bound), however a query repeats fragments', () => {
    // Each fragment spreads the one below it twice (through two fields): 2^40 paths.
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === 0
        ? 'fragment T0 on __Type { name }'
        : `fragment T${i} on __Type { ofType { ...T${i - 1} } fields { type { ...T${i - 1} } } }`,
    ).join('\n');
    const q = parse(`{ __schema { types { ...T${levels - 1} } } }\n${fragments}`);
    const started = performance.now();
    const r = estimateCost(schema, q, {}, { stopAbove: 100_000 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(r.complete).toBe(false);
    expect(r.cost).toBeGreaterThan(100_000);
    // Under the budget, counted to the end.
    expect(estimateCost(schema, parse('{ products { nodes { name } } }'), {}, { stopAbove: 100_000 })).toEqual({
      cost: 101,
      complete: true,
    });
  });

  it('throws InvalidVariablesError for variables that do not coerce (with every reason)', () => {
    const q = parse(
      'query($n: Int, $names: [String!]) { products(first: $n, filter: { names: $names }) { totalCount } }',
    );
    let error: unknown;
    try {
      costOf(schema, q, { n: 'x', names: [null] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidVariablesError);
    expect((error as InvalidVariablesError).errors).toHaveLength(2);
  });

  it('estimates a field whose arguments execution will refuse, rather than throw', () => {
    // null for a nullable variable with a default, into a non-null argument: a field error at
    // execution, the rest of the operation runs.
    const q = 'query($v: String = "go", $n: Int) { product(name: $v) { name } products(first: $n) { nodes { name } } }';
    expect(cost(q, { v: null })).toBe(1 + 1 + 100);
  });
});

describe('the catalogue figures', () => {
  const catalog = (
    products: { cycles: number; identifiers: number; custom: number; warnings: number; tags: string[] }[],
  ) =>
    ({
      productsById: new Map(
        products.map((p, id) => [
          id,
          { id, category: p.tags[0] ?? null, warnings: JSON.stringify(Array(p.warnings).fill({})) },
        ]),
      ),
      cyclesByProductId: new Map(products.map((p, id) => [id, Array(p.cycles).fill({})])),
      relations: new Map(
        products.map((p, id) => [
          id,
          {
            tags: p.tags,
            aliases: [],
            identifiers: Array(p.identifiers).fill({}),
            customFields: Array(p.custom).fill({}),
          },
        ]),
      ),
      productIdByKey: new Map(),
      loadedAt: new Date(),
    }) as unknown as CatalogData;

  it('are counted from the in-memory catalogue (once per catalogue)', () => {
    const c = catalog([
      { cycles: 3, identifiers: 2, custom: 1, warnings: 0, tags: ['lang', 'a'] },
      { cycles: 700, identifiers: 0, custom: 2, warnings: 4, tags: ['os', 'a'] },
    ]);
    const f = catalogFigures(c);
    expect(f).toEqual({
      products: 2,
      cycles: 703,
      maxCyclesPerProduct: 700,
      identifiers: 2,
      maxIdentifiersPerProduct: 2,
      customFields: 3,
      maxCustomFieldsPerProduct: 2,
      customValues: 3 + 1400,
      importWarnings: 4,
      maxImportWarningsPerProduct: 4,
      tags: 3,
    });
    expect(catalogFigures(c)).toBe(f);
    // Only what exceeds the floors raises them; otherwise the floors themselves (by identity).
    const raised = largerFigures(F, f);
    expect(raised).toEqual({ ...F, maxCyclesPerProduct: 700 });
    expect(largerFigures(raised, f)).toBe(raised);
    expect(largerFigures(F, catalogFigures(catalog([])))).toBe(F);
  });
});

describe('the root-field count', () => {
  const count = (query: string) => {
    const doc = parse(query);
    const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    const fragments = new Map(
      doc.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    );
    return rootFieldCount(op, (name) => fragments.get(name));
  };

  it('counts through inline and named fragments, once per response key, not __typename', () => {
    expect(count('{ a: today b: today }')).toBe(2);
    expect(count('{ ... on Query { a: today b: today } c: today }')).toBe(3);
    expect(count('{ ...F } fragment F on Query { a: today ...G } fragment G on Query { b: today c: today }')).toBe(3);
    expect(count('{ a: today ...F } fragment F on Query { a: today }')).toBe(1);
    expect(count('{ __typename today }')).toBe(1);
    // A fragment cycle (a validation error of its own) ends.
    expect(count('{ ...F } fragment F on Query { a: today ...G } fragment G on Query { ...F }')).toBe(1);
  });
});
