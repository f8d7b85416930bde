// Counts SQL statements as they pass through the driver adapter: a process-wide total and, through
// AsyncLocalStorage, the statements issued on behalf of the current request (or import, or test).
import { AsyncLocalStorage } from 'node:async_hooks';

export interface StatementScope {
  statements: number;
}

const scopes = new AsyncLocalStorage<StatementScope>();
let total = 0;

/** Called by the counting adapter for every statement sent to the database. */
export function countStatement(): void {
  total += 1;
  const scope = scopes.getStore();
  if (scope) scope.statements += 1;
}

/** Runs fn and reports how many statements it (and everything it awaited) sent. */
export async function withStatementScope<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const scope: StatementScope = { statements: 0 };
  const result = await scopes.run(scope, fn);
  return { result, statements: scope.statements };
}

/** Enters a scope for the rest of the current async context (used per HTTP request). */
export function enterStatementScope(): StatementScope {
  const scope: StatementScope = { statements: 0 };
  scopes.enterWith(scope);
  return scope;
}

export function currentStatementScope(): StatementScope | undefined {
  return scopes.getStore();
}

export function totalStatements(): number {
  return total;
}

/** Runs fn outside any request's scope (background work must not count against a request). */
export function outsideStatementScope<T>(fn: () => T): T {
  return scopes.exit(fn);
}
