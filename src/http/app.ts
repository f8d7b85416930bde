// The HTTP service: Apollo Server 5 on Node's own http server (no framework). Routes:
//   POST/GET /graphql   GraphQL (GET with an HTML Accept header and no query → the explorer)
//   GET /               the explorer (GraphiQL, served from node_modules)
//   GET /healthz        the process is up
//   GET /readyz         the database is reachable and migrated (503 with the reason otherwise)
// createServer does no I/O and reads no environment: src/index.ts wires it.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type {
  DocumentNode,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  OperationDefinitionNode,
} from 'graphql';
import type { Sql } from '../db/database.ts';
import { classifyDbError } from '../db/errors.ts';
import { countingSql } from '../db/statements.ts';
import { nextUtcMidnight } from '../domain/status.ts';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { CachedResponse, ResponseCache } from '../cache/response-cache.ts';
import type { CatalogSnapshot } from '../data/snapshot.ts';
import { utcDate } from '../domain/status.ts';
import { createContext, type Context } from '../graphql/context.ts';
import { defaultHeavyQueryGate, jitGateway, type HeavyQueryGate } from '../graphql/executor.ts';
import {
  catalogFigures,
  costUnknownError,
  countTokens,
  defaultQueryLimits,
  estimateCost,
  FIGURE_FLOORS,
  InvalidVariablesError,
  jsonDepth,
  largerFigures,
  limitError,
  limitRules,
  type CatalogFigures,
  type CostEstimate,
  type QueryLimits,
} from '../graphql/limits.ts';
import { resolvers } from '../graphql/resolvers/index.ts';
import { typeDefs } from '../graphql/schema.ts';
import type { Logger } from '../logger.ts';
import { explorerAsset, explorerPage } from './explorer.ts';
import { AnswerTooLargeError, sendSerialized, serializeJson, SlabPool } from './json-slabs.ts';

export interface ServerOptions {
  /** Largest request body accepted (413 above). */
  maxBodyBytes: number;
  /** Largest answer, all of a request's operations together (RESPONSE_TOO_LARGE above). */
  maxResponseBytes: number;
  introspection: boolean;
  /** Hide internal error details (messages, stack traces) from responses. */
  production: boolean;
  /** Value of Access-Control-Allow-Origin: "*" or a list of allowed origins. */
  corsOrigins: '*' | string[];
  /** Seconds responses pinned to an explicit asOf may be cached. */
  pinnedMaxAgeSeconds: number;
  limits: QueryLimits;
  /** graphql-jit (compiled queries, the default) or graphql-js (Apollo's own execution). */
  executor: 'jit' | 'graphql-js';
  /** Heavy operations execute a few at a time (jit executor; src/graphql/executor.ts). */
  heavyQueryGate: HeavyQueryGate;
}

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface ServerDeps {
  sql: Sql;
  logger: Logger;
  clock: () => Date;
  options: ServerOptions;
  readiness: () => Promise<Readiness>;
  /** Whole-response cache (src/cache); none: every request executes. */
  cache?: ResponseCache | null;
  /** In-memory catalogue the loaders read instead of querying (src/data/snapshot.ts). */
  snapshot?: CatalogSnapshot | null;
}

export const defaultServerOptions: ServerOptions = {
  maxBodyBytes: 100_000,
  maxResponseBytes: 32 * 1024 * 1024,
  introspection: true,
  production: false,
  corsOrigins: '*',
  pinnedMaxAgeSeconds: 86_400,
  limits: defaultQueryLimits,
  executor: 'jit',
  heavyQueryGate: defaultHeavyQueryGate,
};

/** The URL of every POST to /graphql (never modified). */
const GRAPHQL_URL: URL = Object.freeze(new URL('/graphql', 'http://localhost'));

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * Whether a Content-Type is JSON, as Apollo's CSRF prevention reads it: the media type before any
 * parameter. `text/plain; x=application/json` is text/plain, which a browser may send across
 * origins without a preflight (the cache used to answer it, where Apollo refuses it).
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === 'application/json') return true; // the common case, no parsing
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

/**
 * Whether the answer Apollo gives is application/json: it answers
 * application/graphql-response+json to clients that ask for it (the cache keeps JSON answers).
 */
function acceptsPlainJson(req: http.IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept === undefined || !accept.includes('application/graphql-response+json');
}

/**
 * The text that identifies a request the response cache may answer (null: not looked up): a POST
 * as Apollo's CSRF prevention accepts it (JSON) by its body, a GET that carries a
 * preflight-forcing header by its query string; either answered as application/json. Anything
 * else goes to Apollo, which decides.
 */
function cacheableText(req: http.IncomingMessage, contentType: string, body: string, url: URL): string | null {
  if (!acceptsPlainJson(req)) return null;
  if (req.method === 'POST') return isJsonContentType(contentType) ? `POST ${body}` : null;
  if (req.method === 'GET' && (req.headers['apollo-require-preflight'] || req.headers['x-apollo-operation-name'])) {
    return `GET ${url.search}`;
  }
  return null;
}

/** An error response's JSON with the request id added to each error that lacks it. */
function withRequestId(json: string, requestId: string): string {
  try {
    const parsed = JSON.parse(json) as { errors?: { extensions?: Record<string, unknown> }[] };
    if (!Array.isArray(parsed.errors)) return json;
    for (const e of parsed.errors) e.extensions = { ...e.extensions, requestId: e.extensions?.requestId ?? requestId };
    return JSON.stringify(parsed);
  } catch {
    return json;
  }
}

/** One operation (not a batch) with a query text and no extensions: what the cache may store. */
function isSingleOperation(req: http.IncomingMessage, body: unknown, url: URL): boolean {
  if (req.method === 'POST') {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
    const b = body as { query?: unknown; extensions?: unknown };
    return typeof b.query === 'string' && b.extensions === undefined;
  }
  return !!url.searchParams.get('query') && !url.searchParams.has('extensions');
}

/** A GET's variables or extensions (JSON text) as Apollo will parse them; undefined if absent or not JSON. */
function searchJson(url: URL, name: string): unknown {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // Apollo refuses it (400)
  }
}

/**
 * Query text size, batch size, and how deeply the variables and extensions nest, checked before
 * anything is parsed as GraphQL. The variables and extensions are JSON whatever the operation
 * declares, and several consumers walk them recursively (the cost estimate's cache key, coercion,
 * the response's error messages): bounded here, once, at the request's boundary, none of them can
 * overflow the call stack (a body of 100,000 bytes holds 50,000 levels of `[`; 4,000 overflow
 * JSON.stringify).
 */
function checkRequestShape(body: unknown, url: URL, limits: QueryLimits): void {
  const operations = Array.isArray(body)
    ? body
    : [
        body ?? {
          query: url.searchParams.get('query'),
          variables: searchJson(url, 'variables'),
          extensions: searchJson(url, 'extensions'),
        },
      ];
  if (operations.length > limits.maxBatch) {
    throw new HttpError(
      400,
      `Too many operations in one batched request: the limit is ${limits.maxBatch}, this request has ${operations.length}`,
      'TOO_MANY_OPERATIONS',
      { limit: limits.maxBatch, value: operations.length },
    );
  }
  for (const op of operations) {
    const { query, variables, extensions } = (op ?? {}) as {
      query?: unknown;
      variables?: unknown;
      extensions?: unknown;
    };
    const size = typeof query === 'string' ? Buffer.byteLength(query) : 0;
    if (size > limits.maxQueryBytes) {
      throw new HttpError(
        400,
        `The query text is too long: the limit is ${limits.maxQueryBytes} bytes, this query has ${size}`,
        'QUERY_TOO_LARGE',
        { limit: limits.maxQueryBytes, value: size },
      );
    }
    for (const [what, value] of [
      ['variables', variables],
      ['extensions', extensions],
    ] as const) {
      const depth = jsonDepth(value);
      if (depth > limits.maxVariablesDepth) {
        throw new HttpError(
          400,
          `The ${what} are nested too deeply (objects and lists within one another): the limit is ${limits.maxVariablesDepth}, this request has ${depth}`,
          'VARIABLES_TOO_DEEP',
          { limit: limits.maxVariablesDepth, value: depth },
        );
      }
    }
  }
}

/**
 * Collects a request body of at most `limit` bytes and calls back once, with the text or with a
 * 413 HttpError (the rest of an oversized body is drained, not kept). Callbacks, not a promise: a
 * cache hit is answered in the same tick as the body's last chunk.
 */
function collectBody(req: http.IncomingMessage, limit: number, done: (err: HttpError | null, text: string) => void) {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    done(
      new HttpError(
        413,
        `The request body is too large: the limit is ${limit} bytes, this request has ${declared}`,
        'PAYLOAD_TOO_LARGE',
        {
          limit,
          value: declared,
        },
      ),
      '',
    );
    return;
  }
  let first: Buffer | null = null;
  let rest: Buffer[] | null = null;
  let size = 0;
  let finished = false;
  const finish = (err: HttpError | null, text: string) => {
    if (finished) return;
    finished = true;
    done(err, text);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.removeAllListeners('data');
      req.resume();
      finish(
        new HttpError(
          413,
          `The request body is too large: the limit is ${limit} bytes, this request has more`,
          'PAYLOAD_TOO_LARGE',
          {
            limit,
          },
        ),
        '',
      );
      return;
    }
    if (!first) first = chunk;
    else (rest ??= [first]).push(chunk);
  });
  req.on('end', () => finish(null, rest ? Buffer.concat(rest).toString('utf8') : first ? first.toString('utf8') : ''));
  req.on('error', () => finish(new HttpError(400, 'the request body could not be read'), ''));
}

/**
 * text as UTF-8. Buffer.from measures the text and then encodes it, two passes; a large text is
 * encoded in one pass into room for the worst case (3 bytes per UTF-16 unit; memory never written
 * is never touched) and a view of the written part returned: the whole catalogue (3.2 MB) in half
 * the time.
 */
function utf8(text: string): Buffer {
  if (text.length < 65_536) return Buffer.from(text);
  const room = Buffer.allocUnsafe(text.length * 3);
  return room.subarray(0, room.write(text));
}

// Apollo keeps one DocumentNode per distinct query text (its document cache), so the cost of a
// document with the same variables is computed once, not on every request (and again when the
// catalogue's figures have grown).
const costs = new WeakMap<DocumentNode, { figures: Readonly<CatalogFigures>; byKey: Map<string, CostEstimate> }>();
function cachedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  figures: Readonly<CatalogFigures>,
  stopAbove: number,
): CostEstimate {
  let entry = costs.get(document);
  if (!entry || entry.figures !== figures) costs.set(document, (entry = { figures, byKey: new Map() }));
  const key = `${stopAbove}\u0000${document.definitions.indexOf(operation)}\u0000${JSON.stringify(variables)}`;
  let cost = entry.byKey.get(key);
  if (cost === undefined) {
    cost = estimateCost(schema, document, variables, { operation, figures, stopAbove });
    if (entry.byKey.size >= 100) entry.byKey.clear();
    entry.byKey.set(key, cost);
  }
  return cost;
}

/**
 * Refuses operations over the cost budget before they execute. The budget is the request's: the
 * operations of a batch share one context (Apollo calls the context function once per HTTP request
 * and gives each operation a shallow copy of it, so ctx.facts is shared), their costs add up in
 * ctx.facts.cost, and the operation that would take the sum over the budget is refused (the ones
 * before it run; a later one that still fits runs too). The estimate uses the catalogue's figures:
 * FIGURE_FLOORS, raised by the in-memory catalogue's whenever one is larger (and never lowered, so
 * a reload in progress does not lower them). An operation whose cost cannot be estimated does not
 * run: invalid variables are refused as execution refuses them (BAD_USER_INPUT, graphql-js's
 * messages), anything else with an internal error.
 */
function costPlugin(limits: QueryLimits): ApolloServerPlugin<Context> {
  let figures: Readonly<CatalogFigures> = FIGURE_FLOORS;
  let lastCatalog: Readonly<CatalogFigures> | null = null;
  const figuresFor = (catalog: Context['catalog']) => {
    if (catalog) {
      const f = catalogFigures(catalog);
      if (f !== lastCatalog) {
        lastCatalog = f;
        figures = largerFigures(figures, f);
      }
    }
    return figures;
  };
  return {
    async requestDidStart() {
      let invalidVariables: readonly GraphQLError[] | null = null;
      return {
        async didResolveOperation({ schema, document, operation, request, response, contextValue, requestIsBatched }) {
          // No such operation (an unknown operationName): nothing executes, Apollo answers
          // OPERATION_RESOLUTION_FAILURE.
          if (!operation) return;
          let estimate: CostEstimate;
          try {
            estimate = cachedCost(
              schema,
              document,
              operation,
              request.variables ?? {},
              figuresFor(contextValue.catalog),
              limits.maxCost,
            );
          } catch (err) {
            if (!(err instanceof InvalidVariablesError)) throw costUnknownError(err);
            invalidVariables = err.errors;
            return;
          }
          const spent = contextValue.facts.cost ?? 0;
          const cost = spent + estimate.cost;
          if (cost > limits.maxCost) {
            throw limitError(
              'QUERY_TOO_COSTLY',
              spent > 0
                ? `The request asks for too much at once (estimated from page sizes and nesting; ${spent} of it by the batch's operations before this one)`
                : 'The query asks for too much at once (estimated from page sizes and nesting)',
              limits.maxCost,
              cost,
              // One operation of a batch refused: the others' answers stand, and the batch's status
              // is what they make it (Apollo would make it 500 for an error without one).
              { atLeast: !estimate.complete, status: requestIsBatched ? (response.http.status ?? 200) : 400 },
            );
          }
          // What the heavy-query gate (src/graphql/executor.ts) reads: the request's cost so far.
          contextValue.facts.cost = cost;
        },
        async responseForOperation({ contextValue }) {
          if (!invalidVariables) return null;
          contextValue.facts.hadErrors = true;
          return {
            body: {
              kind: 'single',
              singleResult: {
                errors: invalidVariables.map((e) => ({
                  ...e.toJSON(),
                  extensions: { ...e.extensions, code: 'BAD_USER_INPUT' },
                })),
              },
            },
            http: { status: 400, headers: new HeaderMap() },
          };
        },
      };
    },
  };
}

/** What a database failure looks like to clients: a code they can act on, no internals. */
const DB_FAILURES = {
  unavailable: { code: 'DATABASE_UNAVAILABLE', message: 'The database is unavailable; try again shortly.' },
  timeout: { code: 'DATABASE_TIMEOUT', message: 'The database took too long to answer this query.' },
} as const;

/**
 * What stringifyResult returns for an answer it wrote into slabs (ctx.facts.serialized has the
 * bytes). No JSON text starts with a NUL.
 */
const SERIALIZED = '\u0000serialized';

/** Answers up to this size are copied out of the slabs and sent from a buffer of their own. */
const SMALL_ANSWER = 64 * 1024;

/**
 * Adds the request id to every error, and hides internals in production. Also notes, for
 * stringifyResult, which request each answer's data belongs to (`answers`): Apollo hands it the
 * answer alone.
 */
function errorPlugin(deps: ServerDeps, answers: WeakMap<object, Context>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operationName, contextValue }) {
          contextValue.facts.operationName ??= operationName;
        },
        async didEncounterErrors({ errors, contextValue }) {
          contextValue.facts.hadErrors = true;
          for (const e of errors) {
            const code = e.extensions?.code;
            const db = classifyDbError(e.originalError);
            if (db) {
              deps.logger.warn(
                { requestId: contextValue.requestId, failure: db, err: e.originalError?.message },
                'database failure',
              );
            } else if (!code || code === 'INTERNAL_SERVER_ERROR') {
              deps.logger.error(
                { requestId: contextValue.requestId, err: e.originalError ?? e, path: e.path },
                'resolver error',
              );
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const data = response.body.singleResult.data;
          if (data) answers.set(data, contextValue);
          const errors = response.body.singleResult.errors as GraphQLFormattedError[] | undefined;
          if (!errors) return;
          response.body.singleResult.errors = errors.map((e) => ({
            ...e,
            extensions: { ...e.extensions, requestId: contextValue.requestId },
          }));
        },
      };
    },
  };
}

export function createServer(deps: ServerDeps) {
  const { options, logger } = deps;
  const schemaSource =
    options.executor === 'jit'
      ? {
          gateway: jitGateway(
            makeExecutableSchema({ typeDefs, resolvers: resolvers as never }),
            options.heavyQueryGate,
          ),
        }
      : { typeDefs, resolvers: resolvers as never };
  const slabs = new SlabPool();
  const answers = new WeakMap<object, Context>();
  const apollo = new ApolloServer<Context>({
    ...schemaSource,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: !options.production,
    csrfPrevention: true,
    // The answer to a single operation is written as UTF-8 into reused slabs, its large lists a
    // piece at a time (src/http/json-slabs.ts says why), and the HTTP layer below sends those bytes;
    // Apollo gets a marker. Others (a batch, an answer without data) are JSON text as usual, without
    // the newline Apollo's default appends (a second string the size of the answer).
    // Every answer with data is written through the slab writer, which stops at the request's
    // MAX_RESPONSE_BYTES (the operations of a batch together): what an answer can hold is bounded
    // by the cost estimate in objects, not in bytes (a product's Markdown body repeated under 500
    // cycles and 15 aliases), and building it whole could take the process down.
    stringifyResult: (value) => {
      const ctx = value.data ? answers.get(value.data) : undefined;
      if (!ctx) return JSON.stringify(value);
      answers.delete(value.data!);
      const { facts } = ctx;
      const room = options.maxResponseBytes - (facts.responseBytes ?? 0);
      try {
        const serialized = serializeJson(value, slabs, room);
        facts.responseBytes = (facts.responseBytes ?? 0) + serialized.length;
        if (!facts.batch) {
          facts.serialized = serialized;
          return SERIALIZED;
        }
        const text = serialized.toBuffer().toString();
        serialized.release();
        return text;
      } catch (err) {
        if (!(err instanceof AnswerTooLargeError)) throw err;
        facts.hadErrors = true;
        if (!facts.batch) facts.responseTooLarge = true;
        const before = facts.responseBytes ?? 0;
        const seen = before + err.atLeast;
        return JSON.stringify({
          errors: [
            {
              message: `The answer is too large: the limit is ${options.maxResponseBytes} bytes, this request has at least ${seen}${before > 0 ? ` (${before} in its earlier operations)` : ''}; ask for fewer fields or smaller pages`,
              extensions: {
                code: 'RESPONSE_TOO_LARGE',
                limit: options.maxResponseBytes,
                value: seen,
                requestId: ctx.requestId,
              },
            },
          ],
        });
      }
    },
    allowBatchedHttpRequests: true,
    validationRules: limitRules(options.limits),
    parseOptions: { maxTokens: options.limits.maxTokens },
    // src/index.ts owns SIGTERM/SIGINT (graceful shutdown with a deadline); Apollo must not race it.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      costPlugin(options.limits),
      errorPlugin(deps, answers),
    ],
    formatError(formatted, error) {
      const path = formatted.path ? { path: formatted.path } : {};
      const original = (error as { originalError?: { extensions?: Record<string, unknown> } } | null)?.originalError;
      // Apollo relabels every validation error GRAPHQL_VALIDATION_FAILED; ours (limits, a bad
      // Date literal) carry a more precise code, which clients should see.
      if (
        formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' &&
        typeof original?.extensions?.code === 'string'
      ) {
        const { http: _http, ...ext } = original.extensions;
        return { ...formatted, extensions: { ...formatted.extensions, ...ext } };
      }
      // graphql-js words it "contains more that N tokens" (sic); the parse error carries the
      // query as its source, whose tokens are counted in full for the value seen.
      if (
        formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' &&
        /contains more tha[nt] \d+ tokens/.test(formatted.message)
      ) {
        const limit = options.limits.maxTokens;
        const query = (error as { source?: { body?: unknown } } | null)?.source?.body;
        const value = typeof query === 'string' ? countTokens(query) : limit + 1;
        return {
          message: `The query has too many tokens: the limit is ${limit}, this request has ${value}`,
          extensions: { code: 'TOO_MANY_TOKENS', limit, value },
        };
      }
      const db = classifyDbError(error);
      if (db) return { message: DB_FAILURES[db].message, ...path, extensions: { code: DB_FAILURES[db].code } };
      const code = formatted.extensions?.code;
      if (options.production && (!code || code === 'INTERNAL_SERVER_ERROR')) {
        return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...path };
      }
      return formatted;
    },
  });

  // The UTC day of a clock reading and when it ends, recomputed only when a day has passed.
  let today = { day: '', start: 0, midnight: 0 };
  const dayOf = (now: Date) => {
    const t = now.getTime();
    if (t < today.start || t >= today.midnight) {
      const midnight = nextUtcMidnight(now).getTime();
      today = { day: utcDate(now), start: midnight - 86_400_000, midnight };
    }
    return today;
  };

  // Access-Control-Allow-Origin for a request's Origin: one shared object per outcome. With a list
  // of origins the answer depends on the Origin, allowed or not, so every response says so (Vary):
  // a shared HTTP cache must not hand an answer without the header to an allowed origin.
  const anyOrigin = { 'access-control-allow-origin': '*' } as const;
  const otherOrigin = { vary: 'origin' } as const;
  const corsHeaders = (req: http.IncomingMessage): Readonly<Record<string, string>> => {
    if (options.corsOrigins === '*') return anyOrigin;
    const origin = req.headers.origin;
    return origin && options.corsOrigins.includes(origin)
      ? { 'access-control-allow-origin': origin, vary: 'origin' }
      : otherOrigin;
  };
  // GraphQL answers also depend on Accept (application/json or application/graphql-response+json).
  const varyOf = (cors: Readonly<Record<string, string>>) => (cors.vary ? `${cors.vary}, accept` : 'accept');
  const cors = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const h = corsHeaders(req);
    for (const k in h) res.setHeader(k, h[k]!);
  };
  const requestIdOf = (req: http.IncomingMessage): string => {
    const rawId = req.headers['x-request-id'];
    return typeof rawId === 'string' && /^[\w.:-]{1,100}$/.test(rawId) ? rawId : randomUUID();
  };
  // Cache-Control of an answer: about "today", it changes at the next UTC midnight, not before
  // (unless the data does); pinned to an asOf, it may be kept for the configured time.
  const secondsUntil = (midnight: number, now: number) => Math.max(0, Math.floor((midnight - now) / 1000));
  const cacheControl = (usedToday: boolean, now: number, midnight: number) =>
    `public, max-age=${usedToday ? secondsUntil(midnight, now) : options.pinnedMaxAgeSeconds}`;

  /** A cached answer, with every header in one writeHead (no setHeader before it: node's fast path). */
  const sendHit = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    value: CachedResponse,
    requestId: string,
    now: number,
    midnight: number,
    started: number,
  ) => {
    const body = value.body;
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': body.length,
      'cache-control': cacheControl(value.usedToday, now, midnight),
      'x-cache': 'HIT',
      'x-request-id': requestId,
    };
    const cors = corsHeaders(req);
    for (const k in cors) headers[k] = cors[k]!;
    headers.vary = varyOf(cors);
    res.writeHead(200, headers);
    res.end(body);
    if (logger.isLevelEnabled('info')) {
      logger.info(
        {
          requestId,
          operationName: value.operationName ?? null,
          status: 200,
          ms: Math.round((performance.now() - started) * 10) / 10,
          sqlStatements: 0,
          cache: 'HIT',
        },
        'graphql',
      );
    }
  };

  /**
   * The common repeated request, a JSON POST to /graphql whose answer is in this process's cache,
   * answered in the tick its body arrived: no URL parsing, no promise, no Apollo. False: it goes
   * the whole way (handle), which looks the cache up again (and also for GETs and a shared store).
   */
  const answerFromMemory = (req: http.IncomingMessage, res: http.ServerResponse, text: string, started: number) => {
    if (!deps.cache || !isJsonContentType(req.headers['content-type']) || !acceptsPlainJson(req)) return false;
    const now = deps.clock();
    const { day, midnight } = dayOf(now);
    const value = deps.cache.peek(day, `POST ${text}`);
    if (!value) return false;
    // Outside handle's try/catch (this runs in an event listener): a failure here must not take the
    // process down. Not answered yet: the whole way answers (or reports) it.
    try {
      sendHit(req, res, value, requestIdOf(req), now.getTime(), midnight, started);
    } catch (err) {
      logger.error({ err }, 'answering from the cache failed');
      return res.headersSent;
    }
    return true;
  };

  const send = (
    res: http.ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(body);
  };
  const sendJson = (res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);

  async function graphql(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    requestId: string,
    text: string,
    started: number,
  ) {
    const contentType = req.headers['content-type'] ?? '';
    const now = deps.clock();
    const { day, midnight } = dayOf(now);
    const secondsToMidnight = secondsUntil(midnight, now.getTime());

    // The response cache answers before anything is parsed or queried, by the request's text: the
    // JSON body of a POST, the query string of a GET. Only requests that Apollo's CSRF prevention
    // would let through are looked up (a JSON POST, or a GET with a preflight header), and only
    // answers to a single operation without extensions are ever stored (checked below, on the
    // miss), so a hit is an answer to exactly this request text on this day.
    const requestText = cacheableText(req, contentType, text, url);
    const peeked = deps.cache && requestText !== null ? deps.cache.peek(day, requestText) : null;
    let lookup = peeked
      ? ({ kind: 'hit', value: peeked } as const)
      : deps.cache && requestText !== null
        ? await deps.cache.lookup(day, requestText)
        : null;
    if (lookup?.kind === 'hit') {
      sendHit(req, res, lookup.value, requestId, now.getTime(), midnight, started);
      return;
    }

    let body: unknown = undefined;
    if (req.method === 'POST') {
      if (isJsonContentType(contentType)) {
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          throw new HttpError(400, 'the request body is not valid JSON');
        }
      } else {
        body = text;
      }
    }
    checkRequestShape(body, url, options.limits);
    // A miss is stored only for a single operation without extensions.
    if (lookup?.kind === 'miss' && !isSingleOperation(req, body, url)) lookup = null;
    const operationName =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? ((body as { operationName?: unknown }).operationName ?? null)
        : url.searchParams.get('operationName');
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);

    const sql = countingSql(deps.sql);
    const ctx = createContext(sql, now, requestId, options.limits.maxPageSize, deps.snapshot?.current() ?? null);
    if (Array.isArray(body)) ctx.facts.batch = true;
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => ctx,
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.setHeader('x-request-id', requestId);
    res.setHeader('vary', varyOf(corsHeaders(req)));
    let out: string;
    if (result.body.kind === 'complete') {
      out = result.body.string;
    } else {
      out = '';
      for await (const chunk of result.body.asyncIterator) out += chunk;
    }
    // An answer replaced by the RESPONSE_TOO_LARGE refusal is the client's to fix, like the other limits.
    const status = ctx.facts.responseTooLarge ? 400 : (result.status ?? 200);
    let serialized = out === SERIALIZED ? ctx.facts.serialized : undefined;
    // Never the marker itself as an answer (a 500 instead), should its bytes ever go missing.
    if (out === SERIALIZED && !serialized) throw new Error('the answer was written into slabs that are missing');
    if (serialized && status !== 200) {
      // An answer with data and an error status (none is known today): as text, for the request id.
      out = serialized.toBuffer().toString();
      serialized.release();
      serialized = undefined;
    }
    // Apollo refuses some requests before any plugin runs (CSRF prevention, a body that is not a
    // GraphQL request): those errors get the request id too.
    if (status !== 200 && out.length < 65_536) out = withRequestId(out, requestId);
    const failed = status !== 200 || ctx.facts.hadErrors;
    res.setHeader('cache-control', failed ? 'no-store' : cacheControl(ctx.facts.usedToday, now.getTime(), midnight));
    if (lookup) res.setHeader('x-cache', lookup.kind === 'miss' ? 'MISS' : 'BYPASS');
    res.statusCode = status;
    const store = lookup?.kind === 'miss' && !failed;
    let bytes: number;
    let stored: Buffer | null = null;
    if (serialized?.pooled && serialized.length > SMALL_ANSWER) {
      sendSerialized(res, serialized);
      bytes = serialized.length;
      if (store) stored = serialized.toBuffer();
    } else {
      // A small answer is sent from a buffer of its own: a slow reader must not hold a slab.
      let payload: Buffer;
      if (serialized) {
        payload = serialized.toBuffer();
        serialized.release();
      } else {
        // Encoded once, here: given a string, node measures its UTF-8 length for Content-Length and
        // encodes it again to write it, and the log line measured it a third time.
        payload = utf8(out);
      }
      res.setHeader('content-length', payload.length);
      res.end(payload);
      bytes = payload.length;
      // A copy of its own size: a large payload is a view of a larger allocation (utf8).
      if (store) stored = payload.length === payload.buffer.byteLength ? payload : Buffer.from(payload);
    }
    if (stored && lookup?.kind === 'miss') {
      const name = typeof operationName === 'string' ? operationName : (ctx.facts.operationName ?? null);
      await deps.cache!.store(
        lookup,
        { body: stored, usedToday: ctx.facts.usedToday, operationName: name },
        secondsToMidnight,
      );
    }
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      {
        requestId,
        operationName: operationName ?? (Array.isArray(body) ? null : (ctx.facts.operationName ?? null)),
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        sqlStatements: sql.statements,
        bytes,
        ...(lookup ? { cache: lookup.kind === 'miss' ? 'MISS' : 'BYPASS' } : {}),
      },
      'graphql',
    );
  }

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: { error: HttpError | null; text: string },
    started: number,
  ) {
    const requestId = requestIdOf(req);
    // The common case, a POST to /graphql, needs no URL parsing.
    const url = req.url === '/graphql' ? GRAPHQL_URL : new URL(req.url ?? '/', 'http://localhost');
    cors(req, res);
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers':
            'content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id',
          'access-control-max-age': '86400',
        });
        res.end();
        return;
      }
      if (url.pathname === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz' && req.method === 'GET') {
        const r = await deps.readiness();
        return sendJson(
          res,
          r.ready ? 200 : 503,
          r.ready ? { status: 'ready' } : { status: 'unavailable', reason: r.reason },
          { 'cache-control': 'no-store' },
        );
      }
      const wantsHtml = (req.headers.accept ?? '').includes('text/html');
      if (
        req.method === 'GET' &&
        (url.pathname === '/' || (url.pathname === '/graphql' && wantsHtml && !url.searchParams.has('query')))
      ) {
        const p = explorerPage();
        return send(res, 200, p.type, p.body, { 'cache-control': 'no-cache' });
      }
      if (req.method === 'GET' && url.pathname.startsWith('/explorer/')) {
        const asset = explorerAsset(url.pathname.slice('/explorer/'.length));
        if (asset) return send(res, 200, asset.type, asset.body, { 'cache-control': 'public, max-age=3600' });
      }
      if (url.pathname === '/graphql' && (req.method === 'GET' || req.method === 'POST')) {
        if (body.error) throw body.error;
        return await graphql(req, res, url, requestId, body.text, started);
      }
      return sendJson(res, 404, {
        errors: [{ message: `no route for ${req.method} ${url.pathname}`, extensions: { code: 'NOT_FOUND' } }],
      });
    } catch (err) {
      if (err instanceof HttpError) {
        // Refused before Apollo saw it: logged here, so that the requestId the client got is found.
        logger.info(
          {
            requestId,
            operationName: null,
            status: err.status,
            ms: Math.round((performance.now() - started) * 10) / 10,
            sqlStatements: 0,
            code: err.code,
          },
          'graphql',
        );
        return sendJson(
          res,
          err.status,
          { errors: [{ message: err.message, extensions: { code: err.code, ...err.extensions, requestId } }] },
          {
            ...(err.status === 413 ? { connection: 'close' } : {}),
            'cache-control': 'no-store',
            'x-request-id': requestId,
          },
        );
      }
      logger.error({ requestId, err }, 'request failed');
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] },
          { 'x-request-id': requestId },
        );
      } else {
        res.destroy();
      }
    }
  }

  // Once stopping, every response closes its connection ("Connection: close"): server.close()
  // only closes idle connections, and keep-alive clients would otherwise go on sending requests
  // on theirs, holding the shutdown until its deadline cut them mid-request.
  let closing = false;
  const unanswered = new Set<http.ServerResponse>();
  // One listener for every response (node calls it with the response as this): no closure per request.
  function forget(this: http.ServerResponse) {
    unanswered.delete(this);
  }
  const server = http.createServer((req, res) => {
    if (closing) res.shouldKeepAlive = false;
    unanswered.add(res);
    res.once('close', forget);
    const started = performance.now();
    if (req.method === 'POST') {
      collectBody(req, options.maxBodyBytes, (error, text) => {
        if (error || req.url !== '/graphql' || !answerFromMemory(req, res, text, started)) {
          void handle(req, res, { error, text }, started);
        }
      });
    } else {
      void handle(req, res, { error: null, text: '' }, started);
    }
  });
  server.keepAliveTimeout = 5_000;

  return {
    server,
    apollo,
    /** Starts Apollo (no network I/O). */
    start: () => apollo.start(),
    listen(port: number, host: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async stop() {
      closing = true;
      for (const res of unanswered) if (!res.headersSent) res.shouldKeepAlive = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}

export type AppServer = ReturnType<typeof createServer>;
