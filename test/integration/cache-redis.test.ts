// The response cache shared through Redis (RedisStore), as several service instances share it: two
// instances, each with its own change feed and ResponseCache over one key prefix and one database.
// An answer cached by one is a HIT on the other, and an edit invalidates both – also when the
// instance that stored the answer is gone. Every key the test writes is under a random prefix,
// deleted at the end.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/cache/redis-store.ts';
import { ResponseCache } from '../../src/cache/response-cache.ts';
import { postgresChangeFeed, type ChangeFeed } from '../../src/db/changes.ts';
import { totalStatements } from '../../src/db/statements.ts';
import { adminConnection, nextReport, pollUntil, waitFor } from '../helpers/cache.ts';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { redisUrl, seedsDir } from '../helpers/env.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const NOW = new Date('2026-08-22T12:00:00Z');
const DAY_HASH_SECONDS = 12 * 3600; // from NOW to the next UTC midnight

const CYCLE = `query Cycle($product: String!, $name: String!) {
  releaseCycle(product: $product, name: $name) { name latest { name } isEol }
}`;
const latestOf = (text: string) =>
  (JSON.parse(text) as { data: { releaseCycle: { latest: { name: string } } } }).data.releaseCycle.latest.name;

interface Instance {
  feed: ChangeFeed;
  cache: ResponseCache;
  server: TestServer;
  stop(): Promise<void>;
}

describe('the response cache in Redis, shared by two instances', () => {
  const prefix = `eolgraph-test-${randomBytes(6).toString('hex')}`;
  const redis = createClient({ url: redisUrl });
  let t: TestDatabase;
  let admin: pg.Client;
  let a: Instance;
  let b: Instance;

  /** One service instance: its own listener, its own Redis connection, the shared prefix. */
  const startInstance = async (keyPrefix = prefix): Promise<Instance> => {
    const feed = postgresChangeFeed({ url: t.url });
    const cache = new ResponseCache({ store: await RedisStore.connect(redisUrl, { prefix: keyPrefix }), feed });
    const server = await startTestServer(t.db, { now: NOW, cache });
    await waitFor(() => feed.healthy, 'the change feed to listen');
    return {
      feed,
      cache,
      server,
      async stop() {
        await server.close();
        await cache.close();
        await feed.close();
      },
    };
  };

  const ourKeys = async () => {
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) keys.push(...batch);
    return keys;
  };

  /** Edits go-1.25's latest version and waits until every given instance has been told. */
  const editLatest = async (version: string, told: Instance[]) => {
    const reports = Promise.all(told.map((i) => nextReport(i.feed)));
    const r = await admin.query(
      `UPDATE release_cycle SET latest = $1
        WHERE name = '1.25' AND product_id = (SELECT id FROM product WHERE name = 'go')`,
      [version],
    );
    expect(r.rowCount).toBe(1);
    await reports;
  };

  beforeAll(async () => {
    try {
      await redis.connect();
    } catch (err) {
      throw new Error(`These tests need Redis at ${redisUrl} (set TEST_REDIS_URL to change it): ${String(err)}`);
    }
    t = await createImportedDatabase(seedsDir);
    admin = await adminConnection(t.url);
    a = await startInstance();
    b = await startInstance();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await admin?.end();
    await t?.drop();
    if (redis.isOpen) {
      const keys = await ourKeys();
      if (keys.length > 0) await redis.del(keys);
      expect(await ourKeys()).toEqual([]);
      await redis.quit();
    }
  });

  it("answers on one instance from the other's entry (HIT, no SQL), in one hash per day that expires at midnight", async () => {
    const variables = { product: 'go', name: '1.24' };
    const miss = await a.server.post({ query: CYCLE, variables });
    expect(miss.cache).toBe('MISS');

    const before = totalStatements();
    const hit = await b.server.post({ query: CYCLE, variables });
    expect(totalStatements() - before).toBe(0);
    expect(hit.cache).toBe('HIT');
    expect(hit.text).toBe(miss.text);
    expect(hit.headers.get('cache-control')).toBe(miss.headers.get('cache-control'));

    expect(await ourKeys()).toEqual([`${prefix}:2026-08-22`]);
    const ttl = await redis.ttl(`${prefix}:2026-08-22`);
    expect(ttl).toBeGreaterThan(DAY_HASH_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(DAY_HASH_SECONDS);
  });

  it('an edit invalidates both instances', async () => {
    const variables = { product: 'go', name: '1.25' };
    const first = await a.server.post({ query: CYCLE, variables });
    expect((await b.server.post({ query: CYCLE, variables })).cache).toBe('HIT');

    await editLatest('1.25.98', [a, b]);
    const onB = await b.server.post({ query: CYCLE, variables });
    expect(onB.cache).toBe('MISS');
    expect(latestOf(onB.text)).toBe('1.25.98');
    expect(latestOf(first.text)).not.toBe('1.25.98');
    // B's fresh answer is now the shared one.
    const onA = await a.server.post({ query: CYCLE, variables });
    expect(onA.cache).toBe('HIT');
    expect(onA.text).toBe(onB.text);

    await editLatest('1.25.99', [a, b]);
    const againOnA = await a.server.post({ query: CYCLE, variables });
    expect(againOnA.cache).toBe('MISS');
    expect(latestOf(againOnA.text)).toBe('1.25.99');
  });

  // Instance A computed an answer from the data before an edit, and stores it just after B, told
  // of the edit first, cleared the store; A dies before it hears of the edit itself (or its own
  // clear fails). B clears the shared store once more shortly after the edit.
  it("an answer from before an edit, stored just after another instance's clear, is dropped soon after", async () => {
    const variables = { product: 'go', name: '1.25' }; // the cycle editLatest edits
    const hash = `${prefix}:2026-08-22`;
    await b.server.post({ query: CYCLE, variables });
    expect((await b.server.post({ query: CYCLE, variables })).cache).toBe('HIT');
    const stored = await redis.hGetAll(hash);
    expect(Object.keys(stored)).not.toHaveLength(0);

    await editLatest('1.25.66', [a, b]);
    // The late write of A, as it would land: the answer from before the edit.
    await redis.hSet(hash, stored);
    const stale = await b.server.post({ query: CYCLE, variables });
    expect(stale.cache).toBe('HIT');
    expect(latestOf(stale.text)).not.toBe('1.25.66');

    const { result, ms } = await pollUntil(
      () => b.server.post({ query: CYCLE, variables }),
      (r) => latestOf(r.text) === '1.25.66',
      3_000,
    );
    expect(ms).toBeLessThanOrEqual(3_000);
    expect(result.cache).toBe('MISS');
    expect((await a.server.post({ query: CYCLE, variables })).cache).toBe('HIT');
  });

  it('an edit invalidates the answer an instance that has since stopped stored', async () => {
    const variables = { product: 'go', name: '1.23' };
    // Their own prefix: A and B, which hear the edit too, must not clean up for them.
    const reader = await startInstance(`${prefix}-pair`);
    const writer = await startInstance(`${prefix}-pair`);
    try {
      expect((await writer.server.post({ query: CYCLE, variables })).cache).toBe('MISS');
      const hit = await reader.server.post({ query: CYCLE, variables });
      expect(hit.cache).toBe('HIT');
      await writer.stop();

      const reports = nextReport(reader.feed);
      await admin.query(
        `UPDATE release_cycle SET latest = '1.23.77'
          WHERE name = '1.23' AND product_id = (SELECT id FROM product WHERE name = 'go')`,
      );
      await reports;
      const after = await reader.server.post({ query: CYCLE, variables });
      expect(after.cache).toBe('MISS');
      expect(latestOf(after.text)).toBe('1.23.77');
    } finally {
      await reader.stop();
    }
  });
});
