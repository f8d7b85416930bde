// Per-request DataLoaders, one per relation, created fresh for every request (never shared: they
// cache). Each batch function issues one statement for all its keys and returns results in key
// order. Tags, aliases, identifiers and custom fields come from one shared batch (productRelations),
// so asking for all of them for every product still costs a single statement.
//
// When the request has an in-memory catalogue (src/data/snapshot.ts: only while change
// notifications are reliable), the batch functions read it instead of querying, and the `…Of`
// readers below answer at once, without a loader: a value instead of a promise saves graphql-jit
// its promise handling for every product of a list (on the products of one tag, half of the
// memory a request allocated went to loads that the catalogue answered anyway).
import DataLoader from 'dataloader';
import { productBodies, productRelations, productsByIds, productsByNames } from '../data/products.ts';
import { cyclesByProductIds } from '../data/release-cycles.ts';
import type { CycleRow, ProductRelations, ProductRow } from '../data/rows.ts';
import type { CatalogData } from '../data/snapshot.ts';
import type { Sql } from '../db/database.ts';

const NO_RELATIONS: ProductRelations = Object.freeze({ tags: [], aliases: [], identifiers: [], customFields: [] });
const NO_CYCLES: readonly CycleRow[] = Object.freeze([]);

/** A value now (from the in-memory catalogue) or later (from a loader). */
export type Eventually<T> = T | Promise<T>;

/** f of the value, now if it is there, else when it arrives (not named `then`: a module exporting
 * `then` is a thenable, and importing it dynamically would call it). */
export function eventually<T, U>(value: Eventually<T>, f: (v: T) => U): Eventually<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

export function createLoaders(sql: Sql, catalog: CatalogData | null = null) {
  const productById = new DataLoader<number, ProductRow | null>(async (ids) => {
    if (catalog) return ids.map((id) => catalog.productsById.get(id) ?? null);
    const rows = await productsByIds(sql, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  const productByName = new DataLoader<string, ProductRow | null>(async (keys) => {
    if (catalog) {
      return keys.map((k) => {
        const id = catalog.productIdByKey.get(k);
        return id === undefined ? null : (catalog.productsById.get(id) ?? null);
      });
    }
    const found = await productsByNames(sql, keys);
    for (const row of found.values()) productById.prime(row.id, row);
    return keys.map((k) => found.get(k) ?? null);
  });

  const releasesByProductId = new DataLoader<number, CycleRow[]>(async (ids) => {
    if (catalog) return ids.map((id) => catalog.cyclesByProductId.get(id) ?? (NO_CYCLES as CycleRow[]));
    const rows = await cyclesByProductIds(sql, ids);
    const byProduct = new Map<number, CycleRow[]>();
    for (const r of rows) {
      const list = byProduct.get(r.productId);
      if (list) list.push(r);
      else byProduct.set(r.productId, [r]);
    }
    return ids.map((id) => byProduct.get(id) ?? []);
  });

  const relationsByProductId = new DataLoader<number, ProductRelations>(async (ids) => {
    if (catalog) return ids.map((id) => catalog.relations.get(id) ?? NO_RELATIONS);
    const found = await productRelations(sql, ids);
    return ids.map((id) => found.get(id) ?? NO_RELATIONS);
  });
  const bodyByProductId = new DataLoader<number, string>(async (ids) => {
    const found = await productBodies(sql, ids);
    return ids.map((id) => found.get(id) ?? '');
  });

  return {
    productById,
    productByName,
    releasesByProductId,
    relationsByProductId,
    bodyByProductId,
    /** A product's row by id (null when there is none). */
    productOf: (id: number): Eventually<ProductRow | null> =>
      catalog ? (catalog.productsById.get(id) ?? null) : productById.load(id),
    /** A product's cycle rows in document order (the same array while the data is unchanged). */
    releaseRowsOf: (id: number): Eventually<readonly CycleRow[]> =>
      catalog ? (catalog.cyclesByProductId.get(id) ?? NO_CYCLES) : releasesByProductId.load(id),
    /** A product's tags, aliases, identifiers and custom fields. */
    relationsOf: (id: number): Eventually<ProductRelations> =>
      catalog ? (catalog.relations.get(id) ?? NO_RELATIONS) : relationsByProductId.load(id),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
