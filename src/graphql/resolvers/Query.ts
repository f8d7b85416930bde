import { categoryCounts, tagCounts } from '../../data/products.ts';
import {
  findCycles,
  findProducts,
  productByName,
  productForIdentifier,
  releaseCycleByName,
  releaseCycleForVersion,
} from '../catalog.ts';
import { asOfFor } from '../context.ts';
import type { QueryResolvers } from '../generated/resolvers-types.ts';

export const Query: QueryResolvers = {
  product: (_, { name, asOf }, ctx) => productByName(ctx, name, asOf),
  products: (_, args, ctx, info) => findProducts(ctx, args, info),
  releaseCycle: (_, { product, name, asOf }, ctx) => releaseCycleByName(ctx, product, name, asOf),
  releaseCycles: (_, args, ctx, info) => findCycles(ctx, args, info),
  productByIdentifier: (_, { identifier, asOf }, ctx) => productForIdentifier(ctx, identifier, asOf),
  resolveVersion: (_, { product, version, asOf }, ctx) => releaseCycleForVersion(ctx, product, version, asOf),
  categories: (_, __, ctx) => categoryCounts(ctx.sql),
  tags: (_, __, ctx) => tagCounts(ctx.sql),
  today: (_, __, ctx) => asOfFor(ctx, null),
};
