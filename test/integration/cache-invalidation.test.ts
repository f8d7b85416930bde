// The response cache and the in-memory catalogue over a real PostgreSQL database, wired as the
// service wires them (one postgresChangeFeed driving a ResponseCache(MemoryStore) and a
// CatalogSnapshot): a repeated request is answered from the cache without SQL, a different request
// is not, and every change to the data – plain SQL from another connection or an import – is in the
// next response within a second, never served from an entry cached before it.
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, ResponseCache } from '../../src/cache/response-cache.ts';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { postgresChangeFeed, type ChangeFeed } from '../../src/db/changes.ts';
import { migrate } from '../../src/db/migrate.ts';
import { totalStatements } from '../../src/db/statements.ts';
import { importDocuments } from '../../src/importer/import.ts';
import { adminConnection, pollUntil, waitFor } from '../helpers/cache.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { copyDocuments, readDocument, removeDir, replaceOnce, tempDir, writeDocument } from '../helpers/documents.ts';
import { projectRoot, seedsDir } from '../helpers/env.ts';
import { startTestServer, type GraphQLBody, type RawResult, type TestServer } from '../helpers/server.ts';

const LIMITS = { maxBytes: 1_048_576, maxYamlNodes: 200_000 };

// A product's description (its Markdown body) is never in the in-memory catalogue, so a MISS of this
// query costs a statement and a HIT that costs none was answered from the cache.
const RELEASES = `query Releases($name: String!, $tag: String!) {
  product(name: $name) { name label aliases description releases { name codename latest { name } } }
  products(filter: { tag: $tag }) { nodes { name } }
}`;

interface ReleasesData {
  data: {
    product: {
      name: string;
      label: string;
      aliases: string[];
      releases: { name: string; codename: string | null; latest: { name: string | null } | null }[];
    } | null;
    products: { nodes: { name: string }[] };
  };
}

describe('the response cache and the in-memory catalogue, invalidated by change notifications', () => {
  let t: TestDatabase;
  let feed: ChangeFeed;
  let cache: ResponseCache;
  let snapshot: CatalogSnapshot;
  let server: TestServer;
  let admin: pg.Client;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    const report = await importDocuments(t.db, { paths: [seedsDir], root: projectRoot, limits: LIMITS });
    expect(report.rejected).toEqual([]);
    // php is imported from a copy that the last test changes (the source path is part of what the
    // importer compares, so the copy is imported now, before anything listens).
    dir = tempDir('cache-import');
    copyDocuments(seedsDir, dir, ['php.md']);
    const fromCopy = await importDocuments(t.db, { paths: [dir], root: projectRoot, limits: LIMITS });
    expect(fromCopy.updated).toEqual(['php']);
    feed = postgresChangeFeed({ url: t.url });
    cache = new ResponseCache({ store: new MemoryStore(32_000_000), feed });
    snapshot = new CatalogSnapshot(t.db, feed);
    server = await startTestServer(t.db, { now: new Date('2026-08-22T12:00:00Z'), cache, snapshot });
    admin = await adminConnection(t.url);
    await waitFor(() => feed.healthy, 'the change feed to listen');
    expect(await snapshot.ready()).not.toBeNull();
  });
  afterAll(async () => {
    await server?.close();
    snapshot?.close();
    await cache?.close();
    await feed?.close();
    await admin?.end();
    await t?.drop();
    if (dir) removeDir(dir);
  });

  /** One request and the SQL statements it sent (the server runs in this process). */
  const counted = async (body: GraphQLBody): Promise<RawResult & { statements: number }> => {
    const before = totalStatements();
    const r = await server.post(body);
    return { ...r, statements: totalStatements() - before };
  };
  const releases = (name: string, tag = 'lang') => server.post({ query: RELEASES, variables: { name, tag } });
  const parse = (r: RawResult) => (JSON.parse(r.text) as ReleasesData).data;
  const cycle = (r: RawResult, name: string) => parse(r).product?.releases.find((c) => c.name === name);

  /** Caches the answer for name (a MISS, then a HIT) and returns it. */
  const cached = async (name: string) => {
    await releases(name);
    const hit = await releases(name);
    expect(hit.cache).toBe('HIT');
    return hit;
  };

  /**
   * After an edit: polls (at most 1 s) until the answer shows it. The answer that first shows it
   * must have been computed (MISS), and the one after it is served from the cache (HIT).
   */
  const seenAfterEdit = (name: string, shows: (r: RawResult) => boolean) =>
    seenAfter({ query: RELEASES, variables: { name, tag: 'lang' } }, shows);
  /** seenAfterEdit for any request. */
  const seenAfter = async (body: GraphQLBody, shows: (r: RawResult) => boolean) => {
    const { result, ms } = await pollUntil(() => server.post(body), shows, 1_000);
    expect(ms).toBeLessThanOrEqual(1_000);
    expect(result.cache).toBe('MISS');
    const again = await server.post(body);
    expect(again.cache).toBe('HIT');
    expect(again.text).toBe(result.text);
    return result;
  };
  /** Caches the answer to body (a MISS, then a HIT) and returns its data. */
  const cachedBody = async <T>(body: GraphQLBody): Promise<T> => {
    await server.post(body);
    const hit = await server.post(body);
    expect(hit.cache).toBe('HIT');
    return (JSON.parse(hit.text) as { data: T }).data;
  };

  describe('hits and misses', () => {
    it('answers the first request (MISS, with SQL) and the same request again from the cache (HIT, no SQL)', async () => {
      const body = { query: RELEASES, variables: { name: 'go', tag: 'lang' } };
      const miss = await counted(body);
      expect(miss.status).toBe(200);
      expect(miss.cache).toBe('MISS');
      expect(miss.statements).toBeGreaterThan(0);
      expect(parse(miss).product?.name).toBe('go');

      const hit = await counted(body);
      expect(hit.cache).toBe('HIT');
      expect(hit.statements).toBe(0);
      expect(hit.text).toBe(miss.text);
      expect(hit.headers.get('cache-control')).toBe(miss.headers.get('cache-control'));
    });

    it('does not answer other variables or another operation from that entry', async () => {
      const first = await server.post({ query: RELEASES, variables: { name: 'ruby', tag: 'lang' } });
      expect(first.cache).toBe('MISS');
      expect((await server.post({ query: RELEASES, variables: { name: 'ruby', tag: 'lang' } })).cache).toBe('HIT');

      const otherVariables = await server.post({ query: RELEASES, variables: { name: 'ruby', tag: 'database' } });
      expect(otherVariables.cache).toBe('MISS');
      expect(parse(otherVariables).products.nodes.map((n) => n.name)).not.toEqual(
        parse(first).products.nodes.map((n) => n.name),
      );

      // One document, two operations: the operation name picks one, and it is part of the key.
      const twoOperations = `${RELEASES}\nquery Today { today }`;
      const a = await server.post({
        query: twoOperations,
        variables: { name: 'ruby', tag: 'lang' },
        operationName: 'Releases',
      });
      const b = await server.post({
        query: twoOperations,
        variables: { name: 'ruby', tag: 'lang' },
        operationName: 'Today',
      });
      expect([a.cache, b.cache]).toEqual(['MISS', 'MISS']);
      expect(JSON.parse(b.text)).toEqual({ data: { today: '2026-08-22' } });
      expect(parse(a).product?.name).toBe('ruby');
      const bAgain = await server.post({
        query: twoOperations,
        variables: { name: 'ruby', tag: 'lang' },
        operationName: 'Today',
      });
      expect(bAgain.cache).toBe('HIT');
      expect(bAgain.text).toBe(b.text);
    });
  });

  describe('requests the cache must not answer, though their body is a cached one', () => {
    it('a text/plain POST whose parameters mention JSON (a browser sends it cross-origin unasked): CSRF prevention refuses it', async () => {
      const body = JSON.stringify({ query: RELEASES, variables: { name: 'python', tag: 'lang' } });
      const json = await server.post(JSON.parse(body) as GraphQLBody);
      expect((await server.post(JSON.parse(body) as GraphQLBody)).cache).toBe('HIT');
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; x=application/json', origin: 'https://evil.example' },
        body,
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-cache')).toBeNull();
      expect(await res.text()).not.toBe(json.text);
    });

    it('a client that asks for application/graphql-response+json gets that, not the cached application/json', async () => {
      const body = { query: RELEASES, variables: { name: 'python', tag: 'lang' } };
      await server.post(body);
      expect((await server.post(body)).cache).toBe('HIT');
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
      expect(res.headers.get('x-cache')).toBeNull();
    });
  });

  describe('plain SQL from another connection', () => {
    it('an UPDATE of release_cycle is in the next answer, computed afresh, and in the reloaded catalogue', async () => {
      const before = await cached('nodejs');
      expect(cycle(before, '25')?.latest?.name).toBe('25.9.0');

      const updated = await admin.query(
        `UPDATE release_cycle SET latest = '25.9.1'
          WHERE name = '25' AND product_id = (SELECT id FROM product WHERE name = 'nodejs')`,
      );
      expect(updated.rowCount).toBe(1);
      await seenAfterEdit('nodejs', (r) => cycle(r, '25')?.latest?.name === '25.9.1');

      // The catalogue reloads in the background; once it has, a request it alone can answer sends no
      // SQL and shows the edit.
      expect(await snapshot.ready()).not.toBeNull();
      const fromCatalogue = await counted({
        query: 'query Cycle($p: String!) { releaseCycle(product: $p, name: "25") { latest { name } } }',
        variables: { p: 'node' },
      });
      expect(fromCatalogue.statements).toBe(0);
      expect(JSON.parse(fromCatalogue.text)).toEqual({ data: { releaseCycle: { latest: { name: '25.9.1' } } } });
    });

    it('an INSERT into product_alias makes the new alias find its product', async () => {
      const before = await cached('nodejs-lts');
      expect(parse(before).product).toBeNull();

      await admin.query(
        `INSERT INTO product_alias (alias, product_id, position)
         SELECT 'nodejs-lts', id, 1 FROM product WHERE name = 'nodejs'`,
      );
      const after = await seenAfterEdit('nodejs-lts', (r) => parse(r).product !== null);
      expect(parse(after).product).toMatchObject({ name: 'nodejs', aliases: ['node', 'nodejs-lts'] });
    });

    it('a DELETE of a release cycle removes it from the next answer', async () => {
      const before = await cached('nodejs');
      expect(cycle(before, '23')).toBeDefined();

      const deleted = await admin.query(
        `DELETE FROM release_cycle WHERE name = '23' AND product_id = (SELECT id FROM product WHERE name = 'nodejs')`,
      );
      expect(deleted.rowCount).toBe(1);
      const after = await seenAfterEdit('nodejs', (r) => cycle(r, '23') === undefined);
      expect(parse(after).product?.releases.map((c) => c.name)).toEqual(
        parse(before)
          .product?.releases.map((c) => c.name)
          .filter((n) => n !== '23'),
      );
    });

    it('a multi-row change of two tables in one transaction is seen whole', async () => {
      const before = await cached('ruby');
      const names = parse(before).product!.releases.map((c) => c.name);
      expect(names.length).toBeGreaterThan(1);

      await admin.query('BEGIN');
      await admin.query(`UPDATE product SET label = 'Ruby (edited)' WHERE name = 'ruby'`);
      const multi = await admin.query(
        `UPDATE release_cycle SET codename = 'edited ' || name
          WHERE product_id IN (SELECT id FROM product WHERE name IN ('ruby', 'go'))`,
      );
      await admin.query('COMMIT');
      expect(multi.rowCount).toBeGreaterThan(names.length);

      const after = await seenAfterEdit('ruby', (r) => parse(r).product?.label === 'Ruby (edited)');
      expect(parse(after).product?.releases.map((c) => c.codename)).toEqual(names.map((n) => `edited ${n}`));
    });

    it('an edit by a session in replica mode (a logical-replication subscriber, an admin skipping triggers) is seen too', async () => {
      const before = await cached('go');
      expect(parse(before).product?.label).toBe('Go');

      const replica = await adminConnection(t.url);
      try {
        await replica.query(`SET session_replication_role = replica`);
        const updated = await replica.query(`UPDATE product SET label = 'Go (replicated)' WHERE name = 'go'`);
        expect(updated.rowCount).toBe(1);
      } finally {
        await replica.end();
      }
      await seenAfterEdit('go', (r) => parse(r).product?.label === 'Go (replicated)');
    });

    // Every data table notifies, not only the two above.
    it('an INSERT into product_tag, into identifier and an UPDATE of custom_field are each in the next answer', async () => {
      const TAGGED = { query: `{ products(filter: { tag: "edited-tag" }) { nodes { name } } }` };
      expect((await cachedBody<{ products: { nodes: unknown[] } }>(TAGGED)).products.nodes).toEqual([]);
      const tagged = await admin.query(
        `INSERT INTO product_tag (product_id, tag) SELECT id, 'edited-tag' FROM product WHERE name = 'redis'`,
      );
      expect(tagged.rowCount).toBe(1);
      await seenAfter(TAGGED, (r) => r.text.includes('"redis"'));

      const BY_PURL = { query: `{ productByIdentifier(identifier: "pkg:generic/edited-identifier") { name } }` };
      expect(await cachedBody(BY_PURL)).toEqual({ productByIdentifier: null });
      const identified = await admin.query(
        `INSERT INTO identifier (product_id, type, value, position)
         SELECT id, 'purl', 'pkg:generic/edited-identifier', 99 FROM product WHERE name = 'django'`,
      );
      expect(identified.rowCount).toBe(1);
      await seenAfter(BY_PURL, (r) => r.text.includes('"django"'));

      const FIELDS = { query: `{ product(name: "google-pixel") { customFields { name label } } }` };
      expect(JSON.stringify(await cachedBody(FIELDS))).toContain('"Android"');
      const updated = await admin.query(
        `UPDATE custom_field SET label = 'Android (edited)' WHERE name = 'supportedAndroidVersions'`,
      );
      expect(updated.rowCount).toBe(1);
      await seenAfter(FIELDS, (r) => r.text.includes('"Android (edited)"'));
    });
  });

  it('an import that updates a document is in the next answer', async () => {
    const before = await cached('php');
    expect(cycle(before, '8.3')?.latest?.name).toBe('8.3.33');

    writeDocument(dir, 'php.md', replaceOnce(readDocument(dir, 'php.md'), 'latest: "8.3.33"', 'latest: "8.3.34"'));
    const report = await importDocuments(t.db, { paths: [join(dir, 'php.md')], root: projectRoot, limits: LIMITS });
    expect(report.updated).toEqual(['php']);
    await seenAfterEdit('php', (r) => cycle(r, '8.3')?.latest?.name === '8.3.34');
  });

  // pg_restore --disable-triggers and a data-only restore write `ALTER TABLE … DISABLE TRIGGER ALL`
  // … `ENABLE TRIGGER ALL` around each table's data: nothing is notified, and the triggers come
  // back ordinary (a session in replica mode then skips them). The heartbeat sees them so.
  it("a restore's DISABLE/ENABLE TRIGGER ALL makes the caches step aside until db:migrate enables them ALWAYS again", async () => {
    const before = await cached('go');
    expect(parse(before).product?.label).not.toBe('Go (restored)');
    await admin.query(`ALTER TABLE product DISABLE TRIGGER ALL`);
    await admin.query(`UPDATE product SET label = 'Go (restored)' WHERE name = 'go'`);
    await admin.query(`ALTER TABLE product ENABLE TRIGGER ALL`);

    const { result, ms } = await pollUntil(
      () => releases('go'),
      (r) => parse(r).product?.label === 'Go (restored)',
      1_000,
    );
    expect(ms).toBeLessThanOrEqual(1_000);
    expect(result.cache).toBe('BYPASS');
    expect(feed.healthy).toBe(false);
    expect((await releases('go')).cache).toBe('BYPASS');

    // ENABLE TRIGGER ALL also left the alias check of value_constraints ordinary: repaired too.
    expect((await migrate(t.db)).repaired).toEqual(['product.product_name_not_an_alias', 'product.product_notify']);
    await waitFor(() => feed.healthy, 'the feed to trust the triggers again', 2_000);
    expect((await releases('go')).cache).toBe('MISS');
    expect((await releases('go')).cache).toBe('HIT');
  });

  it('a TRUNCATE is in the next answer', async () => {
    const ALIAS = { query: `{ product(name: "nodejs-lts") { name } }` }; // added by a test above
    expect(await cachedBody(ALIAS)).toEqual({ product: { name: 'nodejs' } });
    await admin.query(`TRUNCATE product_alias`);
    await seenAfter(ALIAS, (r) => r.text.includes('"product":null'));
  });
});
