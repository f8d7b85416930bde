// The real HTTP service (src/http/app.ts) on a random loopback port, over a test database, and a
// small GraphQL client for it. The clock is injectable.
import type { Database } from '../../src/db/database.ts';
import { totalStatements } from '../../src/db/statements.ts';
import { createServer, defaultServerOptions, type ServerOptions, type Readiness } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';

export interface TestServer {
  url: string;
  /** POSTs a GraphQL request; returns the parsed body, the status and the response headers. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GqlResult<T>>;
  /** Like gql, and also counts the SQL statements the request sent (through the adapter). */
  gqlCounted<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GqlResult<T> & { statements: number }>;
  setNow(now: Date): void;
  close(): Promise<void>;
}

export interface GqlResult<T> {
  status: number;
  headers: Headers;
  data: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function startTestServer(
  db: Database,
  opts: { now?: Date; options?: Partial<ServerOptions>; readiness?: () => Promise<Readiness> } = {},
): Promise<TestServer> {
  let now = opts.now ?? new Date();
  const app = createServer({
    sql: db,
    logger: createLogger('silent'),
    clock: () => now,
    readiness: opts.readiness ?? (async () => ({ ready: true })),
    options: { ...defaultServerOptions, ...opts.options },
  });
  await app.start();
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const gql = async <T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: GqlResult<T>['errors'] };
    return {
      status: res.status,
      headers: res.headers,
      data: body.data,
      ...(body.errors ? { errors: body.errors } : {}),
    };
  };
  return {
    url,
    gql,
    async gqlCounted<T>(query: string, variables?: Record<string, unknown>) {
      // The server runs in this process: the process-wide counter's growth during one request (and
      // nothing else running) is that request's statements.
      const before = totalStatements();
      const result = await gql<T>(query, variables);
      return { ...result, statements: totalStatements() - before };
    },
    setNow(d: Date) {
      now = d;
    },
    close: () => app.stop(),
  };
}
