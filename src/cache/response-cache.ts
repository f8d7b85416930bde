// The response cache: whole GraphQL responses, keyed by the request's text (query, variables and
// operation name as sent) and the UTC date the request ran on. One module behind a small interface; the
// HTTP layer is its only user.
//
// Never stale:
// - the key carries the date, so an answer about "today" is not served after UTC midnight (and
//   old days' entries are swept);
// - every change to the data (change feed) drops everything, and an answer computed from data
//   older than the last change is not stored (the generation it started under must still be
//   current when it is stored);
// - while the change feed is unhealthy nothing is read or stored;
// - a shared store (Redis) is cleared a second time shortly after a change: another instance may
//   store an answer computed before the change just after this one's clear.
//
// In-process by default (bounded by bytes, least recently used out first); shared through Redis
// when REDIS_URL is set, so several instances answer from one cache.
import type { ChangeFeed } from '../db/changes.ts';

export interface CachedResponse {
  /** The response body, UTF-8: sent as it is on a hit, and kept outside the JavaScript heap. */
  body: Buffer;
  /** The response depends on "today" (Cache-Control until midnight) rather than a pinned asOf. */
  usedToday: boolean;
  /** The operation it answers, for the log line of a hit. */
  operationName?: string | null;
}

export interface CacheStore {
  get(key: string): Promise<CachedResponse | null>;
  /** The entry at once, for stores in this process (none: the caller uses get). */
  peek?(key: string): CachedResponse | null;
  set(key: string, value: CachedResponse, ttlSeconds: number): Promise<void>;
  clear(): Promise<void>;
  /** Shared by several instances (Redis): another instance may write into it at any time. */
  readonly shared?: boolean;
  /** Drops entries of days before `day` (memory store; Redis expires them itself). */
  sweep(day: string): void;
  close(): Promise<void>;
}

export class MemoryStore implements CacheStore {
  private readonly entries = new Map<string, { value: CachedResponse; bytes: number; expires: number; used: number }>();
  private bytes = 0;
  /** Counts insertions and moves to the end of the order: an entry's `used` is its place in it. */
  private clock = 0;
  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}
  async get(key: string) {
    return this.peek(key);
  }
  peek(key: string): CachedResponse | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.expires <= this.now()) {
      this.delete(key);
      return null;
    }
    // Least recently used goes first: re-insert to move to the end of the Map's order, unless it is
    // in the newer half already (a hot entry is not moved on every hit: nearly LRU, and a hit
    // without the delete and insert).
    if (this.clock - e.used > this.entries.size / 2) {
      this.entries.delete(key);
      this.entries.set(key, e);
      e.used = ++this.clock;
    }
    return e.value;
  }
  async set(key: string, value: CachedResponse, ttlSeconds: number) {
    const bytes = value.body.length + key.length * 2 + 128;
    if (bytes > this.maxBytes / 4) return; // one response may not take over the cache
    this.delete(key);
    this.entries.set(key, { value, bytes, expires: this.now() + ttlSeconds * 1000, used: ++this.clock });
    this.bytes += bytes;
    for (const k of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }
  async clear() {
    this.entries.clear();
    this.bytes = 0;
  }
  sweep(day: string) {
    for (const k of this.entries.keys()) if (k.slice(0, 10) < day) this.delete(k);
  }
  async close() {
    await this.clear();
  }
  get size() {
    return this.entries.size;
  }
  get totalBytes() {
    return this.bytes;
  }
  private delete(key: string) {
    const e = this.entries.get(key);
    if (e) {
      this.bytes -= e.bytes;
      this.entries.delete(key);
    }
  }
}

export interface CacheOptions {
  store: CacheStore;
  feed: ChangeFeed;
  /** A shared store is cleared again this long after a change (ms; see the constructor). */
  sharedRecheckMs?: number;
}

/**
 * Another instance hears a change at about the same time as this one, but not at once: its
 * listener may lag up to twice its heartbeat (500 ms by default) before it counts as unhealthy.
 * The service passes max(2 s, 4 × CHANGE_FEED_HEARTBEAT_MS).
 */
const SHARED_RECHECK_MS = 2_000;

export type Lookup =
  { kind: 'hit'; value: CachedResponse } | { kind: 'miss'; key: string; generation: number } | { kind: 'bypass' };

export class ResponseCache {
  private generation = 0;
  private lastDay = '';
  /** A clear after a change failed: the store may hold entries older than the change. */
  private uncleared = false;
  private readonly unsubscribe: () => void;
  hits = 0;
  misses = 0;

  private recheck: NodeJS.Timeout | null = null;

  constructor(private readonly options: CacheOptions) {
    // A clear that fails (Redis unreachable just then) leaves entries from before the change in
    // the store: they must not be served once it is reachable again.
    const clear = () =>
      void options.store.clear().catch(() => {
        this.uncleared = true;
      });
    this.unsubscribe = options.feed.subscribe(() => {
      this.generation += 1;
      clear();
      if (!options.store.shared) return;
      // A shared store: an instance that computed an answer from the data before the change and
      // had not heard of it yet may store that answer just after this clear. It clears the store
      // itself when it hears of the change, unless it died in between or its clear failed: then
      // the stale answer would be served until midnight. So clear once more a little after the
      // last change (during an import, one clear after it, not one per product).
      if (this.recheck) clearTimeout(this.recheck);
      this.recheck = setTimeout(() => {
        this.recheck = null;
        clear();
      }, options.sharedRecheckMs ?? SHARED_RECHECK_MS);
      this.recheck.unref();
    });
  }

  /**
   * The key of a request: the date first (for sweeping), then the request's own text (the JSON
   * body of a POST, the query string of a GET; at most the body limit, 100 kB by default). Not a
   * hash: hashing cost a tenth of a hit's time, and a Map compares the text as fast. The shared
   * store hashes it.
   */
  static key(day: string, request: string): string {
    return `${day}:${request}`;
  }

  /**
   * A hit answered synchronously, when the store is in this process (a hit then takes a few
   * microseconds, which matters at tens of thousands of requests per second); null otherwise,
   * and the caller goes on with lookup.
   */
  peek(day: string, request: string): CachedResponse | null {
    const store = this.options.store;
    if (!store.peek || !this.options.feed.healthy || this.uncleared || day !== this.lastDay) return null;
    const value = store.peek(ResponseCache.key(day, request));
    if (value) this.hits += 1;
    return value;
  }

  async lookup(day: string, request: string): Promise<Lookup> {
    if (!this.options.feed.healthy) return { kind: 'bypass' };
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.options.store.sweep(day);
    }
    const key = ResponseCache.key(day, request);
    const generation = this.generation;
    let value: CachedResponse | null = null;
    try {
      if (this.uncleared) {
        await this.options.store.clear();
        if (generation === this.generation) this.uncleared = false;
      }
      value = await this.options.store.get(key);
    } catch {
      return { kind: 'bypass' }; // the store is down: answer without it
    }
    if (value && generation === this.generation) {
      this.hits += 1;
      return { kind: 'hit', value };
    }
    this.misses += 1;
    return { kind: 'miss', key, generation };
  }

  /**
   * Stores a fresh answer, unless the data changed since the request started. Every entry lives
   * until the next UTC midnight at most: the key carries the date, so later days cannot read it.
   */
  async store(
    miss: { key: string; generation: number },
    value: CachedResponse,
    secondsToMidnight: number,
  ): Promise<void> {
    if (miss.generation !== this.generation || !this.options.feed.healthy) return;
    const ttl = secondsToMidnight;
    if (ttl <= 0) return;
    try {
      await this.options.store.set(miss.key, value, ttl);
    } catch {
      /* a cache that cannot store is just a slower cache */
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = null;
    await this.options.store.close();
  }
}
