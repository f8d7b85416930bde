import { productNodeById } from '../catalog.ts';
import type { ReleaseCycleResolvers } from '../generated/resolvers-types.ts';
import { eventually } from '../loaders.ts';

// label and latest are plain fields of CycleNode (src/graphql/models.ts says why).
export const ReleaseCycle: ReleaseCycleResolvers = {
  custom: (c, _, ctx) => eventually(ctx.loaders.relationsOf(c.productId), (r) => c.customFor(r.customFields)),
  product: (c, _, ctx) => productNodeById(ctx, c.productId, c.asOf),
};
