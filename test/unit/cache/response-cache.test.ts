// ResponseCache's rules, with a change feed the test drives: an answer is stored only if no change
// arrived since its lookup (the generation guard), a change drops every entry, nothing is read or
// stored while the feed is unhealthy, a new day sweeps the old days, and a failing store is stepped
// around, never trusted.
import { describe, expect, it } from 'vitest';
import {
  MemoryStore,
  ResponseCache,
  type CachedResponse,
  type CacheStore,
  type Lookup,
} from '../../../src/cache/response-cache.ts';
import type { ChangeFeed } from '../../../src/db/changes.ts';

const DAY = '2026-08-22';
const QUERY = '{ product(name: "go") { name } }';

/** A change feed whose health and changes the test sets. */
class TestFeed implements ChangeFeed {
  healthy = true;
  private readonly fns = new Set<() => void>();
  subscribe(fn: () => void) {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  change() {
    for (const fn of this.fns) fn();
  }
  setHealthy(healthy: boolean) {
    this.healthy = healthy;
    this.change(); // as postgresChangeFeed does: a change of health may hide changes
  }
  get subscribers() {
    return this.fns.size;
  }
  async close() {}
}

const answer = (text: string): CachedResponse => ({ body: Buffer.from(text), usedToday: true });

function setup(store: CacheStore = new MemoryStore(1e7)) {
  const feed = new TestFeed();
  const cache = new ResponseCache({ store, feed });
  return { feed, cache, store };
}

function asMiss(l: Lookup) {
  if (l.kind !== 'miss') throw new Error(`expected a miss, got ${l.kind}`);
  return l;
}

const bodyOf = (l: Lookup) => (l.kind === 'hit' ? l.value.body.toString() : null);

describe('ResponseCache', () => {
  it("keys by day and the request's text, as sent", () => {
    const body = JSON.stringify({ query: QUERY, variables: { a: 1 }, operationName: 'Op' });
    const k = ResponseCache.key(DAY, `POST ${body}`);
    expect(k.startsWith(`${DAY}:`)).toBe(true);
    expect(ResponseCache.key(DAY, `POST ${body}`)).toBe(k);
    expect(
      new Set([
        k,
        ResponseCache.key('2026-08-23', `POST ${body}`),
        ResponseCache.key(DAY, `POST ${body.replace('"a":1', '"a":2')}`),
        ResponseCache.key(DAY, `POST ${body.replace('"Op"', '"Other"')}`),
        ResponseCache.key(DAY, `GET ?query=${encodeURIComponent(QUERY)}`),
      ]).size,
    ).toBe(5);
  });

  it('stores a fresh answer and serves it on the next lookup', async () => {
    const { cache } = setup();
    const miss = asMiss(await cache.lookup(DAY, QUERY));
    await cache.store(miss, answer('one'), 3600);
    expect(bodyOf(await cache.lookup(DAY, QUERY))).toBe('one');
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
  });

  describe('the generation guard', () => {
    it('does not store an answer whose lookup came before a change', async () => {
      const { feed, cache, store } = setup();
      const miss = asMiss(await cache.lookup(DAY, QUERY));
      feed.change();
      await cache.store(miss, answer('computed from old data'), 3600);
      expect(await store.get(miss.key)).toBeNull();
      expect((await cache.lookup(DAY, QUERY)).kind).toBe('miss');
    });

    it('stores the answer of a lookup made after the change', async () => {
      const { feed, cache } = setup();
      feed.change();
      const miss = asMiss(await cache.lookup(DAY, QUERY));
      await cache.store(miss, answer('new'), 3600);
      expect(bodyOf(await cache.lookup(DAY, QUERY))).toBe('new');
    });

    it('drops every entry on a change', async () => {
      const { feed, cache } = setup();
      for (const q of ['{ a }', '{ b }']) await cache.store(asMiss(await cache.lookup(DAY, q)), answer(q), 60);
      feed.change();
      expect((await cache.lookup(DAY, '{ a }')).kind).toBe('miss');
      expect((await cache.lookup(DAY, '{ b }')).kind).toBe('miss');
    });

    it('does not serve an entry read while a change arrived (a slow store)', async () => {
      const inner = new MemoryStore(1e7);
      let arrive: (() => void) | null = null;
      const slow: CacheStore = {
        get: async (k) => {
          const v = await inner.get(k);
          await new Promise<void>((r) => (arrive = r));
          return v;
        },
        set: (k, v, ttl) => inner.set(k, v, ttl),
        clear: async () => {}, // as a shared store whose clear has not gone through yet
        sweep: (d) => inner.sweep(d),
        close: () => inner.close(),
      };
      const { feed, cache } = setup(slow);
      await inner.set(ResponseCache.key(DAY, QUERY), answer('old'), 60);
      const pending = cache.lookup(DAY, QUERY);
      await new Promise((r) => setTimeout(r, 0));
      feed.change();
      arrive!();
      const result = await pending;
      expect(result.kind).toBe('miss');
      // … and its answer, looked up under the old generation, is not stored either.
      await cache.store(asMiss(result), answer('also old'), 60);
      expect((await inner.get(ResponseCache.key(DAY, QUERY)))?.body.toString()).toBe('old');
    });
  });

  describe('an unhealthy change feed', () => {
    it('bypasses the cache, and what was cached before it went down is gone when it is back', async () => {
      const { feed, cache, store } = setup();
      const before = asMiss(await cache.lookup(DAY, QUERY));
      await cache.store(before, answer('cached'), 60);
      expect((await cache.lookup(DAY, QUERY)).kind).toBe('hit');

      feed.setHealthy(false);
      expect(await cache.lookup(DAY, QUERY)).toEqual({ kind: 'bypass' });
      expect(await store.get(before.key)).toBeNull();

      feed.setHealthy(true);
      expect((await cache.lookup(DAY, QUERY)).kind).toBe('miss');
    });

    it('does not store while unhealthy, even an answer of the current generation', async () => {
      const { feed, cache, store } = setup();
      const miss = asMiss(await cache.lookup(DAY, QUERY));
      feed.healthy = false; // checked by store() itself, whether or not a report came
      await cache.store(miss, answer('stored while down'), 60);
      expect(await store.get(miss.key)).toBeNull();
      feed.healthy = true;
      await cache.store(miss, answer('stored when up'), 60);
      expect((await store.get(miss.key))?.body.toString()).toBe('stored when up');
    });
  });

  it('sweeps the entries of earlier days when the day changes', async () => {
    const store = new MemoryStore(1e7);
    const { cache } = setup(store);
    await cache.store(asMiss(await cache.lookup(DAY, QUERY)), answer('day one'), 60);
    expect(store.size).toBe(1);
    const nextDay = asMiss(await cache.lookup('2026-08-23', QUERY));
    expect(store.size).toBe(0);
    await cache.store(nextDay, answer('day two'), 60);
    expect(bodyOf(await cache.lookup('2026-08-23', QUERY))).toBe('day two');
  });

  it('does not store an answer with no time left before midnight', async () => {
    const { cache, store } = setup();
    const miss = asMiss(await cache.lookup(DAY, QUERY));
    await cache.store(miss, answer('too late'), 0);
    expect(await store.get(miss.key)).toBeNull();
  });

  describe('a failing store', () => {
    const failing = (overrides: Partial<CacheStore>): CacheStore => ({
      get: async () => null,
      set: async () => {},
      clear: async () => {},
      sweep: () => {},
      close: async () => {},
      ...overrides,
    });

    it('a store that cannot be read makes the lookup a bypass', async () => {
      const { cache } = setup(failing({ get: () => Promise.reject(new Error('connection lost')) }));
      expect(await cache.lookup(DAY, QUERY)).toEqual({ kind: 'bypass' });
    });

    it('a store that cannot be written loses the answer, not the request', async () => {
      const { cache } = setup(failing({ set: () => Promise.reject(new Error('connection lost')) }));
      const miss = asMiss(await cache.lookup(DAY, QUERY));
      await expect(cache.store(miss, answer('x'), 60)).resolves.toBeUndefined();
    });

    it('a change whose clear failed does not leave the old entries to be served', async () => {
      const inner = new MemoryStore(1e7);
      let clearFails = true;
      const store: CacheStore = {
        get: (k) => inner.get(k),
        set: (k, v, ttl) => inner.set(k, v, ttl),
        clear: () => (clearFails ? Promise.reject(new Error('connection lost')) : inner.clear()),
        sweep: (d) => inner.sweep(d),
        close: () => inner.close(),
      };
      const { feed, cache } = setup(store);
      await cache.store(asMiss(await cache.lookup(DAY, QUERY)), answer('before the change'), 60);

      feed.change(); // the store is unreachable just then: the entry is still in it
      await new Promise((r) => setTimeout(r, 0));
      expect((await cache.lookup(DAY, QUERY)).kind).not.toBe('hit');

      clearFails = false; // reachable again: the old entry must still not come back
      const next = await cache.lookup(DAY, QUERY);
      expect(next.kind).toBe('miss');
      await cache.store(asMiss(next), answer('after the change'), 60);
      expect(bodyOf(await cache.lookup(DAY, QUERY))).toBe('after the change');
    });
  });

  it('close unsubscribes from the feed and closes the store', async () => {
    const store = new MemoryStore(1e7);
    const { feed, cache } = setup(store);
    expect(feed.subscribers).toBe(1);
    await cache.store(asMiss(await cache.lookup(DAY, QUERY)), answer('x'), 60);
    await cache.close();
    expect(feed.subscribers).toBe(0);
    expect(store.size).toBe(0);
  });
});
