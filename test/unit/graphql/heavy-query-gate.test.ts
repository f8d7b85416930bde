// Heavy operations (by estimated cost) execute a few at a time, in arrival order; light ones are
// never held up by them (src/graphql/executor.ts).
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { jitGateway } from '../../../src/graphql/executor.ts';

function harness(concurrency: number, maxQueue?: number) {
  let active = 0;
  let most = 0;
  const order: string[] = [];
  const schema = makeExecutableSchema({
    typeDefs: 'type Query { work(id: String!): String! }',
    resolvers: {
      Query: {
        work: async (_: unknown, { id }: { id: string }) => {
          active += 1;
          most = Math.max(most, active);
          order.push(`start ${id}`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`end ${id}`);
          active -= 1;
          return id;
        },
      },
    },
  });
  const gateway = jitGateway(schema, { cost: 1_000, concurrency, maxQueue });
  const run = async (id: string, cost: number) => {
    const { executor } = await gateway.load({} as never);
    const query = `query Q($id: String!) { work(id: $id) }`;
    const result = await executor!({
      document: parse(query),
      request: { query, variables: { id } },
      queryHash: 'q',
      operationName: 'Q',
      context: { facts: { usedToday: false, hadErrors: false, cost } },
    } as never);
    const r = result as { data?: { work: string }; errors?: { extensions?: { code?: string } }[] };
    return r.data?.work ?? r.errors?.[0]?.extensions?.code;
  };
  return { run, most: () => most, order };
}

describe('the heavy query gate', () => {
  it('runs at most `concurrency` heavy operations at once, in arrival order', async () => {
    const h = harness(2);
    const ids = ['a', 'b', 'c', 'd', 'e'];
    expect(await Promise.all(ids.map((id) => h.run(id, 25_000)))).toEqual(ids);
    expect(h.most()).toBe(2);
    expect(h.order.filter((e) => e.startsWith('start'))).toEqual(ids.map((id) => `start ${id}`));
  });

  it('does not hold light operations behind heavy ones', async () => {
    const h = harness(1);
    const done = await Promise.all([h.run('h1', 5_000), h.run('h2', 5_000), h.run('light1', 10), h.run('light2', 10)]);
    expect(done).toEqual(['h1', 'h2', 'light1', 'light2']);
    // both light ones started while the first heavy one was still running, the second heavy one after it
    expect(h.order.slice(0, 3).sort()).toEqual(['start h1', 'start light1', 'start light2']);
    expect(h.order.indexOf('start h2')).toBeGreaterThan(h.order.indexOf('end h1'));
    expect(h.most()).toBe(3);
  });

  it('releases its slot when an operation fails', async () => {
    const schema = makeExecutableSchema({
      typeDefs: 'type Query { boom: String! }',
      resolvers: { Query: { boom: () => Promise.reject(new Error('boom')) } },
    });
    const gateway = jitGateway(schema, { cost: 1, concurrency: 1 });
    const { executor } = await gateway.load({} as never);
    const query = '{ boom }';
    for (let i = 0; i < 3; i++) {
      const result = await executor!({
        document: parse(query),
        request: { query },
        queryHash: 'b',
        context: { facts: { usedToday: false, hadErrors: false, cost: 10 } },
      } as never);
      expect(result.errors?.[0]?.message).toBe('boom');
    }
  });

  it('refuses a heavy operation at once when maxQueue are already waiting (SERVER_BUSY); light ones still run', async () => {
    const h = harness(1, 2);
    const answers = await Promise.all([
      h.run('h1', 5_000), // runs
      h.run('h2', 5_000), // waits
      h.run('h3', 5_000), // waits
      h.run('h4', 5_000), // refused: two are waiting
      h.run('light', 10),
    ]);
    expect(answers).toEqual(['h1', 'h2', 'h3', 'SERVER_BUSY', 'light']);
    expect(h.order).not.toContain('start h4');
    // Once the queue has room again, heavy operations are taken again.
    expect(await h.run('h5', 5_000)).toBe('h5');
  });
});
