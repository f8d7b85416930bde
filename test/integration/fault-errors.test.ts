// An unexpected failure inside a resolver, on the real service process with NODE_ENV=production:
// the client gets INTERNAL_SERVER_ERROR with a request id and nothing of the internals (no stack
// trace, no SQL, no file paths); the log has the real error under the same request id. Every
// GraphQL request, served or refused, leaves one JSON log line with operationName, ms and
// sqlStatements; and the database password appears nowhere in the output.
//
// The failure is made by dropping a column every product query reads, in a throw-away database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { runImport } from '../helpers/documents.ts';
import { seedsDir } from '../helpers/env.ts';
import {
  ESCAPED_ERRORS,
  killAllServices,
  postJson,
  startReadyService,
  type LogLine,
  type ServiceProcess,
} from '../helpers/service-process.ts';

const PASSWORD = 'SeCrEt-PW-123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What must never reach a client: SQL, the dropped column, stack frames, source paths. */
const INTERNALS = /SELECT|FROM product|version_command|does not exist|stack|\bat \S+ \(|\/work\/|\.ts:\d|node_modules/i;

afterAll(killAllServices);

describe('an unexpected resolver error in production', () => {
  let t: TestDatabase;
  let service: ServiceProcess;
  const graphqlLine = (requestId: string) => (l: LogLine) => l.msg === 'graphql' && l.requestId === requestId;

  beforeAll(async () => {
    t = await createTestDatabase();
    expect((await runImport(t.db, [seedsDir])).created).toHaveLength(23);
    // Every product read selects this column: each such query now fails inside PostgreSQL.
    await t.db.execute('ALTER TABLE product DROP COLUMN version_command');
    const url = new URL(t.url);
    url.password = PASSWORD; // trust authentication ignores it; it must still never be printed
    service = await startReadyService({ DATABASE_URL: url.toString(), NODE_ENV: 'production', LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await service?.stop();
    await t?.drop();
  });

  it('answers INTERNAL_SERVER_ERROR with a request id, and nothing of the internals', async () => {
    const res = await fetch(service.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query ProductPage { product(name: "nodejs") { name versionCommand } }' }),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toMatch(INTERNALS);
    const body = JSON.parse(text) as {
      data: unknown;
      errors: { message: string; extensions: { requestId: string } }[];
    };
    expect(body.data).toEqual({ product: null });
    expect(body.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['product'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(UUID) },
      },
    ]);
    const requestId = body.errors[0]!.extensions.requestId;
    expect(res.headers.get('x-request-id')).toBe(requestId);

    // The log has what the response hides, under the same request id.
    const logged = await service.waitForLog((l) => l.msg === 'resolver error' && l.requestId === requestId);
    expect(logged.level).toBe(50);
    expect(JSON.stringify(logged)).toContain('version_command');
    const line = await service.waitForLog(graphqlLine(requestId));
    expect(line).toMatchObject({ operationName: 'ProductPage', status: 200, sqlStatements: expect.any(Number) });
    expect(line.sqlStatements).toBeGreaterThanOrEqual(1);
  });

  it('keeps a request id the client sent', async () => {
    const r = await postJson(
      service.graphqlUrl,
      { query: '{ products(first: 3) { nodes { name versionCommand } } }' },
      { 'x-request-id': 'fault-errors.1' },
    );
    expect(JSON.stringify(r.body)).not.toMatch(INTERNALS);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors![0]!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'fault-errors.1' });
    await service.waitForLog((l) => l.msg === 'resolver error' && l.requestId === 'fault-errors.1');
  });

  it('queries that do not need the dropped column still work', async () => {
    const r = await service.gql<{ data: { categories: { name: string }[] } }>('{ categories { name productCount } }');
    expect(r.status).toBe(200);
    expect(r.body.data.categories.map((c) => c.name)).toContain('framework');
  });

  it('logs one JSON line per GraphQL request, served or refused, with operationName, ms and sqlStatements', async () => {
    const requests: { id: string; operationName: string | null; status: number; send: () => Promise<unknown> }[] = [
      {
        id: 'log.named',
        operationName: 'Today',
        status: 200,
        send: () => service.gql('query Today { today }', {}, { 'x-request-id': 'log.named' }),
      },
      {
        id: 'log.anonymous',
        operationName: null,
        status: 200,
        send: () => service.gql('{ categories { name } }', {}, { 'x-request-id': 'log.anonymous' }),
      },
      {
        id: 'log.get',
        operationName: 'Tags',
        status: 200,
        send: () =>
          fetch(
            `${service.graphqlUrl}?query=${encodeURIComponent('query Tags { tags { name } }')}&operationName=Tags`,
            {
              headers: { 'apollo-require-preflight': 'true', 'x-request-id': 'log.get' },
            },
          ),
      },
      {
        id: 'log.invalid', // refused by validation: no operation was resolved
        operationName: null,
        status: 400,
        send: () => service.gql('query Nope { nope }', {}, { 'x-request-id': 'log.invalid' }),
      },
      {
        id: 'log.too-large',
        operationName: null,
        status: 400,
        send: () => service.gql(`{ today } #${'x'.repeat(20_000)}`, {}, { 'x-request-id': 'log.too-large' }),
      },
      {
        id: 'log.413',
        operationName: null,
        status: 413,
        send: () =>
          postJson(service.graphqlUrl, { query: '{ today }', pad: 'x'.repeat(200_000) }, { 'x-request-id': 'log.413' }),
      },
    ];
    for (const r of requests) await r.send();
    for (const r of requests) {
      const line = await service.waitForLog(graphqlLine(r.id), 5000, `the log line of ${r.id}`);
      expect(line, r.id).toMatchObject({ operationName: r.operationName, status: r.status, level: 30 });
      expect(typeof line.ms, r.id).toBe('number');
      expect(line.ms as number, r.id).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(line.sqlStatements), r.id).toBe(true);
      expect(service.logs().filter(graphqlLine(r.id)), r.id).toHaveLength(1);
    }
    // categories is answered by SQL here (no snapshot: its load fails on the dropped column).
    const anonymous = service.logs().find(graphqlLine('log.anonymous'))!;
    expect(anonymous.sqlStatements).toBeGreaterThanOrEqual(1);
  });

  it('every stdout line is a JSON log record, and the password appears nowhere', async () => {
    expect(service.stdoutLines.length).toBeGreaterThan(5);
    for (const line of service.stdoutLines) {
      const record = JSON.parse(line) as LogLine;
      expect(typeof record.msg).toBe('string');
      expect(typeof record.level).toBe('number');
      expect(typeof record.time).toBe('string');
    }
    const database = service.logs().find((l) => l.msg === 'database')!;
    expect(database.database).toBe(`PostgreSQL 127.0.0.1:5432/${t.name}`);
    const ready = await fetch(`${service.baseUrl}/readyz`);
    expect(await ready.text()).not.toContain(PASSWORD);

    await service.stop();
    const output = service.output();
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toMatch(ESCAPED_ERRORS);
    expect(service.stderr).toBe('');
  });
});
