// Counts SQL statements as they pass through the driver adapter: a process-wide total, and per
// request through a counting view of the connection (countingSql) that the request's resolvers and
// loaders use. Not AsyncLocalStorage: on Node 20 it installs promise hooks for the whole process,
// which cost a third of the throughput of a small query (bench/results/2026-11-27.md).
import type { Sql } from './database.ts';

let total = 0;

/** Called by the counting adapter for every statement sent to the database. */
export function countStatement(): void {
  total += 1;
}

export function totalStatements(): number {
  return total;
}

/** sql, counting the statements sent through it (each query call is one statement). */
export function countingSql(sql: Sql): Sql & { readonly statements: number } {
  let statements = 0;
  return {
    get statements() {
      return statements;
    },
    query(text, params) {
      statements += 1;
      return sql.query(text, params);
    },
    queryArrays(text, params) {
      statements += 1;
      return sql.queryArrays(text, params);
    },
    execute(text, params) {
      statements += 1;
      return sql.execute(text, params);
    },
  };
}
