// Limits that keep one request from taking the service down. Each refusal is a GraphQL error whose
// extensions.code names the limit, with the limit and the value seen in the message and in
// extensions { limit, value }. Depth and aliases use graphql-armor's rules, cost uses
// graphql-query-complexity; the root-field count is a few lines of our own.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isLeafType,
  isListType,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxRootFields: number;
  maxQueryBytes: number;
  maxTokens: number;
  maxBatch: number;
  maxPageSize: number;
}

export const defaultQueryLimits: QueryLimits = {
  maxDepth: 10,
  maxCost: 100_000,
  maxAliases: 15,
  maxRootFields: 10,
  maxQueryBytes: 20_000,
  maxTokens: 5_000,
  maxBatch: 5,
  maxPageSize: 500,
};

/** The estimate of cycles per product used by the cost of Product.releases (corpus mean: 18). */
export const RELEASES_PER_PRODUCT = 20;
/** Other lists below the root (identifiers: mean 3.6; custom fields, warnings: fewer). */
export const SMALL_LIST = 3;

export function limitError(code: string, what: string, limit: number, value: number): GraphQLError {
  return new GraphQLError(`${what}: the limit is ${limit}, this request has ${value}`, {
    extensions: { code, limit, value, http: { status: 400 } },
  });
}

/**
 * The lexical tokens of a query as graphql-js counts them for its maxTokens parse option
 * (comments do not count); up to the first lexical error, if there is one.
 */
export function countTokens(query: string): number {
  const lexer = new Lexer(new Source(query));
  let n = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) n++;
  } catch {
    /* a lexical error: the tokens before it */
  }
  return n;
}

const foundIn = (message: string): number => Number(/found (\d+)/.exec(message)?.[1] ?? NaN);

/** Validation rules for depth, aliases and root fields. */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  const rootFields: ValidationRule = (context: ValidationContext) => ({
    OperationDefinition(op) {
      const count = op.selectionSet.selections.filter(
        (s) => s.kind === Kind.FIELD && !s.name.value.startsWith('__'),
      ).length;
      if (count > limits.maxRootFields) {
        context.reportError(
          limitError('TOO_MANY_ROOT_FIELDS', 'Too many root fields in one operation', limits.maxRootFields, count),
        );
      }
    },
  });
  return [
    maxDepthRule({
      n: limits.maxDepth,
      propagateOnRejection: false,
      onReject: [
        (ctx, err) =>
          (ctx as ValidationContext).reportError(
            limitError('QUERY_TOO_DEEP', 'The query is nested too deeply', limits.maxDepth, foundIn(err.message)),
          ),
      ],
    }),
    maxAliasesRule({
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [
        (ctx, err) =>
          (ctx as ValidationContext).reportError(
            limitError('TOO_MANY_ALIASES', 'Too many aliases in the query', limits.maxAliases, foundIn(err.message)),
          ),
      ],
    }),
    rootFields,
  ];
}

/**
 * The cost of a query: an object costs 1, leaves (scalars, enums) nothing, and a list costs 1 per
 * item it can return plus what is selected on each: `first` items (default 100) for the
 * connections, RELEASES_PER_PRODUCT for Product.releases, SMALL_LIST for other lists (100 at the
 * root). The API v1 catalogue query (W2: products(first: 500) with every release field) costs
 * ~25,000 and the same with every field of every type ~80,000; a query that nests pages in pages
 * (cycles → product → releases → product → releases) costs over 200,000.
 */
export function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName?: string | null,
): number {
  const estimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
    if (isLeafType(getNamedType(field.type))) return 0;
    // Each item of a list costs 1 plus what is selected on it.
    const items = (n: number) => 1 + n * (1 + childComplexity);
    if (type.name === 'Query' && (field.name === 'products' || field.name === 'releaseCycles')) {
      return items(typeof args.first === 'number' && args.first >= 0 ? args.first : 100);
    }
    // A connection's nodes/edges were counted by the connection field itself (× first).
    if (type.name.endsWith('Connection') && (field.name === 'nodes' || field.name === 'edges')) return childComplexity;
    if (type.name === 'Product' && field.name === 'releases') return items(RELEASES_PER_PRODUCT);
    if (isListType(getNullableType(field.type))) return items(type.name === 'Query' ? 100 : SMALL_LIST);
    return 1 + childComplexity;
  };
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName: operationName ?? undefined,
    estimators: [estimator],
  });
}
