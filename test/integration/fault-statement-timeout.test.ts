// DB_STATEMENT_TIMEOUT_MS: PostgreSQL cancels a statement that runs longer, the request answers
// DATABASE_TIMEOUT at once instead of holding a connection, and the service keeps serving. The
// configuration is read and wired the way src/service.ts does it (loadConfig → openDatabase →
// createServer with serverOptionsFrom), against a database made heavy on purpose: one product
// with 1,600,000 release cycles.
//
// The numbers, and why (measured on a loaded 2-core machine):
// - Light statements beside the heavy ones must stay well under TIMEOUT_MS, or they are cancelled
//   too. They run on fresh connections (a statement that fails, as every cancelled one does, costs
//   its connection: pg-pool discards the client), so they pay a new backend's catalog loading, and
//   share the CPU with the heavy scans. With TIMEOUT_MS = 100 and the default pool of 10 (ten heavy
//   scans at once), their server-side time reached 30–60 ms here and once passed 100 ms in CI.
//   Hence DB_POOL_SIZE = POOL (4): at most 4 statements, heavy or light, run at once (their tail
//   here: 20–30 ms), with twice as many heavy requests as connections; and TIMEOUT_MS = 200.
// - HEAVY must take more than 3 × TIMEOUT_MS (600 ms) unbounded even on a fast machine (the first
//   test): its time grows with the cycles (~1 µs each; no query the API offers costs much more per
//   row). 1,600,000 cycles: ~1.7 s here, so still ~0.85 s on a machine twice as fast.
// - beforeAll inserts them with the release_cycle indexes dropped and rebuilt afterwards: ~9 s
//   here, where inserting into the indexes took ~13 s (and 800,000 cycles with them ~8 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { openDatabase } from '../../src/db/open.ts';
import { createServer } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { serverOptionsFrom } from '../../src/service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { runImport } from '../helpers/documents.ts';
import { seedsDir } from '../helpers/env.ts';
import { postJson, type HttpResult } from '../helpers/service-process.ts';

const TIMEOUT_MS = 200;
/** The service's connections (DB_POOL_SIZE): few, so that few heavy statements run at once. */
const POOL = 4;
/** The heavy product's cycles. */
const CYCLES = 1_600_000;
/** Filters on computed support status over every cycle: ~1.7 s on 1,600,000 cycles here. */
const HEAVY = `{ releaseCycles(filter: { isMaintained: true }, orderBy: { field: EOL_FROM }, first: 1, asOf: "2010-01-01") {
  totalCount nodes { name } } }`;
const LIGHT = '{ product(name: "nodejs", asOf: "2024-01-01") { name releases { name isEol } } }';

describe('DB_STATEMENT_TIMEOUT_MS', () => {
  let t: TestDatabase;
  let db: Database;
  let url: string;
  let stop: () => Promise<void>;
  const gql = (query: string) => postJson(url, { query });

  beforeAll(async () => {
    t = await createTestDatabase();
    await runImport(t.db, [seedsDir]);
    await t.db.transaction(async (tx) => {
      // Bulk data without the per-row triggers (this is not what is tested), and without the
      // indexes that no constraint owns: they are built again afterwards, as they were.
      await tx.execute(`SET LOCAL session_replication_role = replica`);
      const indexes = await tx.query<{ name: string; definition: string }>(
        `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i
          WHERE i.indrelid = 'release_cycle'::regclass
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      );
      expect(indexes.length).toBeGreaterThan(0);
      for (const i of indexes) await tx.execute(`DROP INDEX ${i.name}`);
      await tx.execute(`INSERT INTO product (name, label, permalink) VALUES ('heavy', 'Heavy', '/heavy')`);
      await tx.execute(
        `INSERT INTO release_cycle (product_id, position, name, release_date, eol_from)
         SELECT (SELECT id FROM product WHERE name = 'heavy'), g, 'c' || g,
                date '2000-01-01' + (g % 9000), date '2001-01-01' + (g % 12000)
           FROM generate_series(0, ${CYCLES - 1}) g`,
      );
      for (const i of indexes) await tx.execute(i.definition);
    });
    await t.db.execute('ANALYZE release_cycle');

    const config = loadConfig({
      DATABASE_URL: t.url,
      DB_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS),
      DB_POOL_SIZE: String(POOL),
      RESPONSE_CACHE: 'false',
      CATALOG_SNAPSHOT: 'false',
    });
    expect(config.dbStatementTimeoutMs).toBe(TIMEOUT_MS);
    expect(config.dbPoolSize).toBe(POOL);
    db = await openDatabase(config);
    const app = createServer({
      sql: db,
      logger: createLogger('silent'),
      clock: () => new Date(),
      readiness: async () => ({ ready: true }),
      options: serverOptionsFrom(config),
    });
    await app.start();
    url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/graphql`;
    stop = () => app.stop();
  });
  afterAll(async () => {
    await stop?.();
    await db?.close();
    await t?.drop();
  });

  const expectTimeout = (r: HttpResult) => {
    expect(r.status).toBe(200);
    expect(r.body.data).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors![0]).toMatchObject({
      message: 'The database took too long to answer this query.',
      path: ['releaseCycles'],
      extensions: { code: 'DATABASE_TIMEOUT' },
    });
  };

  it('the heavy query really is heavy: without the timeout it takes several times as long', async () => {
    const config = loadConfig({ DATABASE_URL: t.url, DB_STATEMENT_TIMEOUT_MS: '0' });
    const unbounded = await openDatabase(config);
    const app = createServer({
      sql: unbounded,
      logger: createLogger('silent'),
      clock: () => new Date(),
      readiness: async () => ({ ready: true }),
      options: serverOptionsFrom(config),
    });
    try {
      await app.start();
      const port = await app.listen(0, '127.0.0.1');
      const r = await postJson(`http://127.0.0.1:${port}/graphql`, { query: HEAVY });
      expect(r.body.errors).toBeUndefined();
      expect((r.body.data!.releaseCycles as { totalCount: number }).totalCount).toBeGreaterThan(10_000);
      expect(r.ms).toBeGreaterThan(3 * TIMEOUT_MS);
    } finally {
      await app.stop();
      await unbounded.close();
    }
  });

  it('answers DATABASE_TIMEOUT soon after the timeout, and the next request is served', async () => {
    const r = await gql(HEAVY);
    expectTimeout(r);
    expect(r.ms).toBeLessThan(TIMEOUT_MS + 1000);
    const light = await gql(LIGHT);
    expect(light.body.errors).toBeUndefined();
    expect((light.body.data!.product as { name: string }).name).toBe('nodejs');
  });

  it('many timeouts at once leave no connection stuck: light requests beside them are served', async () => {
    // Twice as many heavy requests as connections: they alone would take every one.
    const heavy = Array.from({ length: 2 * POOL }, () => gql(HEAVY));
    const light = Array.from({ length: 2 * POOL }, () => gql(LIGHT));
    const [h, l] = await Promise.all([Promise.all(heavy), Promise.all(light)]);
    for (const r of h) expectTimeout(r);
    for (const r of l) expect(r.body.errors).toBeUndefined();
    // Afterwards the pool is whole: every connection can run a statement.
    const after = await Promise.all(Array.from({ length: 2 * POOL }, () => gql(LIGHT)));
    for (const r of after) expect(r.body.errors).toBeUndefined();
  });
});
