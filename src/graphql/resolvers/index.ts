import type { Resolvers } from '../generated/resolvers-types.ts';
import { DateScalar, DateTimeScalar } from '../scalars.ts';
import { Product } from './Product.ts';
import { Query } from './Query.ts';
import { ReleaseCycle } from './ReleaseCycle.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query,
  Product,
  ReleaseCycle,
};
