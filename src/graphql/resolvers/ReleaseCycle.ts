import { productNodeById } from '../catalog.ts';
import type { Context } from '../context.ts';
import type { ReleaseCycleResolvers } from '../generated/resolvers-types.ts';
import type { CycleNode } from '../models.ts';

async function productRowOf(c: CycleNode, ctx: Context) {
  if (c.productRow) return c.productRow;
  return (await productNodeById(ctx, c.productId, c.asOf)).row;
}

export const ReleaseCycle: ReleaseCycleResolvers = {
  label: async (c, _, ctx) => c.labelFor(await productRowOf(c, ctx)),
  latest: async (c, _, ctx) => c.latestFor(await productRowOf(c, ctx)),
  custom: async (c, _, ctx) => c.customFor(await ctx.loaders.customFieldsByProductId.load(c.productId)),
  product: (c, _, ctx) => productNodeById(ctx, c.productId, c.asOf),
};
