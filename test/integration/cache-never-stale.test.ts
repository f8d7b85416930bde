// The response cache never answers with data older than the last change it was told of: an answer
// computed from data read before a change is not stored, errors are not stored, and while the change
// feed is down (its LISTEN connection killed) nothing is cached and the in-memory catalogue is not
// used; once the feed is back, caching resumes and what changed meanwhile is in the answers.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, ResponseCache } from '../../src/cache/response-cache.ts';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { postgresChangeFeed, type ChangeFeed } from '../../src/db/changes.ts';
import { totalStatements } from '../../src/db/statements.ts';
import { adminConnection, HoldingSql, nextReport, terminateListener, waitFor } from '../helpers/cache.ts';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedsDir } from '../helpers/env.ts';
import { startTestServer, type GraphQLBody, type TestServer } from '../helpers/server.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

const GO_RELEASES = `{ product(name: "go") { releases { name latest { name } } } }`;
// Labels come from the in-memory catalogue, descriptions (not in it) from SQL: a request can be
// held after it read the catalogue.
const LANG_LABELS = `{ products(filter: { tag: "lang" }) { nodes { name label description } } }`;
const RUBY_CYCLE = `{ releaseCycle(product: "ruby", name: "3.3") { codename } }`;

const goLatest = (text: string, cycle: string) =>
  (
    JSON.parse(text) as { data: { product: { releases: { name: string; latest: { name: string } }[] } } }
  ).data.product.releases.find((c) => c.name === cycle)?.latest.name;
const labelOf = (text: string, name: string) =>
  (JSON.parse(text) as { data: { products: { nodes: { name: string; label: string }[] } } }).data.products.nodes.find(
    (n) => n.name === name,
  )?.label;

describe('the response cache is never stale', () => {
  let t: TestDatabase;
  let feed: ChangeFeed;
  let cache: ResponseCache;
  let snapshot: CatalogSnapshot;
  let holding: HoldingSql;
  /** Cache, no catalogue: every request reads through SQL. */
  let plain: TestServer;
  /** Cache and catalogue, as the service runs by default. */
  let server: TestServer;
  let admin: pg.Client;

  beforeAll(async () => {
    t = await createImportedDatabase(seedsDir);
    feed = postgresChangeFeed({ url: t.url });
    cache = new ResponseCache({ store: new MemoryStore(8_000_000), feed });
    snapshot = new CatalogSnapshot(t.db, feed);
    holding = new HoldingSql(t.db);
    const now = new Date('2026-08-22T12:00:00Z');
    plain = await startTestServer(t.db, { now, cache, sql: holding });
    server = await startTestServer(t.db, { now, cache, snapshot, sql: holding });
    admin = await adminConnection(t.url);
    await waitFor(() => feed.healthy, 'the change feed to listen');
    expect(await snapshot.ready()).not.toBeNull();
  });
  afterAll(async () => {
    holding?.release();
    await plain?.close();
    await server?.close();
    snapshot?.close();
    await cache?.close();
    await feed?.close();
    await admin?.end();
    await t?.drop();
  });

  const counted = async (s: TestServer, body: GraphQLBody) => {
    const before = totalStatements();
    const r = await s.post(body);
    return { ...r, statements: totalStatements() - before };
  };

  describe('a change while a request runs', () => {
    it('is not hidden by the answer of a request that read the rows before it (SQL path)', async () => {
      const reached = holding.hold(/FROM release_cycle/);
      const pending = plain.post({ query: GO_RELEASES });
      await reached; // the request has read go's cycles; its answer is held back

      const reported = nextReport(feed);
      await admin.query(
        `UPDATE release_cycle SET latest = '1.25.99'
          WHERE name = '1.25' AND product_id = (SELECT id FROM product WHERE name = 'go')`,
      );
      await reported;
      holding.release();
      const raced = await pending;
      expect(raced.cache).toBe('MISS');
      expect(goLatest(raced.text, '1.25')).not.toBe('1.25.99'); // the race happened: it answered old data

      const next = await plain.post({ query: GO_RELEASES });
      expect(next.cache).toBe('MISS');
      expect(goLatest(next.text, '1.25')).toBe('1.25.99');
      const again = await plain.post({ query: GO_RELEASES });
      expect(again.cache).toBe('HIT');
      expect(again.text).toBe(next.text);
    });

    it('is not hidden by the answer of a request that read the in-memory catalogue before it', async () => {
      expect(await snapshot.ready()).not.toBeNull();
      const reached = holding.hold(/FROM product/);
      const pending = server.post({ query: LANG_LABELS });
      await reached; // rows come from the catalogue taken at the start; the descriptions are held back

      const reported = nextReport(feed);
      await admin.query(`UPDATE product SET label = 'Golang' WHERE name = 'go'`);
      await reported;
      holding.release();
      const raced = await pending;
      expect(raced.cache).toBe('MISS');
      expect(labelOf(raced.text, 'go')).toBe('Go');

      const next = await server.post({ query: LANG_LABELS });
      expect(next.cache).toBe('MISS');
      expect(labelOf(next.text, 'go')).toBe('Golang');
      expect((await server.post({ query: LANG_LABELS })).cache).toBe('HIT');
    });
  });

  describe('errors', () => {
    it('an answer with a BAD_USER_INPUT error is not stored (MISS every time, no-store)', async () => {
      const query = `{ releaseCycles(filter: { eolWithinDays: -1 }) { totalCount } }`;
      for (let i = 0; i < 2; i++) {
        const r = await server.post({ query });
        expect(r.cache).toBe('MISS');
        expect(r.headers.get('cache-control')).toBe('no-store');
        const body = JSON.parse(r.text) as { errors?: { message: string; extensions: { code: string } }[] };
        expect(body.errors?.[0]).toMatchObject({
          message: 'eolWithinDays must be between 0 and 36500, got -1',
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
    });

    it('a request that fails validation is not stored either', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await server.post({ query: '{ product(name: "go") { nope } }' });
        expect(r.status).toBe(400);
        expect(r.cache).toBe('MISS');
        expect(r.headers.get('cache-control')).toBe('no-store');
      }
    });
  });

  describe('while the change feed is down', () => {
    it('bypasses the cache and the catalogue, and resumes both with what changed meanwhile once the feed is back', async () => {
      // Cached, and answerable from the catalogue (no SQL), before the feed goes down.
      await server.post({ query: RUBY_CYCLE });
      const cached = await counted(server, { query: RUBY_CYCLE });
      expect(cached.cache).toBe('HIT');
      const codename = (JSON.parse(cached.text) as { data: { releaseCycle: { codename: string | null } } }).data
        .releaseCycle.codename;
      expect(await snapshot.ready()).not.toBeNull();
      expect(
        (await counted(server, { query: `{ releaseCycle(product: "ruby", name: "3.2") { codename } }` })).statements,
      ).toBe(0);

      const down = nextReport(feed);
      expect(await terminateListener(admin)).toBe(1);
      await down;
      const downAt = Date.now();
      expect(feed.healthy).toBe(false);

      // Nothing is read from or stored in the cache, and the catalogue is not used (requests query).
      const bypass = await counted(server, { query: RUBY_CYCLE });
      expect(bypass.cache).toBe('BYPASS');
      expect(bypass.statements).toBeGreaterThan(0);
      expect(snapshot.current()).toBeNull();
      // An edit now goes unnoticed by the feed, and is still in the answers.
      await admin.query(
        `UPDATE release_cycle SET codename = 'while down'
          WHERE name = '3.3' AND product_id = (SELECT id FROM product WHERE name = 'ruby')`,
      );
      const during = await server.post({ query: RUBY_CYCLE });
      expect(during.cache).toBe('BYPASS');
      expect(JSON.parse(during.text)).toEqual({ data: { releaseCycle: { codename: 'while down' } } });
      expect(codename).not.toBe('while down');

      // The feed reconnects by itself (first retry after 250 ms).
      await waitFor(() => feed.healthy, 'the change feed to reconnect', 3_000);
      expect(Date.now() - downAt).toBeLessThan(2_000);

      const after = await server.post({ query: RUBY_CYCLE });
      expect(after.cache).toBe('MISS');
      expect(after.text).toBe(during.text);
      expect((await server.post({ query: RUBY_CYCLE })).cache).toBe('HIT');

      // The catalogue reloads, with the edit.
      expect(await snapshot.ready()).not.toBeNull();
      const fromCatalogue = await counted(server, {
        query: `{ releaseCycle(product: "ruby", name: "3.3") { name codename } }`,
      });
      expect(fromCatalogue.statements).toBe(0);
      expect(JSON.parse(fromCatalogue.text)).toEqual({
        data: { releaseCycle: { name: '3.3', codename: 'while down' } },
      });
    });
  });

  describe('when the listening connection dies without a word (no reset, no FIN)', () => {
    it('the heartbeat notices within two beats: the cache steps aside, then the feed reconnects by itself', async () => {
      const HEARTBEAT_MS = 200;
      const proxy = await TcpProxy.create({ host: '127.0.0.1', port: Number(new URL(t.url).port || 5432) });
      await proxy.start();
      const url = new URL(t.url);
      url.port = String(proxy.port);
      const silentFeed = postgresChangeFeed({ url: url.toString(), heartbeatMs: HEARTBEAT_MS, deadAfterMs: 1_500 });
      const silentCache = new ResponseCache({ store: new MemoryStore(8_000_000), feed: silentFeed });
      const s = await startTestServer(t.db, { now: new Date('2026-08-22T12:00:00Z'), cache: silentCache });
      try {
        await waitFor(() => silentFeed.healthy, 'the change feed to listen');
        await s.post({ query: GO_RELEASES });
        const before = await s.post({ query: GO_RELEASES });
        expect(before.cache).toBe('HIT');
        expect(goLatest(before.text, '1.25')).not.toBe('1.25.77');

        proxy.freeze(); // the LISTEN connection now hears nothing, and nothing tells it so
        const frozenAt = Date.now();
        await admin.query(
          `UPDATE release_cycle SET latest = '1.25.77'
            WHERE name = '1.25' AND product_id = (SELECT id FROM product WHERE name = 'go')`,
        );
        // Never the old answer after two beats (and a little for the timers on a busy machine).
        await waitFor(() => !silentFeed.healthy, 'the heartbeat to notice', 4 * HEARTBEAT_MS + 500);
        expect(Date.now() - frozenAt).toBeLessThanOrEqual(4 * HEARTBEAT_MS + 500);
        const during = await s.post({ query: GO_RELEASES });
        expect(during.cache).toBe('BYPASS');
        expect(goLatest(during.text, '1.25')).toBe('1.25.77');

        // After deadAfterMs the connection is given up and a new one (the proxy forwards new
        // connections) listens: caching resumes, with the edit.
        await waitFor(() => silentFeed.healthy, 'the change feed to reconnect', 5_000);
        expect(proxy.accepted).toBeGreaterThanOrEqual(2);
        const after = await s.post({ query: GO_RELEASES });
        expect(after.cache).toBe('MISS');
        expect(goLatest(after.text, '1.25')).toBe('1.25.77');
        expect((await s.post({ query: GO_RELEASES })).cache).toBe('HIT');
      } finally {
        await s.close();
        await silentCache.close();
        await silentFeed.close();
        await proxy.close();
      }
    });
  });
});
