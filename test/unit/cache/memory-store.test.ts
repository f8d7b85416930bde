// The in-process response store: bounded by bytes with the least recently used entry out first,
// entries that expire, and a sweep that drops the entries of days before the current one.
import { describe, expect, it } from 'vitest';
import { MemoryStore, type CachedResponse } from '../../../src/cache/response-cache.ts';

const DAY = '2026-08-22';
/** Keys as ResponseCache makes them: the day, then a fixed-length hash. */
const key = (n: number, day = DAY) => `${day}:${String(n).padStart(43, 'k')}`;
const response = (text: string, usedToday = true): CachedResponse => ({ body: Buffer.from(text), usedToday });
// Bodies large enough that the per-entry overhead (key, bookkeeping) is a small part of an entry.
const BODY = 'x'.repeat(10_000);
const DOUBLE = BODY + BODY;

/** What an entry of key(n) with body costs the store, by its own accounting. */
function entryBytes(body: string): number {
  const probe = new MemoryStore(1e9);
  void probe.set(key(0), response(body), 60);
  return probe.totalBytes;
}

const bodyOf = async (store: MemoryStore, k: string) => (await store.get(k))?.body.toString() ?? null;

describe('MemoryStore', () => {
  const entry = entryBytes(BODY);
  const double = entryBytes(DOUBLE);

  it('counts an entry by its size and does not count a replaced entry twice', async () => {
    expect(entry).toBeGreaterThanOrEqual(BODY.length);
    const store = new MemoryStore(1e9);
    await store.set(key(1), response(BODY), 60);
    await store.set(key(1), response(BODY.replace('x', 'y')), 60);
    expect(store.size).toBe(1);
    expect(store.totalBytes).toBe(entry);
    expect(await bodyOf(store, key(1))).toBe(BODY.replace('x', 'y'));
  });

  it('evicts the least recently used entries once over its byte budget, and only as many as needed', async () => {
    const budget = Math.floor(entry * 8.5); // room for eight
    const store = new MemoryStore(budget);
    for (let n = 1; n <= 8; n++) await store.set(key(n), response(`${n}${BODY.slice(1)}`), 60);
    expect(store.size).toBe(8);
    expect(store.totalBytes).toBe(8 * entry);

    expect(await bodyOf(store, key(1))).not.toBeNull(); // 1 becomes the most recently used
    await store.set(key(9), response(`9${BODY.slice(1)}`), 60);
    expect(store.size).toBe(8);
    expect(await bodyOf(store, key(2))).toBeNull(); // the least recently used went, and only it
    for (const n of [3, 4, 5, 6, 7, 8, 1, 9]) expect((await bodyOf(store, key(n)))?.[0]).toBe(String(n));
    expect(store.totalBytes).toBe(8 * entry);

    // Least recent first: 3, 4, …, 8, 1, 9. An entry the size of two makes room by evicting the two
    // least recently used.
    expect(double).toBeGreaterThan(1.5 * entry); // the fixture: one eviction is not enough …
    expect(double).toBeLessThanOrEqual(budget / 4); // … and the entry is not too large to keep
    await store.set(key(10), response(DOUBLE), 60);
    expect(await bodyOf(store, key(3))).toBeNull();
    expect(await bodyOf(store, key(4))).toBeNull();
    for (const n of [5, 6, 7, 8, 1, 9, 10]) expect(await bodyOf(store, key(n))).not.toBeNull();
    expect(store.totalBytes).toBe(6 * entry + double);
    expect(store.totalBytes).toBeLessThanOrEqual(budget);
  });

  it('does not store an entry larger than a quarter of its budget, and keeps what it has', async () => {
    const store = new MemoryStore(entry * 4);
    expect(double).toBeGreaterThan(entry); // the fixture: over a quarter of the budget
    await store.set(key(1), response(BODY), 60);
    await store.set(key(2), response(DOUBLE), 60);
    expect(await bodyOf(store, key(2))).toBeNull();
    expect(await bodyOf(store, key(1))).toBe(BODY);
    expect(store.totalBytes).toBe(entry);
  });

  it('expires an entry after its time to live, and frees its bytes', async () => {
    let now = 1_000_000;
    const store = new MemoryStore(1e9, () => now);
    await store.set(key(1), response(BODY), 10);
    now += 9_999;
    expect(await bodyOf(store, key(1))).toBe(BODY);
    now += 1;
    expect(await store.get(key(1))).toBeNull();
    expect(store.size).toBe(0);
    expect(store.totalBytes).toBe(0);
  });

  it("sweeps the entries of days before the given one, and keeps that day's and later ones", async () => {
    const store = new MemoryStore(1e9);
    await store.set(key(1, '2026-08-20'), response('a'), 600);
    await store.set(key(2, '2026-08-21'), response('b'), 600);
    await store.set(key(3, '2026-08-22'), response('c'), 600);
    await store.set(key(4, '2026-08-23'), response('d'), 600);
    const before = store.totalBytes;
    store.sweep('2026-08-22');
    expect(store.size).toBe(2);
    expect(await bodyOf(store, key(1, '2026-08-20'))).toBeNull();
    expect(await bodyOf(store, key(2, '2026-08-21'))).toBeNull();
    expect(await bodyOf(store, key(3, '2026-08-22'))).toBe('c');
    expect(await bodyOf(store, key(4, '2026-08-23'))).toBe('d');
    expect(store.totalBytes).toBeLessThan(before);
  });

  it('clear drops everything', async () => {
    const store = new MemoryStore(1e9);
    await store.set(key(1), response('a', false), 600);
    expect(await store.get(key(1))).toEqual({ body: Buffer.from('a'), usedToday: false });
    await store.clear();
    expect(store.size).toBe(0);
    expect(store.totalBytes).toBe(0);
    expect(await store.get(key(1))).toBeNull();
  });
});
