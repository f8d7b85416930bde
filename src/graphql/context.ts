// The per-request context: the database, fresh loaders, and "today" captured once, so every
// computed field in one response is evaluated against the same date.
import type { CatalogData } from '../data/snapshot.ts';
import type { Sql } from '../db/database.ts';
import { utcDate } from '../domain/status.ts';
import type { SerializedJson } from '../http/json-slabs.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import { MAX_PAGE_SIZE } from './pagination.ts';

export interface ResponseFacts {
  /** Set when some field used today's date (the answer then changes at the next UTC midnight). */
  usedToday: boolean;
  /** Set when the response carries errors (it must then not be cached). */
  hadErrors: boolean;
  /** The operation Apollo resolved (a named query sent without an operationName field), for the log. */
  operationName?: string | null;
  /**
   * The estimated cost (src/graphql/limits.ts) of the request's operations resolved so far: the
   * operations of a batch add up, against one budget.
   */
  cost?: number;
  /** The request is a batch (several operations, one JSON list of answers). */
  batch?: boolean;
  /** The answer's bytes, when the HTTP layer had them written into slabs (src/http/json-slabs.ts). */
  serialized?: SerializedJson;
  /** Bytes of the answers written so far (a batch's operations add up, against MAX_RESPONSE_BYTES). */
  responseBytes?: number;
  /** The (single) answer was larger than MAX_RESPONSE_BYTES: it was replaced by the refusal. */
  responseTooLarge?: boolean;
}

export interface Context {
  sql: Sql;
  loaders: Loaders;
  /** Today's UTC date at the start of the request: what asOf defaults to. */
  today: string;
  /**
   * What the HTTP layer needs to know about the response. Apollo gives resolvers and plugins a
   * shallow copy of the context for each operation, so flags set directly on the context would
   * never reach src/http/app.ts; this object is shared by every copy.
   */
  facts: ResponseFacts;
  requestId: string;
  /** The in-memory catalogue this request reads rows from, when there is one. */
  catalog: CatalogData | null;
  /** Largest `first` a connection accepts. */
  maxPageSize: number;
}

export function createContext(
  sql: Sql,
  now: Date,
  requestId: string,
  maxPageSize = MAX_PAGE_SIZE,
  catalog: CatalogData | null = null,
): Context {
  return {
    sql,
    loaders: createLoaders(sql, catalog),
    today: utcDate(now),
    facts: { usedToday: false, hadErrors: false },
    requestId,
    catalog,
    maxPageSize,
  };
}

/** The date a root field evaluates on: its asOf argument, or today (noting that it did). */
export function asOfFor(ctx: Context, asOf: string | null | undefined): string {
  if (asOf) return asOf;
  ctx.facts.usedToday = true;
  return ctx.today;
}
