import { productNodeById } from '../catalog.ts';
import type { Context } from '../context.ts';
import type { ReleaseCycleResolvers } from '../generated/resolvers-types.ts';
import type { CycleNode } from '../models.ts';

// label and latest need the cycle's product row. A cycle usually came with it (Product.releases:
// thousands of cycles on the whole catalogue), and then they answer synchronously, without a
// closure per cycle, so graphql stays on its synchronous path; otherwise the row is loaded.

const productRowOf = (c: CycleNode, ctx: Context) => productNodeById(ctx, c.productId, c.asOf).then((p) => p.row);

export const ReleaseCycle: ReleaseCycleResolvers = {
  label: (c, _, ctx) => (c.productRow ? c.labelFor(c.productRow) : productRowOf(c, ctx).then((p) => c.labelFor(p))),
  latest: (c, _, ctx) => (c.productRow ? c.latestFor(c.productRow) : productRowOf(c, ctx).then((p) => c.latestFor(p))),
  custom: async (c, _, ctx) => c.customFor(await ctx.loaders.customFieldsByProductId.load(c.productId)),
  product: (c, _, ctx) => productNodeById(ctx, c.productId, c.asOf),
};
