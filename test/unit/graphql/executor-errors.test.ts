// The graphql-jit gateway (src/graphql/executor.ts) on requests it cannot run: bad variable values
// and operations that cannot be resolved or executed. It answers what graphql-js answers (the
// errors Apollo recognises as the client's), whatever graphql-jit itself would have said, and it
// never refuses a request graphql-js accepts.
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, getOperationAST, GraphQLScalarType, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { jitGateway } from '../../../src/graphql/executor.ts';
import { resolvers } from '../../../src/graphql/resolvers/index.ts';
import { typeDefs } from '../../../src/graphql/schema.ts';

const apiSchema = makeExecutableSchema({ typeDefs, resolvers: resolvers as never });

async function run(
  schema: GraphQLSchema,
  query: string,
  variables: Record<string, unknown>,
  operationName: string | null = null,
): Promise<ExecutionResult> {
  const { executor } = await jitGateway(schema).load({} as never);
  const document = parse(query);
  // As Apollo calls it: the request's operationName as sent, and the one it resolved (or null).
  const operation = getOperationAST(document, operationName);
  return (await executor!({
    document,
    request: { query, variables, operationName: operationName ?? undefined },
    queryHash: query,
    operation: operation ?? undefined,
    operationName: operation?.name?.value ?? null,
    context: { facts: { usedToday: false, hadErrors: false } },
  } as never)) as ExecutionResult;
}

/** What graphql-js's execute answers (the graphql-js executor's answer before Apollo formats it). */
async function graphqlJs(query: string, variables: Record<string, unknown>, operationName?: string) {
  return execute({ schema: apiSchema, document: parse(query), variableValues: variables, operationName });
}

const messages = (r: ExecutionResult) => r.errors?.map((e) => e.message);

describe('the jit gateway on bad variables', () => {
  it.each([
    ['query($a: Date) { product(name: "nodejs", asOf: $a) { asOf } }', { a: '2026-13-01' }],
    [
      'query($f: ReleaseCycleFilter) { releaseCycles(filter: $f) { totalCount } }',
      { f: { eolBetween: { from: '2026-02-31' } } },
    ],
    ['query($f: ReleaseCycleFilter) { releaseCycles(filter: $f) { totalCount } }', { f: { supportPhase: 'NONE' } }],
    ['query($f: ReleaseCycleFilter) { releaseCycles(filter: $f) { totalCount } }', { f: { releasedBetween: [] } }],
    ['query($f: Int) { products(first: $f) { totalCount } }', { f: 'x' }],
    ['query($f: Int) { products(first: $f) { totalCount } }', { f: 2_147_483_648 }],
    ['query($n: [String!]) { products(filter: { names: $n }) { totalCount } }', { n: [1] }],
    ['query($n: String!) { product(name: $n) { name } }', {}],
  ])('%s with %j: graphql-js errors, pointing at the variable definition, no data', async (query, variables) => {
    const jit = await run(apiSchema, query, variables);
    const js = await graphqlJs(query, variables);
    expect(js.errors).toHaveLength(1);
    expect(jit).not.toHaveProperty('data');
    expect(messages(jit)).toEqual(messages(js));
    // Apollo recognises the client's mistake by the variable definition the error points at.
    expect(jit.errors![0]!.nodes?.map((n) => n.kind)).toEqual(['VariableDefinition']);
  });

  it('the scalar says why, and a field inside an input object is not named as a variable', async () => {
    const r = await run(apiSchema, 'query($f: ReleaseCycleFilter) { releaseCycles(filter: $f) { totalCount } }', {
      f: { eolBetween: { from: '2026-02-31' } },
    });
    expect(messages(r)).toEqual([
      'Variable "$f" got invalid value "2026-02-31" at "f.eolBetween.from"; Date must be a calendar date "YYYY-MM-DD", got "2026-02-31"',
    ]);
  });

  it('a value graphql-jit refuses but graphql-js accepts runs (with graphql-js)', async () => {
    // A scalar that refuses its second parse: graphql-js's coercion comes first and accepts,
    // graphql-jit's comes second and refuses.
    let parses = 0;
    const Odd = new GraphQLScalarType({
      name: 'Odd',
      serialize: (v) => v,
      parseValue(v) {
        parses += 1;
        if (parses === 2) throw new Error('refused');
        return v;
      },
    });
    const schema = makeExecutableSchema({
      typeDefs: 'scalar Odd\ntype Query { echo(v: Odd): String }',
      resolvers: { Odd, Query: { echo: (_: unknown, { v }: { v: unknown }) => `got ${String(v)}` } },
    });
    const r = await run(schema, 'query($v: Odd) { echo(v: $v) }', { v: 'x' });
    expect(r).toEqual({ data: { echo: 'got x' } });
    expect(parses).toBe(3);
  });
});

describe('the jit gateway on operations it cannot run', () => {
  it("an unknown operationName: graphql-js's error (Apollo makes it OPERATION_RESOLUTION_FAILURE)", async () => {
    for (const query of ['query A { today }', 'query A { today } query B { today }']) {
      const r = await run(apiSchema, query, {}, 'C');
      expect(r).toEqual({ errors: [expect.objectContaining({ message: 'Unknown operation named "C".' })] });
      expect(messages(r)).toEqual(messages(await graphqlJs(query, {}, 'C')));
    }
    const two = await run(apiSchema, 'query A { today } query B { today }', {});
    expect(messages(two)).toEqual(['Must provide operation name if query contains multiple operations.']);
  });

  it('the operation named is the one run', async () => {
    const query = 'query A { a: __typename } query B { b: __typename }';
    expect(await run(apiSchema, query, {}, 'B')).toEqual({ data: { b: 'Query' } });
    expect(await run(apiSchema, query, {}, 'A')).toEqual({ data: { a: 'Query' } });
  });

  it.each(['subscription', 'mutation'])("a %s: graphql-js's message, as BAD_USER_INPUT", async (type) => {
    const query = `${type} { today }`;
    const r = await run(apiSchema, query, {});
    expect(r.data).toBeNull();
    expect(messages(r)).toEqual(messages(await graphqlJs(query, {})));
    expect(r.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(r.errors![0]!.locations).toEqual([{ line: 1, column: 1 }]);
  });
});
