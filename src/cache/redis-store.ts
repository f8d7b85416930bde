// The response cache in Redis (REDIS_URL), shared by every instance. One hash per UTC day holds
// that day's responses and expires at the next midnight; dropping everything after a data change
// is deleting the current day's hash, which every instance does when its own change notification
// arrives (so an answer written by a slower instance just before that is removed too), and once
// more shortly after (src/cache/response-cache.ts: one written just after).
import { createHash } from 'node:crypto';
import { createClient, RESP_TYPES, type RedisClientType } from 'redis';
import type { CachedResponse, CacheStore } from './response-cache.ts';

export class RedisStore implements CacheStore {
  readonly shared = true;
  private day = '';
  private constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
    private readonly maxEntryBytes: number,
  ) {}

  static async connect(url: string, opts: { prefix?: string; maxEntryBytes?: number } = {}): Promise<RedisStore> {
    const client = createClient({
      url,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(200 * 2 ** retries, 5000) },
      // A cache must never make a request wait for Redis: commands fail at once while disconnected.
      disableOfflineQueue: true,
    }) as RedisClientType;
    client.on('error', () => undefined); // reported through failed commands; the cache then steps aside
    await client.connect();
    return new RedisStore(client, opts.prefix ?? 'eolgraph:responses', opts.maxEntryBytes ?? 16_000_000);
  }

  private hashOf(key: string): string {
    return `${this.prefix}:${key.slice(0, 10)}`;
  }

  /** The field of a request in its day's hash: a digest of the request text (keys carry it whole). */
  private fieldOf(key: string): string {
    return createHash('sha256').update(key.slice(11)).digest('base64url');
  }

  async get(key: string): Promise<CachedResponse | null> {
    // The day of the keys asked for, not only of those written: clear() must drop the hash this
    // instance reads even when another instance wrote it (and that day comes from the service's
    // clock, which need not be the system's).
    this.day = key.slice(0, 10);
    const raw = await this.client
      .withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
      .hGet(this.hashOf(key), this.fieldOf(key));
    if (raw === null || raw === undefined) return null;
    // "1" or "0", the operation name (a GraphQL name: no newline), a newline, the body.
    const buf = raw as unknown as Buffer;
    const newline = buf.indexOf(0x0a, 1);
    if (newline < 0) return null; // not an entry of this format: a miss
    const name = buf.toString('utf8', 1, newline);
    return { usedToday: buf[0] === 0x31, operationName: name || null, body: buf.subarray(newline + 1) };
  }

  async set(key: string, value: CachedResponse, ttlSeconds: number): Promise<void> {
    if (value.body.length > this.maxEntryBytes) return;
    const hash = this.hashOf(key);
    this.day = key.slice(0, 10);
    await this.client
      .multi()
      .hSet(
        hash,
        this.fieldOf(key),
        Buffer.concat([Buffer.from(`${value.usedToday ? '1' : '0'}${value.operationName ?? ''}\n`), value.body]),
      )
      .expire(hash, Math.max(1, ttlSeconds), 'NX')
      .exec();
  }

  async clear(): Promise<void> {
    const today = new Date().toISOString().slice(0, 10);
    const days = new Set([today, this.day].filter(Boolean));
    await this.client.del([...days].map((d) => `${this.prefix}:${d}`));
  }

  sweep(): void {
    /* each day's hash expires at its midnight by itself */
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => undefined);
  }
}
