// Embedded mode: PGlite has one session, so an edit made through the socket server that lends the
// database to Prisma Studio notifies in that socket's protocol stream, not through pglite.listen().
// The socket server is given pgliteNotifyingProxy(pglite, feed), which passes those notifications on:
// an edit through the socket (a pg client, as Prisma Studio connects) drops the response cache and
// the in-memory catalogue; a SELECT through it does not; the service's own writes do too.
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, ResponseCache } from '../../src/cache/response-cache.ts';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { pgliteChangeFeed, pgliteNotifyingProxy, type PgliteFeed } from '../../src/db/changes.ts';
import type { Database } from '../../src/db/database.ts';
import { totalStatements } from '../../src/db/statements.ts';
import { importDocuments } from '../../src/importer/import.ts';
import { nextReport } from '../helpers/cache.ts';
import { createTestPglite } from '../helpers/db.ts';
import { projectRoot, seedsDir } from '../helpers/env.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

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
  let reports = 0;

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
    socket = new PGLiteSocketServer({ db: pgliteNotifyingProxy(db.pglite!, feed), port: 0, host: '127.0.0.1' });
    await socket.start();
    const port = Number(socket.getServerConn().split(':').pop());
    expect(port).toBeGreaterThan(0);
    studio = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await studio.connect();
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
});
