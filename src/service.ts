// Wiring the service: configuration → database → migrations → first import → HTTP server, plus
// Prisma Studio access to the embedded database and graceful shutdown. src/index.ts runs it.
//
// The HTTP server starts listening at once; the database part is retried with backoff until it
// succeeds, so a service started before its database answers /healthz at once and /readyz with
// 503 and the reason until the database is there.
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { MemoryStore, ResponseCache, type CacheStore } from './cache/response-cache.ts';
import { CatalogSnapshot } from './data/snapshot.ts';
import { pgliteChangeFeed, postgresChangeFeed, type ChangeFeed, type PgliteFeed } from './db/changes.ts';
import { migrate, MigrationError, migrationStatus, readMigrations } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { DataDirLockedError } from './db/pglite-lock.ts';
import { describeDbError, importDocuments } from './importer/import.ts';
import { summaryLine } from './importer/import.ts';
import { createServer, defaultServerOptions, type AppServer, type Readiness, type ServerOptions } from './http/app.ts';
import { typeDefs } from './graphql/schema.ts';
import type { Logger } from './logger.ts';

/** The HTTP server's options from the configuration. */
export function serverOptionsFrom(config: Config): ServerOptions {
  return {
    ...defaultServerOptions,
    production: config.nodeEnv === 'production',
    introspection: config.introspection,
    corsOrigins: config.corsOrigins,
    maxBodyBytes: config.maxBodyBytes,
    maxResponseBytes: config.maxResponseBytes,
    executor: config.graphqlExecutor,
    heavyQueryGate: {
      cost: config.heavyQueryCost,
      concurrency: config.heavyQueryConcurrency,
      maxQueue: config.heavyQueryQueue,
    },
    limits: {
      maxDepth: config.maxQueryDepth,
      maxCost: config.maxQueryCost,
      maxAliases: config.maxAliases,
      maxRootFields: config.maxRootFields,
      maxQueryBytes: config.maxQueryBytes,
      maxTokens: config.maxQueryTokens,
      maxBatch: config.maxBatchOperations,
      maxPageSize: config.maxPageSize,
      maxVariablesDepth: config.maxVariablesDepth,
    },
  };
}

/**
 * What decides the answers besides the request: the code and its schema, the migrations, the
 * options that change what an answer says or whether it is allowed, and the database. Instances
 * share cached answers in Redis only when all of these agree: an instance with introspection off
 * must not serve another's introspection answer, nor one on another database (or another version,
 * mid-deploy) its answers.
 */
export function answerFingerprint(config: Config): string {
  // The whole URL but the password: the user and the parameters (a search_path, a schema) choose
  // what the answers are read from as much as the host and the database do.
  const db = config.databaseUrl ? new URL(config.databaseUrl) : null;
  if (db) db.password = '';
  const facts = {
    version: (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version,
    schema: typeDefs,
    migrations: readMigrations().map((m) => `${m.name}:${m.checksum}`),
    options: serverOptionsFrom(config),
    database: db ? db.toString() : `pglite:${config.pgliteDir}`,
  };
  return createHash('sha256').update(JSON.stringify(facts)).digest('base64url').slice(0, 16);
}

export interface Service {
  app: AppServer;
  db: Database;
  port: number;
  url: string;
  /** Resolves when the database is migrated (and seeded); rejects only on fatal errors. */
  prepared: Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  logger: Logger;
  clock?: () => Date;
  /** Retry delays for preparing the database, in ms (the last one repeats). */
  retryDelaysMs?: number[];
}

export async function startService(config: Config, opts: ServiceOptions): Promise<Service> {
  const { logger } = opts;
  const clock = opts.clock ?? (() => new Date());
  const db = await openDatabase(config); // the PGlite lock refuses a second process here, at once
  logger.info({ database: db.description }, 'database');

  let prepared = false;
  let migrated = false;
  let lastProblem = 'the database is being prepared (migrations, first import)';
  let stopping = false;

  // A database that stopped answering (a connection that died silently) must not make /readyz
  // hang: it answers 503 after this long.
  const readinessTimeoutMs = Math.min(config.dbConnectTimeoutMs, 5_000);
  const readiness = async (): Promise<Readiness> => {
    if (!prepared) return { ready: false, reason: lastProblem };
    let timer: NodeJS.Timeout | undefined;
    try {
      const status = await Promise.race([
        migrationStatus(db),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${readinessTimeoutMs} ms`)), readinessTimeoutMs);
        }),
      ]);
      if (status.pending.length > 0 || status.problems.length > 0) {
        return { ready: false, reason: status.problems[0] ?? `pending migrations: ${status.pending.join(', ')}` };
      }
      return { ready: true };
    } catch (err) {
      return { ready: false, reason: `database unreachable: ${describeDbError(err)}` };
    } finally {
      clearTimeout(timer);
    }
  };

  // Change notifications drive every cache: the response cache and the in-memory catalogue.
  let feed: ChangeFeed | null = null;
  if (config.responseCache || config.catalogSnapshot) {
    const onStateChange = (healthy: boolean, reason?: string) =>
      healthy
        ? logger.info('change notifications: listening (caches on)')
        : migrated
          ? logger.warn({ reason }, 'change notifications lost: caches off until they are back')
          : // A new database has no triggers until the migrations run: expected, not a fault.
            logger.info({ reason }, 'change notifications: caches off until the migrations have run');
    feed = db.pglite
      ? await pgliteChangeFeed(db.pglite, { onStateChange })
      : postgresChangeFeed({ url: config.databaseUrl!, heartbeatMs: config.changeFeedHeartbeatMs, onStateChange });
  }
  let store: CacheStore | null = null;
  if (feed && config.responseCache) {
    store = new MemoryStore(config.responseCacheMaxBytes);
    if (config.redisUrl) {
      try {
        // Loaded only when configured, like PGlite (src/db/database.ts): nothing unused stays in memory.
        const { RedisStore } = await import('./cache/redis-store.ts');
        const prefix = `eolgraph:responses:${answerFingerprint(config)}`;
        store = await RedisStore.connect(config.redisUrl, { prefix });
        logger.info({ prefix }, 'response cache in Redis');
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'Redis unreachable: the response cache stays in memory');
      }
    }
  }
  const cache =
    feed && store
      ? new ResponseCache({ store, feed, sharedRecheckMs: Math.max(2_000, 4 * config.changeFeedHeartbeatMs) })
      : null;
  const snapshot = feed && config.catalogSnapshot ? new CatalogSnapshot(db, feed) : null;

  const app = createServer({
    sql: db,
    logger,
    clock,
    readiness,
    cache,
    snapshot,
    options: serverOptionsFrom(config),
  });
  await app.start();
  const port = await app.listen(config.port, config.host);
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/graphql`;
  logger.info({ url }, 'listening');

  let studio: PGLiteSocketServer | null = null;
  const prepare = async () => {
    const delays = opts.retryDelaysMs ?? [500, 1000, 2000, 5000, 10000];
    for (let attempt = 0; !stopping; attempt++) {
      try {
        const m = await migrate(db);
        migrated = true;
        if (m.applied.length > 0) logger.info({ applied: m.applied }, 'migrations applied');
        if (m.repaired.length > 0)
          logger.warn({ triggers: m.repaired }, 'change-notification triggers enabled ALWAYS again');
        // The feed's first check may have run before the migrations created (or repaired) the
        // triggers: on a new database it found them missing and turned the caches off.
        await feed?.verify?.();
        const [{ n } = { n: 0 }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM product`);
        if (n === 0) {
          const report = await importDocuments(db, {
            paths: [config.seedsDir],
            root: config.root,
            limits: { maxBytes: config.importMaxDocumentBytes, maxYamlNodes: config.importMaxYamlNodes },
          });
          logger.info(
            { seeds: config.seedsDir, summary: summaryLine(report) },
            'imported the seeds into the empty database',
          );
          for (const r of report.rejected) logger.warn({ file: r.file, problems: r.problems }, 'seed rejected');
        }
        prepared = true;
        return;
      } catch (err) {
        // Neither goes away by waiting: the process says so and stops (src/index.ts exits 1).
        if (err instanceof DataDirLockedError) throw err;
        if (err instanceof MigrationError && err.permanent) throw err;
        lastProblem = `database not ready: ${describeDbError(err)}`;
        const delay = delays[Math.min(attempt, delays.length - 1)]!;
        logger.warn(
          { attempt: attempt + 1, retryInMs: delay, reason: lastProblem },
          'preparing the database failed; retrying',
        );
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  };
  const preparedPromise = prepare().then(async () => {
    if (db.pglite && config.studioPort > 0 && !stopping) {
      // Prisma Studio cannot open the embedded database itself (one process per data directory),
      // so the service lends it its own instance over the Postgres wire protocol, on loopback.
      // PGlite has one session: the socket's clients take turns with the service, a whole
      // transaction at a time, and their changes reach the change feed (src/db/studio-socket.ts).
      try {
        const { serveForStudio } = await import('./db/studio-socket.ts');
        studio = await serveForStudio(db.pglite, {
          port: config.studioPort,
          feed: feed as PgliteFeed | null,
          idleInTransactionMs: config.studioIdleInTransactionMs,
          onIdleInTransaction: (ms) =>
            logger.warn(
              { idleMs: ms },
              'a Prisma Studio connection kept a transaction open and idle, holding up the service: disconnected it, its transaction rolled back',
            ),
        });
        logger.info(
          { studio: `postgresql://postgres@127.0.0.1:${config.studioPort}/postgres` },
          'embedded database served for Prisma Studio (npm run studio)',
        );
      } catch (err) {
        logger.warn(
          { err: (err as Error).message, port: config.studioPort },
          'could not serve the embedded database for Prisma Studio',
        );
        studio = null;
      }
    }
  });

  return {
    app,
    db,
    port,
    url,
    prepared: preparedPromise,
    async stop() {
      stopping = true;
      await app.stop();
      logger.debug('http server stopped');
      snapshot?.close();
      await cache?.close();
      // The Studio socket first: it rolls back a client's open transaction, which would otherwise
      // hold up closing the feed (UNLISTEN waits for the session).
      await (studio as PGLiteSocketServer | null)?.stop().catch(() => undefined);
      logger.debug('studio socket stopped');
      await feed?.close();
      await db.close();
      logger.debug('database closed');
    },
  };
}
