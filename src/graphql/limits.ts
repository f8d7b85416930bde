// Limits that keep one request from taking the service down. Each refusal is a GraphQL error whose
// extensions.code names the limit, with the limit and the value seen in the message and in
// extensions { limit, value }. Depth and aliases use graphql-armor's rules; the root-field count
// and the cost estimate are our own.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  SchemaMetaFieldDef,
  Source,
  TokenKind,
  TypeMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { CatalogData } from '../data/snapshot.ts';
import { DEFAULT_PAGE_SIZE } from './pagination.ts';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxRootFields: number;
  maxQueryBytes: number;
  maxTokens: number;
  maxBatch: number;
  maxPageSize: number;
  /** Deepest nesting of objects and lists in a request's variables (and extensions): jsonDepth. */
  maxVariablesDepth: number;
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
  maxVariablesDepth: 20,
};

export function limitError(
  code: string,
  what: string,
  limit: number,
  value: number,
  options: {
    /** The value is where counting stopped, past the limit: the real one is at least that. */
    atLeast?: boolean;
    /** The HTTP status of the answer. */
    status?: number;
  } = {},
): GraphQLError {
  const { atLeast = false, status = 400 } = options;
  return new GraphQLError(`${what}: the limit is ${limit}, this request has ${atLeast ? 'at least ' : ''}${value}`, {
    extensions: { code, limit, value, http: { status } },
  });
}

/**
 * How deeply objects and arrays nest in a JSON value: 0 for a scalar, 1 for `{}` or `[1]`, 3 for
 * `{ "filter": { "eolBetween": { "from": "2024-01-01" } } }`. Without recursion (a stack of its own),
 * so that any value JSON.parse can build is measured, however deep: this is what keeps the
 * recursive consumers of variables (JSON.stringify, coercion, the cost estimate) from ever seeing
 * one deep enough to overflow the call stack.
 */
export function jsonDepth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let max = 0;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth > max) max = depth;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) {
        values.push(child as object);
        depths.push(depth + 1);
      }
    }
  }
  return max;
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

/**
 * The root fields an operation executes: its response keys (a field and its alias), counted
 * through inline fragments and named fragments (`{ ... on Query { a: today b: today } }` has two),
 * once per key as execution merges them; __typename and introspection are not counted.
 */
export function rootFieldCount(
  operation: OperationDefinitionNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
): number {
  const keys = new Set<string>();
  const visited = new Set<string>();
  const collect = (selections: readonly SelectionNode[]) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) keys.add((s.alias ?? s.name).value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        collect(s.selectionSet.selections);
      } else if (!visited.has(s.name.value)) {
        visited.add(s.name.value); // also ends a fragment cycle (itself a validation error)
        const f = fragment(s.name.value);
        if (f) collect(f.selectionSet.selections);
      }
    }
  };
  collect(operation.selectionSet.selections);
  return keys.size;
}

/**
 * Validation rules for depth, aliases and root fields. graphql-armor counts aliases and depth
 * through inline and named fragments (a test holds it to that).
 */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  const rootFields: ValidationRule = (context: ValidationContext) => ({
    OperationDefinition(op) {
      const count = rootFieldCount(op, (name) => context.getFragment(name));
      if (count > limits.maxRootFields) {
        context.reportError(
          limitError('TOO_MANY_ROOT_FIELDS', 'Too many root fields in one operation', limits.maxRootFields, count),
        );
      }
    },
  });
  // graphql-js (16) validates no operation type the schema lacks: executing `subscription { … }`
  // then failed without a code (an INTERNAL_SERVER_ERROR). It is the client's mistake, refused here
  // in graphql-js's words, on either executor.
  const knownOperationType: ValidationRule = (context: ValidationContext) => ({
    OperationDefinition(op) {
      if (context.getSchema().getRootType(op.operation)) return;
      context.reportError(
        new GraphQLError(`Schema is not configured to execute ${op.operation} operation.`, {
          nodes: [op],
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      );
    },
  });
  return [
    knownOperationType,
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
      // graphql-armor leaves aliases of __typename out by default; a leaf costs nothing in the
      // estimate, so 1,200 of them under every cycle of the catalogue (a 19 KB query) made an
      // answer that took the 256 MB process down. Every alias counts.
      allowList: [],
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

// ---------------------------------------------------------------------------------------------
// The cost estimate
// ---------------------------------------------------------------------------------------------

/**
 * What the cost estimate needs to know about the catalogue: upper bounds of the lists a query can
 * ask for. The estimate is only as sound as these figures are large enough.
 */
export interface CatalogFigures {
  products: number;
  /** Release cycles, all products together. */
  cycles: number;
  /** Release cycles of the product with the most (Product.releases under any one product). */
  maxCyclesPerProduct: number;
  identifiers: number;
  maxIdentifiersPerProduct: number;
  /** Declared custom fields, all products together. */
  customFields: number;
  maxCustomFieldsPerProduct: number;
  /** ReleaseCycle.custom values of every cycle: the sum over products of cycles × custom fields. */
  customValues: number;
  importWarnings: number;
  maxImportWarningsPerProduct: number;
  /** Distinct tags (the categories are among them). */
  tags: number;
}

/**
 * The figures the estimate uses at the least: above those of the endoflife.date corpus of
 * 2026-08 (in brackets), so that the estimate does not depend on what is in memory at the time
 * and a catalogue somewhat larger than the corpus is still within them. A larger catalogue raises
 * them as soon as it is in memory (catalogFigures).
 */
export const FIGURE_FLOORS: Readonly<CatalogFigures> = Object.freeze({
  products: 500, // (464)
  cycles: 10_000, // (8,351)
  maxCyclesPerProduct: 500, // (437: samsung-mobile; then motorola-mobility 155, chrome 144)
  identifiers: 2_000, // (1,683)
  maxIdentifiersPerProduct: 250, // (210: bellsoft-liberica)
  customFields: 150, // (96)
  maxCustomFieldsPerProduct: 10, // (6)
  customValues: 2_000, // (1,487)
  importWarnings: 500, // (25: they follow the importer's rules, which grow)
  maxImportWarningsPerProduct: 100, // (18)
  tags: 100, // (87, of which 9 categories)
});

const figuresOfCatalog = new WeakMap<CatalogData, CatalogFigures>();

/** The figures of an in-memory catalogue (computed once per catalogue: it is immutable). */
export function catalogFigures(catalog: CatalogData): CatalogFigures {
  let f = figuresOfCatalog.get(catalog);
  if (f) return f;
  f = {
    products: catalog.productsById.size,
    cycles: 0,
    maxCyclesPerProduct: 0,
    identifiers: 0,
    maxIdentifiersPerProduct: 0,
    customFields: 0,
    maxCustomFieldsPerProduct: 0,
    customValues: 0,
    importWarnings: 0,
    maxImportWarningsPerProduct: 0,
    tags: 0,
  };
  const tags = new Set<string>();
  for (const [id, product] of catalog.productsById) {
    const cycles = catalog.cyclesByProductId.get(id)?.length ?? 0;
    const rel = catalog.relations.get(id);
    const identifiers = rel?.identifiers.length ?? 0;
    const customFields = rel?.customFields.length ?? 0;
    let warnings = 0;
    try {
      const w: unknown = JSON.parse(product.warnings);
      if (Array.isArray(w)) warnings = w.length;
    } catch {
      /* none readable: the API shows none */
    }
    f.cycles += cycles;
    f.maxCyclesPerProduct = Math.max(f.maxCyclesPerProduct, cycles);
    f.identifiers += identifiers;
    f.maxIdentifiersPerProduct = Math.max(f.maxIdentifiersPerProduct, identifiers);
    f.customFields += customFields;
    f.maxCustomFieldsPerProduct = Math.max(f.maxCustomFieldsPerProduct, customFields);
    f.customValues += cycles * customFields;
    f.importWarnings += warnings;
    f.maxImportWarningsPerProduct = Math.max(f.maxImportWarningsPerProduct, warnings);
    for (const t of rel?.tags ?? []) tags.add(t);
    if (product.category) tags.add(product.category);
  }
  f.tags = tags.size;
  figuresOfCatalog.set(catalog, f);
  return f;
}

/** Each figure the larger of the two; `a` itself when `b` raises none (callers compare identity). */
export function largerFigures(a: Readonly<CatalogFigures>, b: Readonly<CatalogFigures>): Readonly<CatalogFigures> {
  let out: CatalogFigures | null = null;
  for (const k of Object.keys(a) as (keyof CatalogFigures)[]) {
    if (b[k] > a[k]) (out ??= { ...a })[k] = b[k];
  }
  return out ? Object.freeze(out) : a;
}

/** At most this many items per parent; at most `total` under a set of distinct parents. */
interface ListBound {
  perParent: number;
  total: number;
  /**
   * Each item belongs to one parent (a cycle to its product, a field to its type): the items
   * under distinct parents are distinct. Not so for references (a type's interfaces).
   */
  owned: boolean;
}

/** Introspection's lists, from the schema (computed once per schema). */
interface SchemaFigures {
  [list: string]: ListBound;
}
const figuresOfSchema = new WeakMap<GraphQLSchema, SchemaFigures>();
function schemaFigures(schema: GraphQLSchema): SchemaFigures {
  let s = figuresOfSchema.get(schema);
  if (s) return s;
  const tally = () => ({ perParent: 0, total: 0, owned: true });
  const add = (b: ListBound, n: number) => {
    b.perParent = Math.max(b.perParent, n);
    b.total += n;
  };
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  s = {
    '__Schema.types': { perParent: types.length, total: types.length, owned: true },
    '__Schema.directives': { perParent: directives.length, total: directives.length, owned: true },
    '__Type.fields': tally(),
    '__Type.inputFields': tally(),
    '__Type.enumValues': tally(),
    '__Type.interfaces': { ...tally(), owned: false },
    '__Type.possibleTypes': { ...tally(), owned: false },
    '__Field.args': tally(),
    '__Directive.args': tally(),
  };
  for (const t of types) {
    if (isObjectType(t) || isInterfaceType(t)) {
      const fields = Object.values(t.getFields());
      add(s['__Type.fields']!, fields.length);
      add(s['__Type.interfaces']!, t.getInterfaces().length);
      for (const f of fields) add(s['__Field.args']!, f.args.length);
    }
    if (isAbstractType(t)) add(s['__Type.possibleTypes']!, schema.getPossibleTypes(t).length);
    if (isInputObjectType(t)) add(s['__Type.inputFields']!, Object.keys(t.getFields()).length);
    if (isEnumType(t)) add(s['__Type.enumValues']!, t.getValues().length);
  }
  for (const d of directives) add(s['__Directive.args']!, d.args.length);
  figuresOfSchema.set(schema, s);
  return s;
}

/** The lists of objects below the root and what bounds them (`f`: the catalogue's figures). */
const LIST_BOUNDS: Record<string, (f: Readonly<CatalogFigures>) => ListBound> = {
  'Query.categories': (f) => ({ perParent: f.tags, total: f.tags, owned: true }),
  'Query.tags': (f) => ({ perParent: f.tags, total: f.tags, owned: true }),
  'Product.releases': (f) => ({ perParent: f.maxCyclesPerProduct, total: f.cycles, owned: true }),
  'Product.identifiers': (f) => ({ perParent: f.maxIdentifiersPerProduct, total: f.identifiers, owned: true }),
  'Product.customFields': (f) => ({ perParent: f.maxCustomFieldsPerProduct, total: f.customFields, owned: true }),
  'Product.importWarnings': (f) => ({
    perParent: f.maxImportWarningsPerProduct,
    total: f.importWarnings,
    owned: true,
  }),
  'ReleaseCycle.custom': (f) => ({ perParent: f.maxCustomFieldsPerProduct, total: f.customValues, owned: true }),
};

/** Connections: their nodes and edges are bounded by `first` and by the catalogue. */
const CONNECTION_TOTALS: Record<string, (f: Readonly<CatalogFigures>) => number> = {
  ProductConnection: (f) => f.products,
  ReleaseCycleConnection: (f) => f.cycles,
};
const CONNECTION_LISTS = new Set(['nodes', 'edges']);

/**
 * Single objects whose object is owned by its parent (distinct parents, distinct objects). The
 * others are references (ReleaseCycle.product: many cycles, one product) and are not.
 */
const OWNED_OBJECTS = new Set(['Product.latestRelease', 'ProductEdge.node', 'ReleaseCycleEdge.node']);

/** Per parent for a list of objects no rule above covers (the unit tests see that none is left). */
const UNKNOWN_LIST = 1_000;

/** Every list of objects in the schema that no rule of the estimate covers (for the tests). */
export function listsWithoutBound(schema: GraphQLSchema): string[] {
  const intro = schemaFigures(schema);
  const out: string[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (!isObjectType(t)) continue;
    for (const field of Object.values(t.getFields())) {
      const key = `${t.name}.${field.name}`;
      if (!isListType(getNullableType(field.type)) || isLeafType(getNamedType(field.type))) continue;
      if (LIST_BOUNDS[key] || intro[key] || (CONNECTION_TOTALS[t.name] && CONNECTION_LISTS.has(field.name))) continue;
      out.push(key);
    }
  }
  return out;
}

export interface CostEstimate {
  cost: number;
  /** False when counting stopped once past `stopAbove`: the cost is then a lower bound. */
  complete: boolean;
}

/** The variables do not fit the operation's definitions: execution refuses them (BAD_USER_INPUT). */
export class InvalidVariablesError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
}

const STOP = Symbol('stop');

/**
 * The cost of an operation: the number of objects its answer can hold, at the most (leaves,
 * scalars and enums, count nothing). Every object field counts its parents' number: one object
 * each, and for a list the items it can return. The bounds are the catalogue's (figures):
 *
 * - a connection's nodes and edges: `first` (default 100), and no more than the catalogue holds;
 * - a list under one parent: the largest there is (Product.releases: the product with the most
 *   cycles);
 * - a list under a set of distinct parents: also no more than the catalogue's total (the releases
 *   of a page of products are at most all the cycles). Parents are distinct under a root field,
 *   under a connection's page, and under lists and objects they own (a product's releases, its
 *   latestRelease); they are not through a back-reference: the products of a list of cycles
 *   repeat (`releaseCycles { nodes { product } }`: 500 cycles may be 500 times samsung-mobile),
 *   and the releases under them are charged in full for each (500 × 500);
 * - introspection: the same rules, with the schema's own figures.
 *
 * So nesting that multiplies costs the product of its bounds, and the whole catalogue what it
 * holds. Fields and fragments are merged as execution merges them; @skip/@include are honoured.
 * Counting stops once past `stopAbove` (the cost then says at least how much): the work is
 * bounded by it however a query repeats fragments. Throws InvalidVariablesError when the
 * variables do not coerce.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  options: {
    /** The operation to estimate (as Apollo resolved it); else the one named operationName, or the only one. */
    operation?: OperationDefinitionNode;
    operationName?: string | null;
    figures?: Readonly<CatalogFigures>;
    stopAbove?: number;
  } = {},
): CostEstimate {
  const figures = options.figures ?? FIGURE_FLOORS;
  const stopAbove = options.stopAbove ?? Infinity;
  const intro = schemaFigures(schema);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation = options.operation;
  let operations = 0;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    if (d.kind === Kind.OPERATION_DEFINITION && !options.operation) {
      operations += 1;
      if (options.operationName ? d.name?.value === options.operationName : !operation) operation = d;
    }
  }
  if (!operation || (!options.operation && !options.operationName && operations > 1)) {
    throw new Error('no operation to estimate');
  }
  const root = schema.getRootType(operation.operation);
  if (!root) return { cost: 0, complete: true }; // a mutation or subscription: execution refuses it
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
  if (coerced.errors) throw new InvalidVariablesError(coerced.errors);
  const vars = coerced.coerced;

  const included = (node: SelectionNode): boolean => {
    try {
      if (getDirectiveValues(GraphQLSkipDirective, node, vars)?.if === true) return false;
      if (getDirectiveValues(GraphQLIncludeDirective, node, vars)?.if === false) return false;
    } catch {
      /* a directive argument execution will refuse: counted as included */
    }
    return true;
  };
  const applies = (typeName: string | undefined, type: GraphQLObjectType): boolean => {
    if (!typeName || typeName === type.name) return true;
    const condition = schema.getType(typeName);
    return !!condition && isAbstractType(condition) && schema.isSubType(condition, type);
  };
  /** Fields by response key, through fragments (each named fragment once), as execution does. */
  const collect = (
    type: GraphQLObjectType,
    set: SelectionSetNode,
    fields: Map<string, FieldNode[]>,
    visited: Set<string>,
  ): void => {
    for (const s of set.selections) {
      if (!included(s)) continue;
      if (s.kind === Kind.FIELD) {
        const key = (s.alias ?? s.name).value;
        const same = fields.get(key);
        if (same) same.push(s);
        else fields.set(key, [s]);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (applies(s.typeCondition?.name.value, type)) collect(type, s.selectionSet, fields, visited);
      } else if (!visited.has(s.name.value)) {
        visited.add(s.name.value);
        const f = fragments.get(s.name.value);
        if (f && applies(f.typeCondition.name.value, type)) collect(type, f.selectionSet, fields, visited);
      }
    }
  };

  let total = 0;
  /** The objects selected on `n` objects of `type` (distinct: no two are the same entity). */
  const visit = (
    type: GraphQLObjectType,
    sets: readonly SelectionSetNode[],
    n: number,
    distinct: boolean,
    page: number,
  ): void => {
    const fields = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    for (const set of sets) collect(type, set, fields, visited);
    for (const nodes of fields.values()) {
      const node = nodes[0]!;
      const name = node.name.value;
      const field: GraphQLField<unknown, unknown> | undefined =
        type === root && name === SchemaMetaFieldDef.name
          ? SchemaMetaFieldDef
          : type === root && name === TypeMetaFieldDef.name
            ? TypeMetaFieldDef
            : type.getFields()[name];
      if (!field) continue; // __typename (a leaf), or unknown (validation refused it)
      const named = getNamedType(field.type);
      if (isLeafType(named)) continue;
      const key = `${type.name}.${name}`;
      let count: number;
      let owned: boolean;
      if (isListType(getNullableType(field.type))) {
        const bound: ListBound =
          CONNECTION_TOTALS[type.name] && CONNECTION_LISTS.has(name)
            ? { perParent: page, total: Infinity, owned: true }
            : (LIST_BOUNDS[key]?.(figures) ?? intro[key] ?? { perParent: UNKNOWN_LIST, total: Infinity, owned: false });
        count = distinct ? Math.min(n * bound.perParent, bound.total) : n * bound.perParent;
        owned = bound.owned;
      } else {
        count = n;
        owned = OWNED_OBJECTS.has(key);
      }
      total += count;
      if (total > stopAbove) throw STOP;
      if (count === 0) continue;
      let childPage = 0;
      const connectionTotal = CONNECTION_TOTALS[named.name];
      if (connectionTotal) {
        let args: Record<string, unknown> | null = null;
        try {
          args = getArgumentValues(field, node, vars);
        } catch {
          /* execution refuses this field; counted as a page of everything meanwhile */
        }
        const first = args ? args.first : undefined;
        const asked = typeof first === 'number' ? Math.max(0, first) : args ? DEFAULT_PAGE_SIZE : Infinity;
        childPage = Math.min(asked, connectionTotal(figures));
      }
      const sets = nodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
      const childDistinct = count <= 1 || (distinct && owned);
      const types = isAbstractType(named) ? schema.getPossibleTypes(named) : isObjectType(named) ? [named] : [];
      for (const t of types) visit(t, sets, count, childDistinct, childPage);
    }
  };

  try {
    visit(root, [operation.selectionSet], 1, true, 0);
  } catch (e) {
    if (e !== STOP) throw e;
    return { cost: Math.min(total, Number.MAX_SAFE_INTEGER), complete: false };
  }
  return { cost: Math.min(total, Number.MAX_SAFE_INTEGER), complete: true };
}

/** estimateCost's cost, counted to the end. */
export function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName?: string | null,
  figures: Readonly<CatalogFigures> = FIGURE_FLOORS,
): number {
  return estimateCost(schema, document, variables, { operationName, figures }).cost;
}

/** The cost could not be estimated (not for invalid variables: a bug): the operation is not run. */
export function costUnknownError(cause: unknown): GraphQLError {
  return new GraphQLError('The cost of the query could not be estimated; it was not executed', {
    originalError: cause instanceof Error ? cause : new Error(String(cause)),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}
