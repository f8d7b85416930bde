// Opening the database: PostgreSQL through @prisma/adapter-pg when DATABASE_URL is set, else the
// embedded PGlite through pglite-prisma-adapter. Both sides share one driver adapter: Prisma Client
// uses it, and so does our own SQL (the hot read paths, the importer's batched writes), so every
// statement passes through one counting layer (src/db/statements.ts) whatever issued it.
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { acquireDataDirLock, type DataDirLock } from './pglite-lock.ts';
import { countStatement } from './statements.ts';

export type Row = Record<string, unknown>;

/** Anything that runs parameterised SQL: the database itself or an open transaction. */
export interface Sql {
  /** Rows as objects keyed by column name; json/jsonb columns arrive as strings. */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Rows as arrays in column order, plus the column names (cheaper for large results). */
  queryArrays(sql: string, params?: readonly unknown[]): Promise<{ columns: string[]; rows: unknown[][] }>;
  /** Runs a statement and returns the number of rows it affected. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface ScriptSql extends Sql {
  /** Runs several statements separated by semicolons (no parameters). */
  exec(script: string): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /** Prisma Client bound to the same adapter (and the same connections). */
  readonly prisma: PrismaClient;
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>, isolationLevel?: IsolationLevel): Promise<T>;
  /**
   * A transaction on one dedicated connection that may also run multi-statement scripts
   * (migrations: dollar-quoted function bodies, DDL). Committed if fn resolves.
   */
  scriptTransaction<T>(fn: (tx: ScriptSql) => Promise<T>): Promise<T>;
  /** The PGlite instance (embedded mode only), e.g. to serve it to Prisma Studio. */
  readonly pglite: PGlite | null;
  /** The pg pool (PostgreSQL mode only). */
  readonly pool: pg.Pool | null;
  /** Human-readable target, without secrets. */
  readonly description: string;
  close(): Promise<void>;
}

function argTypesOf(params: readonly unknown[]): SqlQuery['argTypes'] {
  return params.map((p) => ({ scalarType: 'unknown', arity: Array.isArray(p) ? 'list' : 'scalar' }));
}

function toObjects<T>(rs: SqlResultSet): T[] {
  const names = rs.columnNames;
  const out = new Array<T>(rs.rows.length);
  for (let r = 0; r < rs.rows.length; r++) {
    const row = rs.rows[r]!;
    const obj: Row = {};
    for (let c = 0; c < names.length; c++) obj[names[c]!] = row[c];
    out[r] = obj as T;
  }
  return out;
}

function sqlOn(q: SqlQueryable): Sql {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []) {
      return toObjects<T>(await q.queryRaw({ sql, args: [...params], argTypes: argTypesOf(params) }));
    },
    async queryArrays(sql: string, params: readonly unknown[] = []) {
      const rs = await q.queryRaw({ sql, args: [...params], argTypes: argTypesOf(params) });
      return { columns: rs.columnNames, rows: rs.rows };
    },
    execute(sql: string, params: readonly unknown[] = []) {
      return q.executeRaw({ sql, args: [...params], argTypes: argTypesOf(params) });
    },
  };
}

/** Wraps a transaction so that its statements, and its COMMIT/ROLLBACK, are counted. */
class CountingTransaction implements Transaction {
  readonly provider: Transaction['provider'];
  readonly adapterName: string;
  readonly options: Transaction['options'];
  constructor(private readonly inner: Transaction) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
    this.options = inner.options;
  }
  queryRaw(q: SqlQuery) {
    countStatement();
    return this.inner.queryRaw(q);
  }
  executeRaw(q: SqlQuery) {
    countStatement();
    return this.inner.executeRaw(q);
  }
  commit() {
    // With a "phantom" transaction (PGlite) the driver sends COMMIT itself; otherwise Prisma (or
    // commitOn below) sent it through executeRaw and it was counted there.
    if (this.inner.options.usePhantomQuery) countStatement();
    return this.inner.commit();
  }
  rollback() {
    if (this.inner.options.usePhantomQuery) countStatement();
    return this.inner.rollback();
  }
}

/** The adapter every statement goes through; counts each one. */
class CountingAdapter implements SqlDriverAdapter {
  readonly provider: SqlDriverAdapter['provider'];
  readonly adapterName: string;
  constructor(readonly inner: SqlDriverAdapter) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }
  queryRaw(q: SqlQuery) {
    countStatement();
    return this.inner.queryRaw(q);
  }
  executeRaw(q: SqlQuery) {
    countStatement();
    return this.inner.executeRaw(q);
  }
  executeScript(script: string) {
    countStatement();
    return this.inner.executeScript(script);
  }
  async startTransaction(isolationLevel?: IsolationLevel) {
    countStatement(); // BEGIN
    return new CountingTransaction(await this.inner.startTransaction(isolationLevel));
  }
  getConnectionInfo() {
    return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: true };
  }
  dispose() {
    return this.inner.dispose();
  }
}

async function inTransaction<T>(
  adapter: SqlDriverAdapter,
  fn: (tx: Sql) => Promise<T>,
  isolationLevel?: IsolationLevel,
): Promise<T> {
  // PGlite has a single session: its transactions are serialisable by construction.
  const tx = await adapter.startTransaction(
    adapter.provider === 'postgres' && adapter.adapterName.includes('pglite') ? undefined : isolationLevel,
  );
  const end = async (verb: 'COMMIT' | 'ROLLBACK') => {
    try {
      if (!tx.options.usePhantomQuery) await tx.executeRaw({ sql: verb, args: [], argTypes: [] });
    } catch (err) {
      // COMMIT or ROLLBACK failed (typically: the connection was lost). The connection must still
      // go back to the pool, which drops a broken one: otherwise it stays checked out for ever and
      // pool.end() (closing the database) waits for it for ever.
      await tx.rollback().catch(() => undefined);
      throw err;
    }
    await (verb === 'COMMIT' ? tx.commit() : tx.rollback());
  };
  let result: T;
  try {
    result = await fn(sqlOn(tx));
  } catch (err) {
    try {
      await end('ROLLBACK');
    } catch {
      /* the original error matters more; the connection is discarded by the driver */
    }
    throw err;
  }
  await end('COMMIT');
  return result;
}

function makeDatabase(opts: {
  kind: Database['kind'];
  adapter: SqlDriverAdapter;
  description: string;
  pglite: PGlite | null;
  pool: pg.Pool | null;
  scriptTransaction: Database['scriptTransaction'];
  close: () => Promise<void>;
}): Database {
  const adapter = new CountingAdapter(opts.adapter);
  const factory: SqlDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: adapter.adapterName,
    connect: async () => adapter,
  };
  const prisma = new PrismaClient({ adapter: factory });
  let closed = false;
  return {
    kind: opts.kind,
    prisma,
    pglite: opts.pglite,
    pool: opts.pool,
    description: opts.description,
    ...sqlOn(adapter),
    transaction: (fn, isolationLevel) => inTransaction(adapter, fn, isolationLevel),
    scriptTransaction: opts.scriptTransaction,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect().catch(() => undefined);
      await opts.close();
    },
  };
}

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  /** Milliseconds after which PostgreSQL cancels a statement (0 = never). */
  statementTimeoutMs?: number;
  /** Connect timeout in milliseconds. */
  connectTimeoutMs?: number;
  applicationName?: string;
}

export function openPostgres(options: PostgresOptions): Database {
  const statementTimeout = options.statementTimeoutMs || undefined;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
    // The server cancels slow statements; the client gives up a little later too, so a statement
    // on a connection that silently died (network cut, no reset) cannot hang a request forever.
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout ? statementTimeout + 2000 : undefined,
    keepAlive: true,
    application_name: options.applicationName ?? 'eolgraph',
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const factory = new PrismaPg(pool, { onPoolError: () => undefined, onConnectionError: () => undefined });
  let adapterPromise: Promise<SqlDriverAdapter> | null = null;
  const u = new URL(options.url);
  const description = `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`;
  // PrismaPg's connect() only wraps the pool (no I/O), so it can be awaited lazily.
  const adapterOf = () => (adapterPromise ??= factory.connect());
  const lazy: SqlDriverAdapter = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    queryRaw: async (q) => (await adapterOf()).queryRaw(q),
    executeRaw: async (q) => (await adapterOf()).executeRaw(q),
    executeScript: async (s) => (await adapterOf()).executeScript(s),
    startTransaction: async (i) => (await adapterOf()).startTransaction(i),
    getConnectionInfo: () => ({ supportsRelationJoins: true }),
    dispose: async () => (await adapterOf()).dispose(),
  };
  return makeDatabase({
    kind: 'postgres',
    adapter: lazy,
    description,
    pglite: null,
    pool,
    async scriptTransaction(fn) {
      // A dedicated connection and the simple query protocol, so a script may hold several
      // statements and dollar-quoted function bodies.
      const client = await pool.connect();
      const run = async (text: string, values: unknown[] = []) => {
        countStatement();
        return client.query(text, values);
      };
      const tx: ScriptSql = {
        query: async <T>(sql: string, params: readonly unknown[] = []) => (await run(sql, [...params])).rows as T[],
        queryArrays: async (sql: string, params: readonly unknown[] = []) => {
          countStatement();
          const r = await client.query({ text: sql, values: [...params], rowMode: 'array' });
          return { columns: r.fields.map((f) => f.name), rows: r.rows as unknown[][] };
        },
        execute: async (sql: string, params: readonly unknown[] = []) => (await run(sql, [...params])).rowCount ?? 0,
        exec: async (script: string) => {
          await run(script);
        },
      };
      try {
        await run('BEGIN');
        const result = await fn(tx);
        await run('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  });
}

export interface PgliteOptions {
  /** Data directory; omitted = in memory. */
  dataDir?: string;
  /** A dump from PGlite#dumpDataDir() to start from (tests). */
  loadDataDir?: Blob | File;
  /** Take the one-process lock on dataDir (default true when dataDir is given). */
  lock?: boolean;
}

export async function openPglite(options: PgliteOptions = {}): Promise<Database & { lock: DataDirLock | null }> {
  const lock = options.dataDir && options.lock !== false ? acquireDataDirLock(options.dataDir) : null;
  // Loaded here, not at the top: PGlite's module alone holds ~35 MB, which a service on
  // PostgreSQL has no use for (bench/results: RSS during the whole-catalogue run).
  let pglite: PGlite;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  let adapter: SqlDriverAdapter;
  try {
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    adapter = await new PrismaPGlite(pglite).connect();
  } catch (err) {
    await pglite.close().catch(() => undefined);
    lock?.release();
    throw err;
  }
  const db = makeDatabase({
    kind: 'pglite',
    adapter,
    description: options.dataDir ? `embedded PGlite ${options.dataDir}` : 'embedded PGlite (in memory)',
    pglite,
    pool: null,
    async scriptTransaction(fn) {
      return pglite.transaction(async (t) => {
        countStatement(); // BEGIN
        const tx: ScriptSql = {
          query: async <T>(sql: string, params: readonly unknown[] = []) => {
            countStatement();
            return (await t.query<T>(sql, [...params])).rows;
          },
          queryArrays: async (sql: string, params: readonly unknown[] = []) => {
            countStatement();
            const r = await t.query<unknown[]>(sql, [...params], { rowMode: 'array' });
            return { columns: r.fields.map((f) => f.name), rows: r.rows };
          },
          execute: async (sql: string, params: readonly unknown[] = []) => {
            countStatement();
            return (await t.query(sql, [...params])).affectedRows ?? 0;
          },
          exec: async (script: string) => {
            countStatement();
            await t.exec(script);
          },
        };
        const result = await fn(tx);
        countStatement(); // COMMIT, sent by pglite.transaction
        return result;
      });
    },
    async close() {
      try {
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  });
  return Object.assign(db, { lock });
}
