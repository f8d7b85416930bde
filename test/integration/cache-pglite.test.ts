// Embedded mode: PGlite has one session, shared by the service and the socket server that lends the
// database to Prisma Studio (src/db/studio-socket.ts, as src/service.ts serves it).
// - An edit made through the socket notifies in that socket's protocol stream, not through
//   pglite.listen(); it still drops the response cache and the in-memory catalogue; a SELECT
//   through it does not; the service's own writes do too.
// - The socket's clients and the service take turns a whole transaction at a time: the service
//   never reads (or commits) a client's uncommitted edit, a client's statement never lands inside a
//   transaction of the service, and a client idle in a transaction is disconnected after a limit.
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, ResponseCache } from '../../src/cache/response-cache.ts';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { CHANGE_CHANNEL, pgliteChangeFeed, type PgliteFeed } from '../../src/db/changes.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { serveForStudio } from '../../src/db/studio-socket.ts';
import { totalStatements } from '../../src/db/statements.ts';
import { importDocuments } from '../../src/importer/import.ts';
import { nextReport, pollUntil, waitFor } from '../helpers/cache.ts';
import { createTestPglite } from '../helpers/db.ts';
import { projectRoot, seedsDir } from '../helpers/env.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const IDLE_IN_TRANSACTION_MS = 1_500;
const CYCLE = `{ releaseCycle(product: "go", name: "1.25") { name latest { name } } }`;
const latestOf = (text: string) =>
  (JSON.parse(text) as { data: { releaseCycle: { latest: { name: string } } } }).data.releaseCycle.latest.name;

describe('embedded PGlite: edits through the Prisma Studio socket invalidate the caches', () => {
  let db: Database;
  let feed: PgliteFeed;
  let cache: ResponseCache;
  let snapshot: CatalogSnapshot;
  let server: TestServer;
  let socket: PGLiteSocketServer;
  let studio: pg.Client;
  let port: number;
  let reports = 0;
  let idleClosures = 0;

  const connectClient = async () => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    db = await createTestPglite();
    const report = await importDocuments(db, {
      paths: [seedsDir],
      root: projectRoot,
      limits: { maxBytes: 1_048_576, maxYamlNodes: 200_000 },
    });
    expect(report.rejected).toEqual([]);
    feed = await pgliteChangeFeed(db.pglite!);
    feed.subscribe(() => (reports += 1));
    cache = new ResponseCache({ store: new MemoryStore(8_000_000), feed });
    snapshot = new CatalogSnapshot(db, feed);
    server = await startTestServer(db, { now: new Date('2026-08-22T12:00:00Z'), cache, snapshot });
    // As src/service.ts serves it, on a free port.
    socket = await serveForStudio(db.pglite!, {
      port: 0,
      feed,
      idleInTransactionMs: IDLE_IN_TRANSACTION_MS,
      onIdleInTransaction: () => (idleClosures += 1),
    });
    port = Number(socket.getServerConn().split(':').pop());
    expect(port).toBeGreaterThan(0);
    studio = await connectClient();
  });
  afterAll(async () => {
    await studio?.end().catch(() => undefined);
    await socket?.stop();
    await server?.close();
    snapshot?.close();
    await cache?.close();
    await feed?.close();
    await db?.close();
  });

  /** The answer is cached (MISS, then HIT) and the catalogue is loaded. */
  beforeEach(async () => {
    expect(await snapshot.ready()).not.toBeNull();
    await server.post({ query: CYCLE });
    expect((await server.post({ query: CYCLE })).cache).toBe('HIT');
  });

  const counted = async (query: string) => {
    const before = totalStatements();
    const r = await server.post({ query });
    return { ...r, statements: totalStatements() - before };
  };

  it('a SELECT through the socket reports nothing: the cached answer and the catalogue stay', async () => {
    const catalogue = snapshot.current();
    const before = reports;
    const { rows } = await studio.query<{ latest: string }>(
      `SELECT rc.latest FROM release_cycle rc JOIN product p ON p.id = rc.product_id
        WHERE p.name = 'go' AND rc.name = '1.25'`,
    );
    expect(rows).toHaveLength(1);
    expect(reports).toBe(before);
    expect((await server.post({ query: CYCLE })).cache).toBe('HIT');
    expect(snapshot.current()).toBe(catalogue);
  });

  it('an UPDATE through the socket drops the cached answer and the catalogue', async () => {
    const catalogue = snapshot.current();
    const reported = nextReport(feed);
    const updated = await studio.query(
      `UPDATE release_cycle SET latest = '1.25.50'
        WHERE name = '1.25' AND product_id = (SELECT id FROM product WHERE name = 'go')`,
    );
    expect(updated.rowCount).toBe(1);
    await reported;

    const after = await server.post({ query: CYCLE });
    expect(after.cache).toBe('MISS');
    expect(latestOf(after.text)).toBe('1.25.50');
    expect((await server.post({ query: CYCLE })).cache).toBe('HIT');

    // The catalogue was dropped and reloads with the edit: a request it answers alone sends no SQL.
    const reloaded = await snapshot.ready();
    expect(reloaded).not.toBeNull();
    expect(reloaded).not.toBe(catalogue);
    const fromCatalogue = await counted(`{ product(name: "go") { releases { name latest { name } } } }`);
    expect(fromCatalogue.statements).toBe(0);
    expect(fromCatalogue.text).toContain('"1.25.50"');
  });

  it("the service's own statements (heard through pglite.listen) drop them too", async () => {
    const catalogue = snapshot.current();
    const reported = nextReport(feed);
    await db.execute(
      `UPDATE release_cycle SET latest = '1.25.51'
        WHERE name = '1.25' AND product_id = (SELECT id FROM product WHERE name = 'go')`,
    );
    await reported;
    const after = await server.post({ query: CYCLE });
    expect(after.cache).toBe('MISS');
    expect(latestOf(after.text)).toBe('1.25.51');
    expect(await snapshot.ready()).not.toBe(catalogue);
  });

  /** Sets go 1.25's latest through the socket and waits (at most 1 s) for an answer that shows it. */
  const editSeen = async (client: pg.Client, latest: string, before = '') => {
    const updated = await client.query(
      `${before}UPDATE release_cycle SET latest = '${latest}'
        WHERE name = '1.25' AND product_id = (SELECT id FROM product WHERE name = 'go')`,
    );
    expect([updated].flat().at(-1)!.rowCount).toBe(1);
    const { result, ms } = await pollUntil(
      () => server.post({ query: CYCLE }),
      (r) => latestOf(r.text) === latest,
      1_000,
    );
    expect(ms).toBeLessThanOrEqual(1_000);
    return result;
  };
  const listening = async () =>
    (await db.query<{ c: string }>(`SELECT pg_listening_channels() AS c`)).some((r) => r.c === CHANGE_CHANNEL);

  // PGlite has one session: a client's UNLISTEN would end the service's own LISTEN, and nothing
  // would be heard again, from the clients or from the service.
  it.each([
    ['UNLISTEN *', 'a separate exchange'],
    [`UNLISTEN ${CHANGE_CHANNEL}`, 'a separate exchange'],
    ['DISCARD ALL', 'a separate exchange'],
    ['UNLISTEN *', 'the same exchange as the edit'],
  ])(
    "a client's %s (%s) does not stop its edits, or the service's, from dropping the caches",
    async (statement, how) => {
      if (how === 'the same exchange as the edit') {
        await editSeen(studio, '1.25.60', `${statement}; `);
      } else {
        const other = await connectClient();
        try {
          await other.query(statement);
          await editSeen(other, '1.25.61');
        } finally {
          await other.end();
        }
      }
      await feed.verify();
      expect(await listening()).toBe(true);
      // The service's own writes are heard again too.
      const reported = nextReport(feed);
      await db.execute(
        `UPDATE release_cycle SET latest = '1.25.62'
        WHERE name = '1.25' AND product_id = (SELECT id FROM product WHERE name = 'go')`,
      );
      await reported;
      expect(latestOf((await server.post({ query: CYCLE })).text)).toBe('1.25.62');
    },
  );

  it('a client that turns a notify trigger off makes the caches step aside until it is on again, ALWAYS', async () => {
    await studio.query(`ALTER TABLE release_cycle DISABLE TRIGGER release_cycle_notify`);
    await waitFor(() => !feed.healthy, 'the feed to see the trigger off', 1_000);
    const shown = await editSeen(studio, '1.25.70');
    expect(shown.cache).toBe('BYPASS');
    expect((await server.post({ query: CYCLE })).cache).toBe('BYPASS');

    // Enabled as pg_restore enables them (ENABLE TRIGGER ALL): ordinary, so a session in replica
    // mode would still skip it. Still not trusted.
    await studio.query(`ALTER TABLE release_cycle ENABLE TRIGGER ALL`);
    await feed.verify();
    expect(feed.healthy).toBe(false);

    // db:migrate (and the service's start) enables it ALWAYS again.
    expect((await migrate(db)).repaired).toEqual(['release_cycle.release_cycle_notify']);
    await feed.verify();
    expect(feed.healthy).toBe(true);
    expect((await server.post({ query: CYCLE })).cache).toBe('MISS');
    expect((await server.post({ query: CYCLE })).cache).toBe('HIT');
    expect((await migrate(db)).repaired).toEqual([]);
  });

  describe('the socket and the service take turns, a whole transaction at a time', () => {
    const LABEL = `{ product(name: "go") { label description } }`; // description: always read with SQL
    const labelOf = (text: string) => (JSON.parse(text) as { data: { product: { label: string } } }).data.product.label;
    const storedLabel = async (name: string) =>
      (await db.query<{ label: string }>(`SELECT label FROM product WHERE name = $1`, [name]))[0]!.label;
    /** Whether p has settled after ms (without waiting for it otherwise). */
    const settledWithin = (p: Promise<unknown>, ms: number) =>
      Promise.race([
        p.then(
          () => true,
          () => true,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
      ]);

    it("the service waits for a client's open transaction, never sees its edit, and does not commit it", async () => {
      const client = await connectClient();
      try {
        await client.query('BEGIN');
        // Parameters: the extended protocol, several messages per statement.
        await client.query(`UPDATE product SET label = $1 WHERE name = 'go'`, ['Go (uncommitted)']);

        // A request that needs SQL, and a transaction of the service (as the catalogue reload runs).
        const request = server.post({ query: LABEL });
        const reload = db.transaction((tx) =>
          tx.query<{ label: string }>(`SELECT label FROM product WHERE name = 'go'`),
        );
        expect(await settledWithin(request, 300)).toBe(false);
        expect(await settledWithin(reload, 0)).toBe(false);

        await client.query('ROLLBACK');
        const answered = await request;
        expect(answered.status).toBe(200);
        expect(labelOf(answered.text)).toBe('Go');
        expect((await reload)[0]!.label).toBe('Go');
        expect(await storedLabel('go')).toBe('Go');
        expect(labelOf((await server.post({ query: LABEL })).text)).toBe('Go');
      } finally {
        await client.end();
      }
    });

    it("a client's statement waits for the service's transaction and is not undone by its rollback", async () => {
      const client = await connectClient();
      try {
        let clientUpdate: Promise<pg.QueryResult> | null = null;
        await expect(
          db.transaction(async (tx) => {
            await tx.execute(`UPDATE product SET label = 'Ruby (rolled back)' WHERE name = 'ruby'`);
            clientUpdate = client.query(`UPDATE product SET label = 'Go (by the client)' WHERE name = 'go'`);
            expect(await settledWithin(clientUpdate, 300)).toBe(false);
            throw new Error('the service rolls back');
          }),
        ).rejects.toThrow('the service rolls back');
        expect((await clientUpdate!).rowCount).toBe(1);
        expect(await storedLabel('ruby')).toBe('Ruby');
        expect(await storedLabel('go')).toBe('Go (by the client)');
      } finally {
        await client.query(`UPDATE product SET label = 'Go' WHERE name = 'go'`);
        await client.end();
      }
    });

    it('clients and the service writing at once: nobody ever sees half of a transaction', async () => {
      const clients = await Promise.all([connectClient(), connectClient()]);
      const pair = `SELECT rc.codename FROM release_cycle rc JOIN product p ON p.id = rc.product_id
                     WHERE p.name = 'go' AND rc.name IN ('1.24', '1.25') ORDER BY rc.name`;
      const write = (codename: string) =>
        `UPDATE release_cycle SET codename = '${codename}'
          WHERE name IN ('1.24', '1.25') AND product_id = (SELECT id FROM product WHERE name = 'go')`;
      const seen: string[][] = [];
      try {
        const byClient = clients.map(async (client, c) => {
          for (let i = 0; i < 15; i++) {
            await client.query('BEGIN');
            // One row, then the other: a reader between the two would see them differ.
            await client.query(write(`client ${c}.${i}`).replace(`IN ('1.24', '1.25')`, `= '1.24'`));
            await client.query(write(`client ${c}.${i}`).replace(`IN ('1.24', '1.25')`, `= '1.25'`));
            seen.push((await client.query<{ codename: string }>(pair)).rows.map((r) => r.codename));
            await client.query(i % 3 === 2 ? 'ROLLBACK' : 'COMMIT');
          }
        });
        const byService = (async () => {
          for (let i = 0; i < 15; i++) {
            seen.push((await db.query<{ codename: string }>(pair)).map((r) => r.codename));
            await db.transaction(async (tx) => {
              await tx.execute(write(`service ${i}`).replace(`IN ('1.24', '1.25')`, `= '1.24'`));
              await tx.execute(write(`service ${i}`).replace(`IN ('1.24', '1.25')`, `= '1.25'`));
            });
          }
        })();
        await Promise.all([...byClient, byService]);
      } finally {
        await Promise.all(clients.map((c) => c.end()));
      }
      expect(seen.length).toBe(2 * 15 + 15);
      for (const [a, b] of seen) expect(a).toBe(b);
      const [a, b] = (await db.query<{ codename: string }>(pair)).map((r) => r.codename);
      expect(a).toBe(b);
    });

    it('a client that goes away while its BEGIN waits for the session does not leave the session held', async () => {
      const client = await connectClient();
      client.on('error', () => undefined);
      await db.transaction(async (tx) => {
        await tx.query(`SELECT 1`);
        // Sent while the service holds the session: it runs only once this transaction ends,
        // after its client is gone, so the disconnect found nothing to roll back.
        void client.query('BEGIN').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
        await new Promise((r) => setTimeout(r, 100));
      });
      // The session is free again well before the idle-in-transaction limit.
      const started = Date.now();
      expect(await storedLabel('go')).toBe('Go');
      expect(Date.now() - started).toBeLessThan(IDLE_IN_TRANSACTION_MS / 2);
      const other = await connectClient();
      expect((await other.query<{ n: number }>(`SELECT 1 AS n`)).rows[0]!.n).toBe(1);
      await other.end();
    });

    it('a client idle in a transaction past the limit is disconnected and rolled back; the service goes on', async () => {
      const client = await connectClient();
      const ended = new Promise<void>((resolve) => {
        client.on('error', () => resolve());
        client.on('end', () => resolve());
      });
      const closuresBefore = idleClosures;
      await client.query('BEGIN');
      await client.query(`UPDATE product SET label = 'Go (abandoned)' WHERE name = 'go'`);
      const started = Date.now();
      const request = server.post({ query: `{ product(name: "go") { label description releases { name } } }` });
      const answered = await request;
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(IDLE_IN_TRANSACTION_MS - 100);
      expect(answered.status).toBe(200);
      expect(labelOf(answered.text)).toBe('Go');
      await ended;
      expect(idleClosures).toBe(closuresBefore + 1);
      expect(await storedLabel('go')).toBe('Go');
      // The socket serves new clients as before.
      const next = await connectClient();
      expect((await next.query<{ n: number }>(`SELECT count(*)::int AS n FROM product`)).rows[0]!.n).toBeGreaterThan(0);
      await next.end();
    });
  });
});
