// The real HTTP service (src/http/app.ts) on a random loopback port, over a test database, and a
// small GraphQL client for it. The clock is injectable; so are the response cache, the in-memory
// catalogue and the SQL the requests go through (the caller owns them and closes them).
import type { ResponseCache } from '../../src/cache/response-cache.ts';
import type { CatalogSnapshot } from '../../src/data/snapshot.ts';
import type { Database, Sql } from '../../src/db/database.ts';
import { totalStatements } from '../../src/db/statements.ts';
import { createServer, defaultServerOptions, type ServerOptions, type Readiness } from '../../src/http/app.ts';
import { createContext } from '../../src/graphql/context.ts';
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
  /** POSTs a JSON body as given (e.g. with an operationName); returns the raw response text too. */
  post(body: GraphQLBody, headers?: Record<string, string>): Promise<RawResult>;
  /**
   * What JSON.stringify writes for the answer to body, executed by the server's Apollo without HTTP
   * (same clock, database and catalogue): the text an HTTP answer must be, byte for byte.
   */
  expectedText(body: GraphQLBody): Promise<string>;
  setNow(now: Date): void;
  close(): Promise<void>;
}

export interface GraphQLBody {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface RawResult {
  status: number;
  headers: Headers;
  /** The response body exactly as sent. */
  text: string;
  /** X-Cache: HIT, MISS or BYPASS (null when the server has no cache). */
  cache: string | null;
}

export interface TestServerOptions {
  now?: Date;
  options?: Partial<ServerOptions>;
  readiness?: () => Promise<Readiness>;
  cache?: ResponseCache | null;
  snapshot?: CatalogSnapshot | null;
  /** What the requests query through (default: db), e.g. a wrapper that delays a statement. */
  sql?: Sql;
}

export interface GqlResult<T> {
  status: number;
  headers: Headers;
  data: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function startTestServer(db: Database, opts: TestServerOptions = {}): Promise<TestServer> {
  let now = opts.now ?? new Date();
  const options = { ...defaultServerOptions, ...opts.options };
  const app = createServer({
    sql: opts.sql ?? db,
    logger: createLogger('silent'),
    clock: () => now,
    readiness: opts.readiness ?? (async () => ({ ready: true })),
    options,
    cache: opts.cache ?? null,
    snapshot: opts.snapshot ?? null,
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
    async post(body: GraphQLBody, headers: Record<string, string> = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, text: await res.text(), cache: res.headers.get('x-cache') };
    },
    async expectedText(body: GraphQLBody) {
      const ctx = createContext(
        opts.sql ?? db,
        now,
        'expected',
        options.limits.maxPageSize,
        opts.snapshot?.current() ?? null,
      );
      const r = await app.apollo.executeOperation(
        { query: body.query, variables: body.variables ?? undefined, operationName: body.operationName ?? undefined },
        { contextValue: ctx },
      );
      if (r.body.kind !== 'single') throw new Error('an incremental answer');
      const { errors, data, extensions } = r.body.singleResult;
      // The order of the members as Apollo writes them over HTTP.
      return JSON.stringify({ errors, data, extensions });
    },
    setNow(d: Date) {
      now = d;
    },
    close: () => app.stop(),
  };
}
