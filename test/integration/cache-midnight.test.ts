// "Today" changes at UTC midnight, and so do the answers that depend on it: a cached answer for a
// query without asOf is served until 23:59:59 and not at 00:00:00, when it is computed afresh on the
// new date; Cache-Control's max-age is the time left until the next midnight, before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, ResponseCache } from '../../src/cache/response-cache.ts';
import { CatalogSnapshot } from '../../src/data/snapshot.ts';
import { postgresChangeFeed, type ChangeFeed } from '../../src/db/changes.ts';
import { waitFor } from '../helpers/cache.ts';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedsDir } from '../helpers/env.ts';
import { startTestServer, type RawResult, type TestServer } from '../helpers/server.ts';

// Node.js 25 (seeds/nodejs.md): eol 2026-06-01, so it is end-of-life from 2026-06-02 on.
const QUERY = `{
  today
  releaseCycle(product: "nodejs", name: "25") { name eolFrom isEol isMaintained daysUntilEol supportPhase }
}`;
const PINNED = `{ releaseCycle(product: "nodejs", name: "25", asOf: "2026-06-01") { isEol } }`;

interface Answer {
  data: {
    today: string;
    releaseCycle: { name: string; eolFrom: string; isEol: boolean; daysUntilEol: number; supportPhase: string };
  };
}

describe('the response cache at UTC midnight', () => {
  let t: TestDatabase;
  let feed: ChangeFeed;
  let cache: ResponseCache;
  let snapshot: CatalogSnapshot;
  let server: TestServer;

  beforeAll(async () => {
    t = await createImportedDatabase(seedsDir);
    feed = postgresChangeFeed({ url: t.url });
    cache = new ResponseCache({ store: new MemoryStore(8_000_000), feed });
    snapshot = new CatalogSnapshot(t.db, feed);
    server = await startTestServer(t.db, { now: new Date('2026-06-01T23:59:00Z'), cache, snapshot });
    await waitFor(() => feed.healthy, 'the change feed to listen');
    expect(await snapshot.ready()).not.toBeNull();
  });
  afterAll(async () => {
    await server?.close();
    snapshot?.close();
    await cache?.close();
    await feed?.close();
    await t?.drop();
  });

  const ask = async (query = QUERY) => {
    const r = await server.post({ query });
    expect(r.status, r.text).toBe(200);
    return r;
  };
  const answer = (r: RawResult) => (JSON.parse(r.text) as Answer).data;

  it('serves "today" from the cache until 23:59:59 and computes it afresh on the new date at 00:00:00', async () => {
    const first = await ask();
    expect(first.cache).toBe('MISS');
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    expect(answer(first)).toEqual({
      today: '2026-06-01',
      releaseCycle: {
        name: '25',
        eolFrom: '2026-06-01',
        isEol: false,
        isMaintained: true,
        daysUntilEol: 0,
        supportPhase: 'SECURITY_ONLY',
      },
    });

    server.setNow(new Date('2026-06-01T23:59:59Z'));
    const lastSecond = await ask();
    expect(lastSecond.cache).toBe('HIT');
    expect(lastSecond.text).toBe(first.text);
    expect(lastSecond.headers.get('cache-control')).toBe('public, max-age=1');

    server.setNow(new Date('2026-06-02T00:00:00Z'));
    const midnight = await ask();
    expect(midnight.cache).toBe('MISS');
    expect(midnight.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(answer(midnight)).toEqual({
      today: '2026-06-02',
      releaseCycle: {
        name: '25',
        eolFrom: '2026-06-01',
        isEol: true,
        isMaintained: false,
        daysUntilEol: -1,
        supportPhase: 'ENDED',
      },
    });

    server.setNow(new Date('2026-06-02T06:00:00Z'));
    const later = await ask();
    expect(later.cache).toBe('HIT');
    expect(later.text).toBe(midnight.text);
    expect(later.headers.get('cache-control')).toBe(`public, max-age=${18 * 3600}`);
  });

  it('gives an answer pinned to an asOf the configured max-age, and recomputes it on a new day all the same', async () => {
    server.setNow(new Date('2026-06-03T23:59:30Z'));
    const pinned = await ask(PINNED);
    expect(pinned.cache).toBe('MISS');
    expect(pinned.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(JSON.parse(pinned.text)).toEqual({ data: { releaseCycle: { isEol: false } } });
    expect((await ask(PINNED)).cache).toBe('HIT');

    // The key carries the date the request ran on, whatever the query asked.
    server.setNow(new Date('2026-06-04T00:00:00Z'));
    const nextDay = await ask(PINNED);
    expect(nextDay.cache).toBe('MISS');
    expect(nextDay.text).toBe(pinned.text);
  });
});
