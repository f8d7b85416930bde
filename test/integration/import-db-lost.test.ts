// An import whose database connections fail in the middle of writing (the network cut, a backend
// terminated by an admin) is a database error, not a rejected document: the importer stops at
// once (no further product is started), says which products it wrote and that the rest were not,
// exits with code 2 within a bound (nothing left hanging, the connections closed), leaves every
// product either as it was or entirely as its document says, and running it again completes it.
//
// Deterministic, without timing: the test holds four products' rows locked (SELECT … FOR UPDATE
// in a transaction of its own), so the importer's four writers (src/importer/import.ts,
// concurrency 4 on PostgreSQL) each end up waiting inside a product's transaction; it watches
// pg_stat_activity until the four wait, and only then cuts. At that point the products before the
// locked ones (in file order, the order they are written in) are written and no later one is
// started.
//
// Version A is every other document of the corpus, version B changes each of them in four tables
// (test/helpers/import-versions.ts, as in fault-import.test.ts). The importer runs as the command,
// through a TCP proxy that can cut its connections (test/helpers/tcp-proxy.ts).
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { removeDir, runImport, tempDir } from '../helpers/documents.ts';
import { noCorpus } from '../helpers/env.ts';
import { stateOf, writeVersions } from '../helpers/import-versions.ts';
import { ESCAPED_ERRORS, runImporter, type CommandResult } from '../helpers/service-process.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

/** The importer's writers on PostgreSQL (ImportOptions.concurrency's default). */
const WRITERS = 4;
/** How long the importer may take to end once its connections failed (closing is bounded at 5 s). */
const EXIT_BOUND_MS = 10_000;

interface Run {
  /** The command's result, and when it ended (performance.now()). */
  done: Promise<CommandResult & { endedAt: number }>;
  ended: boolean;
}

function startImport(url: string, dir: string): Run {
  const run: Run = {
    ended: false,
    done: runImporter(url, [dir]).then((r) => {
      run.ended = true;
      return { ...r, endedAt: performance.now() };
    }),
  };
  return run;
}

/** Polls check() until it returns true; fails at once when the importer ended before. */
async function until(what: string, run: Run, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (run.ended) {
      const r = await run.done;
      throw new Error(`the import ended (code ${r.code}) before ${what}:\n${r.stdout}\n${r.stderr}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The count in "written before it: N products" / "not written: N products" (0 when absent). */
function countIn(stderr: string, label: string): number {
  const m = new RegExp(`^${label}: (\\d+) products?`, 'm').exec(stderr);
  return m ? Number(m[1]) : 0;
}

describe.skipIf(noCorpus('the import losing its database'))('an import whose database connection fails', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  /** The importer's DATABASE_URL: through the proxy, with a password that must never be printed. */
  let url: string;
  let password: string;
  let dirA: string;
  let dirB: string;
  /** Product names in the order the importer writes them (its files' order). */
  let order: string[];
  let stateA: Map<string, string>;
  let stateB: Map<string, string>;
  let watcher: pg.Client;

  /** A transaction of the test's holding these products' rows locked; release() rolls it back. */
  async function lockProducts(names: string[]): Promise<{ release(): Promise<void> }> {
    const locker = new pg.Client({ connectionString: t.url });
    await locker.connect();
    await locker.query('BEGIN');
    const r = await locker.query(`SELECT name FROM product WHERE name = ANY($1::text[]) FOR UPDATE`, [names]);
    expect(r.rowCount).toBe(names.length);
    return {
      async release() {
        await locker.query('ROLLBACK');
        await locker.end();
      },
    };
  }

  /** The importer's connections waiting for a lock (on the products the test holds). */
  async function waiting(): Promise<number[]> {
    const r = await watcher.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = $1 AND application_name = 'eolgraph' AND wait_event_type = 'Lock' ORDER BY pid`,
      [t.name],
    );
    return r.rows.map((x) => x.pid);
  }

  /** Each product's stored state is one of the two versions', whole: the products of the version `to`. */
  async function wholeProducts(to: Map<string, string>, from: Map<string, string>): Promise<Set<string>> {
    const now = await stateOf(t.db);
    expect(now.size).toBe(order.length);
    const mixed: string[] = [];
    const done = new Set<string>();
    for (const [name, state] of now) {
      if (state === to.get(name)) done.add(name);
      else if (state !== from.get(name)) mixed.push(name);
    }
    expect(mixed, 'products half-written').toEqual([]);
    return done;
  }

  function expectDatabaseLostMessage(r: CommandResult, cause: RegExp): void {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(''); // no import report: the import did not end
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^database error \\(PostgreSQL 127\\.0\\.0\\.1:${proxy.port}/${t.name}\\): the database connection failed while writing products: `,
      ),
    );
    expect(lines[0]).toMatch(cause);
    expect(r.stderr).toMatch(/^written before it: \d+ products?, each whole in its own transaction \(/m);
    expect(r.stderr).toMatch(/^not written: \d+ products? \(the import stopped there; none is half-written, .*\): /m);
    expect(lines.at(-1)).toBe('run the import again to complete it');
    expect(r.stderr).not.toContain(password);
    expect(r.stderr).not.toContain('did not finish within'); // the connections were all given back
    expect(r.stderr).not.toMatch(/the database refused it|rejected/);
    expect(r.stderr).not.toMatch(ESCAPED_ERRORS);
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    dirA = tempDir('db-lost-a');
    dirB = tempDir('db-lost-b');
    const files = writeVersions(dirA, dirB);
    const a = await runImport(t.db, [dirA]);
    expect(a.rejected).toEqual([]);
    expect(a.created).toHaveLength(files.length);
    stateA = await stateOf(t.db);
    const byPath = new Map(
      (await t.db.query<{ name: string; source_path: string }>(`SELECT name, source_path FROM product`)).map((p) => [
        p.source_path,
        p.name,
      ]),
    );
    order = files.map((f) => byPath.get(join(dirA, f))!);
    expect(order.every(Boolean)).toBe(true);

    const target = new URL(t.url);
    proxy = await TcpProxy.create({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.start();
    const u = new URL(t.url);
    u.host = `127.0.0.1:${proxy.port}`;
    if (!u.password) u.password = 'never-printed-4b1f'; // trust authentication does not ask for it
    password = decodeURIComponent(u.password);
    url = u.toString();
    watcher = new pg.Client({ connectionString: t.url });
    await watcher.connect();
  });

  afterAll(async () => {
    await watcher?.end();
    await proxy?.close();
    removeDir(dirA);
    removeDir(dirB);
    await t?.drop();
  });

  it('every connection cut while writing (A → B): exit 2, what was written and what not, nothing half-written', async () => {
    const first = 60; // the products before it are written first
    const locked = order.slice(first, first + WRITERS);
    const lock = await lockProducts(locked);
    const run = startImport(url, dirB);
    let r: Awaited<Run['done']>;
    let cutAt: number;
    try {
      await until(`the importer's ${WRITERS} writers wait for the locked products`, run, async () => {
        return (await waiting()).length === WRITERS;
      });
      cutAt = performance.now();
      proxy.cut(); // the network goes; the proxy still accepts new connections (the database is back)
      r = await run.done;
    } finally {
      await lock.release();
    }

    expectDatabaseLostMessage(r, /Connection terminated|ECONNRESET|connection/i);
    expect(r.endedAt - cutAt, 'milliseconds from the cut to the exit').toBeLessThan(EXIT_BOUND_MS);

    // Exactly the products before the locked ones were written; no product after them was started,
    // although the database could be reached again at once.
    const atCut = await stateOf(t.db);
    const written = order.filter((n) => atCut.get(n) !== stateA.get(n));
    expect(written).toEqual(order.slice(0, first));
    expect(countIn(r.stderr, 'written before it')).toBe(first);
    expect(countIn(r.stderr, 'not written')).toBe(order.length - first);
    for (const name of locked) expect(r.stderr).toContain(name);

    // Running it again completes the import; the products written before the cut are unchanged.
    const again = await runImporter(url, [dirB]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toContain(`${order.length} documents in`);
    expect(again.stdout.split('\n')[0]).toContain(
      `created: 0, updated: ${order.length - first}, unchanged: ${first}, rejected: 0`,
    );
    stateB = await stateOf(t.db);
    // At the cut, each product was entirely A or entirely B.
    const mixed = order.filter((n) => atCut.get(n) !== stateA.get(n) && atCut.get(n) !== stateB.get(n));
    expect(mixed).toEqual([]);
    for (const name of order) expect(stateB.get(name), name).not.toBe(stateA.get(name));
  });

  it('one connection terminated by an admin (pg_terminate_backend, B → A): exit 2, not a rejected document', async () => {
    const first = 120;
    const locked = order.slice(first, first + WRITERS);
    const lock = await lockProducts(locked);
    const run = startImport(url, dirA);
    let releasedAt: number;
    try {
      let pids: number[] = [];
      await until(`the importer's ${WRITERS} writers wait for the locked products`, run, async () => {
        pids = await waiting();
        return pids.length === WRITERS;
      });
      // One of the four: its transaction fails, the three others are healthy. pg_terminate_backend
      // with a timeout returns once that backend is gone (its "terminating connection" sent).
      const killed = await watcher.query<{ ok: boolean }>(`SELECT pg_terminate_backend($1, 10000) AS ok`, [pids[0]]);
      expect(killed.rows[0]!.ok).toBe(true);
    } finally {
      releasedAt = performance.now();
      await lock.release(); // the three others can now finish their products
    }
    const r = await run.done;

    expectDatabaseLostMessage(r, /terminating connection due to administrator command/);
    expect(r.endedAt - releasedAt, 'milliseconds from the release to the exit').toBeLessThan(EXIT_BOUND_MS);

    const a = await wholeProducts(stateA, stateB);
    // Written: the products before the locked ones, and the locked ones whose healthy transactions
    // went on; not the terminated one, and nothing after the locked ones was started.
    expect(order.slice(0, first).every((n) => a.has(n))).toBe(true);
    expect(order.slice(first + WRITERS).filter((n) => a.has(n))).toEqual([]);
    const lockedWritten = locked.filter((n) => a.has(n));
    expect(lockedWritten).toHaveLength(WRITERS - 1);
    expect(countIn(r.stderr, 'written before it')).toBe(a.size);
    expect(countIn(r.stderr, 'not written')).toBe(order.length - a.size);
    expect(r.stderr).toContain(locked.find((n) => !a.has(n))!);

    const again = await runImporter(url, [dirA]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toContain(
      `created: 0, updated: ${order.length - a.size}, unchanged: ${a.size}, rejected: 0`,
    );
    expect(await stateOf(t.db)).toEqual(stateA);
  });
});
