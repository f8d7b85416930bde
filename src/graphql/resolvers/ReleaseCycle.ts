import { productNodeById } from '../catalog.ts';
import type { ReleaseCycleResolvers } from '../generated/resolvers-types.ts';

// label and latest are plain fields of CycleNode (src/graphql/models.ts says why).
export const ReleaseCycle: ReleaseCycleResolvers = {
  custom: async (c, _, ctx) => c.customFor(await ctx.loaders.customFieldsByProductId.load(c.productId)),
  product: (c, _, ctx) => productNodeById(ctx, c.productId, c.asOf),
};
