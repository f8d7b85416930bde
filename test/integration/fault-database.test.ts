// The database failing under the real service process: PostgreSQL reached through a TCP proxy
// (test/helpers/tcp-proxy.ts) that can refuse connections, cut them or accept and never answer,
// so the real server at 127.0.0.1:5432 is never stopped.
//   - down at start: the service listens at once (/healthz 200), /readyz is 503 with the reason,
//     and it becomes ready by itself within the retry backoff once the database is there;
//   - lost while serving: requests fail fast with DATABASE_UNAVAILABLE, the process stays up and
//     recovers without a restart;
//   - with the response cache and the in-memory catalogue on (the defaults), losing the database
//     also loses the change notifications: the caches step aside and requests fail just as
//     cleanly, no stale answer is served once the loss is noticed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  ESCAPED_ERRORS,
  killAllServices,
  spawnService,
  type HttpResult,
  type ServiceProcess,
} from '../helpers/service-process.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

const PASSWORD = 'SeCrEt-PW-123';
const CONNECT_TIMEOUT_MS = 1000;
/** How long a request may take while the database is gone: the acceptance bound. */
const FAIL_FAST_MS = CONNECT_TIMEOUT_MS + 2000;

/** The explorer's "product page" (src/http/explorer.ts), pinned to a date so the answer is fixed. */
const PRODUCT_PAGE = `query ProductPage($name: String!, $asOf: Date) {
  product(name: $name, asOf: $asOf) {
    label
    releases { name releaseDate supportPhase isMaintained eolFrom latest { name link } }
  }
}`;

const urlThrough = (proxy: TcpProxy, t: TestDatabase) =>
  `postgresql://postgres:${PASSWORD}@127.0.0.1:${proxy.port}/${t.name}`;

const codesOf = (r: HttpResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);

/** Polls fn every 50 ms until it returns true; the time it took, or a failure after timeoutMs. */
async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await fn().catch(() => false)) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

function expectCleanOutput(service: ServiceProcess): void {
  const output = service.output();
  expect(output).not.toMatch(ESCAPED_ERRORS);
  expect(output).not.toContain(PASSWORD);
  expect(service.stderr).toBe('');
}

afterAll(killAllServices);

/**
 * The service with the defaults is started at once, beside the first one, and used by the second
 * group of tests: two service start-ups in the time of one.
 */
const defaults = (() => {
  let t: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let service: ServiceProcess | undefined;
  let ready: Promise<void> = new Promise(() => undefined);
  beforeAll(() => {
    ready = (async () => {
      t = await createTestDatabase();
      proxy = await TcpProxy.create();
      await proxy.start();
      service = await spawnService({
        DATABASE_URL: urlThrough(proxy, t),
        DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      });
      await service.ready();
      await service.waitForLog((l) => l.msg === 'change notifications: listening (caches on)');
    })();
    ready.catch(() => undefined); // awaited (and reported) by the tests that use it
  });
  return {
    t: () => t!,
    proxy: () => proxy!,
    service: () => service!,
    get ready() {
      return ready;
    },
  };
})();

describe('PostgreSQL down at start, then lost while serving (no caches: every request reads the database)', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let service: ServiceProcess;

  beforeAll(async () => {
    t = await createTestDatabase();
    proxy = await TcpProxy.create(); // not accepting: the database is "down"
    service = await spawnService({
      DATABASE_URL: urlThrough(proxy, t),
      RESPONSE_CACHE: 'false',
      CATALOG_SNAPSHOT: 'false',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    await proxy?.close();
    await t?.drop();
  });

  it('listens at once: /healthz 200, /readyz 503 with the reason, GraphQL fails with DATABASE_UNAVAILABLE', async () => {
    await service.listening();
    const health = await fetch(`${service.baseUrl}/healthz`);
    expect(health.status).toBe(200);

    const ready = await fetch(`${service.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; reason: string };
    expect(body.status).toBe('unavailable');
    expect(body.reason).toMatch(
      /^(database not ready: (database not reachable \(127\.0\.0\.1:\d+\)|.*ECONNREFUSED)|the database is being prepared)/,
    );

    const r = await service.gql(PRODUCT_PAGE, { name: 'nodejs', asOf: '2024-01-01' });
    expect(r.ms).toBeLessThan(FAIL_FAST_MS);
    expect(codesOf(r)).toEqual(['DATABASE_UNAVAILABLE']);
    expect(r.body.errors![0]!.message).toBe('The database is unavailable; try again shortly.');
    expect(r.body.data).toEqual({ product: null });
  });

  it('retries with backoff and becomes ready by itself once the database is there', async () => {
    // Two failed attempts: the log gives each reason and the growing delay.
    const failures = await service.waitForLogCount((l) => l.msg === 'preparing the database failed; retrying', 2);
    expect(failures.map((l) => l.retryInMs)).toEqual([500, 1000]);
    expect(String(failures[0]!.reason)).toMatch(
      /^database not ready: (database not reachable \(127\.0\.0\.1:\d+\)|.*ECONNREFUSED)/,
    );
    const readyz = (await (await fetch(`${service.baseUrl}/readyz`)).json()) as { reason: string };
    expect(readyz.reason).toMatch(/^database not ready: (database not reachable \(127\.0\.0\.1:\d+\)|.*ECONNREFUSED)/);

    await proxy.start();
    const tookMs = await until(
      '/readyz 200 after the database came up',
      async () => (await fetch(`${service.baseUrl}/readyz`)).status === 200,
      1000 + 5000, // the next retry is at most 1 s away, then migrations and the seed import
    );
    expect(tookMs).toBeLessThan(6000);
    await service.waitForLog((l) => l.msg === 'imported the seeds into the empty database', 1000);

    const r = await service.gql(PRODUCT_PAGE, { name: 'nodejs', asOf: '2024-01-01' });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data!.product as { label: string }).label).toBe('Node.js');
  });

  it('lost while serving: every request fails fast with DATABASE_UNAVAILABLE, the process stays up', async () => {
    // 8 clients keep asking while the database goes away under them.
    const results: { at: number; r: HttpResult }[] = [];
    let cutAt = Infinity;
    let running = true;
    const loops = Array.from({ length: 8 }, async () => {
      while (running) {
        const r = await service.gql(PRODUCT_PAGE, { name: 'nodejs', asOf: '2024-01-01' });
        results.push({ at: performance.now() - r.ms, r });
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    cutAt = performance.now();
    await proxy.stop(); // refuse new connections, cut the open ones
    await new Promise((r) => setTimeout(r, 800));
    running = false;
    await Promise.all(loops);

    const before = results.filter((x) => x.at + x.r.ms < cutAt);
    const after = results.filter((x) => x.at > cutAt);
    expect(before.length).toBeGreaterThan(0);
    for (const { r } of before) expect(r.body.errors).toBeUndefined();
    expect(after.length).toBeGreaterThan(8);
    for (const { r } of results) {
      // Only two outcomes, ever: the answer, or DATABASE_UNAVAILABLE; never an internal error.
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(FAIL_FAST_MS);
      if (r.body.errors) expect(codesOf(r)).toEqual(['DATABASE_UNAVAILABLE']);
      else expect((r.body.data!.product as { label: string }).label).toBe('Node.js');
    }
    for (const { r } of after) expect(codesOf(r)).toEqual(['DATABASE_UNAVAILABLE']);

    expect(service.running).toBe(true);
    expect((await fetch(`${service.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/^database unreachable: /);
  });

  it('a database host that accepts and never answers: requests end at DB_CONNECT_TIMEOUT_MS, not later', async () => {
    await proxy.hang();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => service.gql(PRODUCT_PAGE, { name: 'nodejs', asOf: '2024-01-01' })),
    );
    for (const r of answers) {
      expect(codesOf(r)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(r.ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50); // it really waited for the connection…
      expect(r.ms).toBeLessThan(FAIL_FAST_MS); // …and no longer than the connect timeout allows
    }
    expect(service.running).toBe(true);
  });

  it('recovers by itself once the database is back: no restart', async () => {
    await proxy.start();
    await until(
      'a successful query after the database came back',
      async () => {
        const r = await service.gql(PRODUCT_PAGE, { name: 'nodejs', asOf: '2024-01-01' });
        return r.body.errors === undefined;
      },
      5000,
    );
    const r = await service.gql(PRODUCT_PAGE, { name: 'python', asOf: '2024-01-01' });
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data!.product as { label: string }).label).toBe('Python');
    expect((await fetch(`${service.baseUrl}/readyz`)).status).toBe(200);
    expect(service.running).toBe(true);
    expectCleanOutput(service);
  });
});

describe('PostgreSQL lost with the defaults (response cache and in-memory catalogue on)', () => {
  /** Uses today: cached until midnight or until the data changes. */
  const QUERY = `{ product(name: "nodejs") { label releases { name isMaintained } } }`;
  const { t, proxy, service } = defaults;

  beforeAll(async () => {
    await defaults.ready;
  });
  afterAll(async () => {
    await service()?.stop('SIGKILL');
    await proxy()?.close();
    await t()?.drop();
  });

  it('answers from the cache while the database is there', async () => {
    await until('a cache hit', async () => (await service().gql(QUERY)).headers.get('x-cache') === 'HIT', 5000);
  });

  it('once the loss is noticed the caches step aside: no stale answer, DATABASE_UNAVAILABLE fast', async () => {
    await proxy().stop();
    // The listening connection goes through the proxy too: cutting it makes the change feed
    // unhealthy (a change could now go unnoticed), which turns both caches off.
    const lost = await service().waitForLog(
      (l) => l.msg === 'change notifications lost: caches off until they are back',
      5000,
    );
    expect(lost.level).toBe(40);
    for (const query of [QUERY, `{ products(first: 500) { nodes { name } } }`]) {
      const r = await service().gql(query);
      expect(r.headers.get('x-cache')).toBe('BYPASS');
      expect(r.ms).toBeLessThan(FAIL_FAST_MS);
      expect(codesOf(r)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    expect(service().running).toBe(true);
  });

  it('recovers by itself: the notifications reconnect and the cache fills again', async () => {
    await proxy().start();
    await service().waitForLogCount((l) => l.msg === 'change notifications: listening (caches on)', 2, 10_000);
    await until(
      'a cache hit after the database came back',
      async () => {
        const r = await service().gql(QUERY);
        return r.body.errors === undefined && r.headers.get('x-cache') === 'HIT';
      },
      5000,
    );
    expectCleanOutput(service());
  });
});

describe('connections that die without a word (no reset, no FIN): nothing waits for them forever', () => {
  const STATEMENT_TIMEOUT_MS = 1000;
  const SHUTDOWN_TIMEOUT_MS = 1000;
  let t: TestDatabase;
  let proxy: TcpProxy;
  let service: ServiceProcess;

  beforeAll(async () => {
    t = await createTestDatabase();
    proxy = await TcpProxy.create();
    await proxy.start();
    service = await spawnService({
      DATABASE_URL: urlThrough(proxy, t),
      RESPONSE_CACHE: 'false',
      CATALOG_SNAPSHOT: 'false',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    await service.ready();
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    await proxy?.close();
    await t?.drop();
  });

  it('a request on a frozen connection gives DATABASE_UNAVAILABLE after the statement timeout; /readyz says 503 at once; SIGTERM still exits', async () => {
    // The pool's connections are open and idle; from now on they pass nothing, and new ones are refused.
    expect((await service.gql(PRODUCT_PAGE, { name: 'nodejs', asOf: '2024-01-01' })).body.errors).toBeUndefined();
    proxy.freeze();
    // Not awaited: the listening socket closes at once, but the close completes only when the
    // frozen connections end.
    void proxy.stopAccepting();
    const r = await service.gql(PRODUCT_PAGE, { name: 'nodejs', asOf: '2024-01-01' });
    expect(codesOf(r)).toEqual(['DATABASE_UNAVAILABLE']);
    // The client-side read timeout (statement timeout + 2 s) ended it, no later.
    expect(r.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 2000 + 1500);

    const started = performance.now();
    const ready = await fetch(`${service.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + 1000);

    // Shutdown with a statement stuck on a frozen connection: out within the deadline and a little.
    const stuck = service.gql(PRODUCT_PAGE, { name: 'python', asOf: '2024-01-01' }).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalled = performance.now();
    const exit = await service.stop('SIGTERM', 10_000);
    expect(performance.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 3000 + 1500);
    expect(exit.signal).toBeNull();
    await stuck;
    expect(service.output()).not.toMatch(ESCAPED_ERRORS);
    expect(service.output()).not.toContain(PASSWORD);
  });
});
