import type { ProductRow } from '../../data/rows.ts';
import { productNodeById } from '../catalog.ts';
import type { Context } from '../context.ts';
import type { ReleaseCycleResolvers } from '../generated/resolvers-types.ts';
import type { CycleNode } from '../models.ts';

/**
 * Applies f to the cycle's product row: synchronously when the cycle came with it (the common,
 * large case: Product.releases), so graphql-js stays on its synchronous path for thousands of
 * cycles; through the product loader otherwise.
 */
function withProduct<T>(c: CycleNode, ctx: Context, f: (p: ProductRow) => T): T | Promise<T> {
  if (c.productRow) return f(c.productRow);
  return productNodeById(ctx, c.productId, c.asOf).then((p) => f(p.row));
}

export const ReleaseCycle: ReleaseCycleResolvers = {
  label: (c, _, ctx) => withProduct(c, ctx, (p) => c.labelFor(p)),
  latest: (c, _, ctx) => withProduct(c, ctx, (p) => c.latestFor(p)),
  custom: async (c, _, ctx) => c.customFor(await ctx.loaders.customFieldsByProductId.load(c.productId)),
  product: (c, _, ctx) => productNodeById(ctx, c.productId, c.asOf),
};
