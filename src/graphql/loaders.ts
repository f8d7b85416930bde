// Per-request DataLoaders, one per relation, created fresh for every request (never shared: they
// cache). Each batch function issues one statement for all its keys and returns results in key
// order. Tags, aliases, identifiers and custom fields come from one shared batch (productRelations),
// so asking for all of them for every product still costs a single statement.
//
// When the request has an in-memory catalogue (src/data/snapshot.ts: only while change
// notifications are reliable), the batch functions read it instead of querying.
import DataLoader from 'dataloader';
import { productBodies, productRelations, productsByIds, productsByNames } from '../data/products.ts';
import { cyclesByProductIds } from '../data/release-cycles.ts';
import type { CustomFieldRow, CycleRow, IdentifierRow, ProductRelations, ProductRow } from '../data/rows.ts';
import type { CatalogData } from '../data/snapshot.ts';
import type { Sql } from '../db/database.ts';

const NO_RELATIONS: ProductRelations = Object.freeze({ tags: [], aliases: [], identifiers: [], customFields: [] });

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
    if (catalog) return ids.map((id) => catalog.cyclesByProductId.get(id) ?? []);
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
  // The per-relation loaders delegate to the shared batch: in one tick they all enqueue into it.
  const relation = <T>(pick: (r: ProductRelations) => T) =>
    new DataLoader<number, T>(async (ids) =>
      (await relationsByProductId.loadMany(ids)).map((r) => (r instanceof Error ? r : pick(r))),
    );

  const bodyByProductId = new DataLoader<number, string>(async (ids) => {
    const found = await productBodies(sql, ids);
    return ids.map((id) => found.get(id) ?? '');
  });

  return {
    productById,
    productByName,
    releasesByProductId,
    relationsByProductId,
    tagsByProductId: relation<string[]>((r) => r.tags),
    aliasesByProductId: relation<string[]>((r) => r.aliases),
    identifiersByProductId: relation<IdentifierRow[]>((r) => r.identifiers),
    customFieldsByProductId: relation<CustomFieldRow[]>((r) => r.customFields),
    bodyByProductId,
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
