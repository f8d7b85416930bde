// Shared by the response-cache and in-memory-catalogue tests: waiting for the change feed, editing
// the data the way an admin would (a separate pg connection, not the service's pool), killing the
// listening connection, and a Sql wrapper that holds back one statement's result.
import pg from 'pg';
import type { ChangeFeed } from '../../src/db/changes.ts';
import type { Sql } from '../../src/db/database.ts';

/** Polls cond every 10 ms until it holds; throws after timeoutMs, naming what it waited for. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves on the feed's next report (a change, or a change of health); rejects after timeoutMs. */
export function nextReport(feed: ChangeFeed, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`the change feed reported nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = feed.subscribe(() => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

/** A plain pg connection to the test database: edits through it are nobody's but an admin's. */
export async function adminConnection(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'eolgraph-test-admin' });
  await client.connect();
  return client;
}

/** Terminates the change feed's LISTEN connection(s) to the current database; returns how many. */
export async function terminateListener(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
      WHERE application_name = 'eolgraph-listener' AND datname = current_database()`,
  );
  return rows.filter((r) => r.ok).length;
}

/**
 * Sql that passes everything to `inner`, except that after hold(pattern) the next statement whose
 * text matches runs at once but its rows are held back until release(): the request then answers
 * with data read before whatever happens meanwhile.
 */
export class HoldingSql implements Sql {
  private pattern: RegExp | null = null;
  private releaseHeld: (() => void) | null = null;
  private reachedHeld: (() => void) | null = null;

  constructor(private readonly inner: Sql) {}

  /** Arms the hold; the promise resolves once a matching statement has read its rows. */
  hold(pattern: RegExp): Promise<void> {
    this.pattern = pattern;
    return new Promise((resolve) => (this.reachedHeld = resolve));
  }

  release(): void {
    this.releaseHeld?.();
    this.releaseHeld = null;
  }

  private async maybeHold<T>(sql: string, run: () => Promise<T>): Promise<T> {
    if (!this.pattern?.test(sql)) return run();
    this.pattern = null;
    const result = await run();
    const released = new Promise<void>((resolve) => (this.releaseHeld = resolve));
    this.reachedHeld?.();
    await released;
    return result;
  }

  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.maybeHold(sql, () => this.inner.query<T>(sql, params));
  }
  queryArrays(sql: string, params?: readonly unknown[]) {
    return this.maybeHold(sql, () => this.inner.queryArrays(sql, params));
  }
  execute(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.inner.execute(sql, params);
  }
}

/**
 * Sends request every 20 ms until accept(result) holds; returns that result and how long it took.
 * Throws after timeoutMs with the last result seen.
 */
export async function pollUntil<R>(
  request: () => Promise<R>,
  accept: (r: R) => boolean,
  timeoutMs = 1_000,
): Promise<{ result: R; ms: number; tries: number }> {
  const started = Date.now();
  for (let tries = 1; ; tries++) {
    const result = await request();
    const ms = Date.now() - started;
    if (accept(result)) return { result, ms, tries };
    if (ms > timeoutMs) {
      throw new Error(
        `not seen within ${timeoutMs} ms (${tries} tries); last: ${JSON.stringify(result).slice(0, 300)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
