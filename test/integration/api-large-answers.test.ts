// Large answers (the whole catalogue, 3 MB) are written into reused slabs instead of one string
// (src/http/json-slabs.ts). Over the real corpus and HTTP: the bytes are JSON.stringify's, the
// Content-Length is theirs, concurrent answers never see each other's slabs (a slab goes back to the
// pool only when its response finished: test/unit/http/json-slabs.test.ts), a client that goes away mid-answer leaves nothing behind,
// a batch and a GET are answered as before, and the cache stores and replays exactly those bytes.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, ResponseCache } from '../../src/cache/response-cache.ts';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { postgresChangeFeed, type ChangeFeed } from '../../src/db/changes.ts';
import { waitFor } from '../helpers/cache.ts';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { corpusDir, noCorpus } from '../helpers/env.ts';
import { W2_EVERY_RELATION } from '../helpers/queries.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SMALL = `query($tag: String!) { products(filter: { tag: $tag }) { nodes { name label aliases tags } } }`;

/** Status, headers and the exact body bytes of a POST. */
async function postRaw(url: string, body: unknown) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The body's text, after checking it is exactly what JSON.stringify writes for its own value. */
function canonical(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  expect(Buffer.from(JSON.stringify(JSON.parse(text))).equals(bytes)).toBe(true);
  return text;
}

describe.skipIf(noCorpus('large answers over the corpus'))('large answers, written into reused slabs', () => {
  let t: TestDatabase;
  let feed: ChangeFeed;
  let snapshot: CatalogSnapshot;
  let cache: ResponseCache;
  let server: TestServer;
  let cached: TestServer;
  let whole: string;

  beforeAll(async () => {
    t = await createImportedDatabase(corpusDir);
    feed = postgresChangeFeed({ url: t.url });
    snapshot = new CatalogSnapshot(t.db, feed);
    cache = new ResponseCache({ store: new MemoryStore(64_000_000), feed });
    const now = new Date('2026-08-22T08:00:00Z');
    server = await startTestServer(t.db, { now, snapshot });
    cached = await startTestServer(t.db, { now, snapshot, cache });
    await waitFor(() => feed.healthy, 'the change feed to listen');
    expect(await snapshot.ready()).not.toBeNull();
    const body = { query: W2_EVERY_RELATION, variables: { first: 500 } };
    const r = await postRaw(server.url, body);
    expect(r.status).toBe(200);
    whole = canonical(r.bytes);
    // The bytes JSON.stringify writes for the value the server executes (not a round trip of the
    // text, which a dropped or reordered member would pass).
    expect(whole === (await server.expectedText(body))).toBe(true);
  });
  afterAll(async () => {
    await server?.close();
    await cached?.close();
    snapshot?.close();
    await cache?.close();
    await feed?.close();
    await t?.drop();
  });

  it('the whole catalogue is JSON.stringify of its value, Content-Length its byte length', async () => {
    const r = await postRaw(server.url, { query: W2_EVERY_RELATION, variables: { first: 500 } });
    expect(r.bytes.length).toBeGreaterThan(3_000_000);
    expect(Number(r.headers.get('content-length'))).toBe(r.bytes.length);
    expect(r.bytes.toString('utf8')).toBe(whole);
    const value = JSON.parse(whole) as { data: { products: { totalCount: number; nodes: unknown[] } } };
    expect(value.data.products.nodes).toHaveLength(value.data.products.totalCount);
    // Text outside ASCII came through as UTF-8 (the corpus has labels with such characters).
    expect([...whole].some((c) => c.charCodeAt(0) > 0x7f)).toBe(true);
  });

  it('answers written at the same time keep their own bytes (three sizes, twelve at once)', async () => {
    const bodies = [
      { query: W2_EVERY_RELATION, variables: { first: 500 } },
      { query: W2_EVERY_RELATION, variables: { first: 40 } },
      { query: SMALL, variables: { tag: 'database' } },
    ];
    const expected = await Promise.all(bodies.map(async (b) => canonical((await postRaw(server.url, b)).bytes)));
    expect(expected[0]).toBe(whole);
    const answers = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => ({ i, r: await postRaw(server.url, bodies[i % 3]) })),
    );
    for (const { i, r } of answers) {
      expect(r.status).toBe(200);
      expect(r.bytes.toString('utf8')).toBe(expected[i % 3]);
    }
  });

  it('a client gone in the middle of an answer leaves the next answers whole', async () => {
    const { hostname, port } = new URL(server.url);
    const body = JSON.stringify({ query: W2_EVERY_RELATION, variables: { first: 500 } });
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request(
          { hostname, port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          },
        );
        req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(err)));
        req.end(body);
      });
    }
    const after = await Promise.all(
      [0, 1, 2].map(() => postRaw(server.url, { query: W2_EVERY_RELATION, variables: { first: 500 } })),
    );
    for (const r of after) expect(r.bytes.toString('utf8')).toBe(whole);
  });

  it('a batch is a JSON list of the single answers; a GET answers as the POST', async () => {
    const small = canonical((await postRaw(server.url, { query: SMALL, variables: { tag: 'database' } })).bytes);
    const batch = await postRaw(server.url, [
      { query: W2_EVERY_RELATION, variables: { first: 500 } },
      { query: SMALL, variables: { tag: 'database' } },
    ]);
    expect(batch.status).toBe(200);
    expect(canonical(batch.bytes)).toBe(`[${whole},${small}]`);
    const search = new URLSearchParams({ query: W2_EVERY_RELATION, variables: JSON.stringify({ first: 500 }) });
    const get = await fetch(`${server.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).toString('utf8')).toBe(whole);
  });

  it('the cache stores the bytes it sent and replays them', async () => {
    const body = { query: W2_EVERY_RELATION, variables: { first: 500 } };
    const miss = await postRaw(cached.url, body);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const hit = await postRaw(cached.url, body);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(miss.bytes.toString('utf8')).toBe(whole);
    expect(hit.bytes.equals(miss.bytes)).toBe(true);
  });
});
