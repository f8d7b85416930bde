// Applies prisma/migrations/*/migration.sql in name order, each in its own transaction, and
// records them in Prisma's own _prisma_migrations table with Prisma's checksum (sha256 hex of the
// file's bytes), so that `prisma migrate status|deploy` on a machine that has Prisma's native
// engine agrees with what we did. We cannot use those commands ourselves: Prisma 7's migrate
// needs the native schema engine (not installable here) and does not support PGlite at all.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NOTIFY_TRIGGERS } from './changes.ts';
import type { Database, Sql } from './database.ts';

export const defaultMigrationsDir = resolve(new URL('../../prisma/migrations', import.meta.url).pathname);

export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

export interface AppliedMigration {
  name: string;
  checksum: string;
  finishedAt: string | null;
  rolledBackAt: string | null;
}

export class MigrationError extends Error {
  /**
   * The history itself is wrong (a migration changed after it was applied, one the files do not
   * have, one that never finished): retrying cannot help, a person has to look.
   */
  readonly permanent: boolean;
  constructor(message: string, opts: { permanent?: boolean } = {}) {
    super(message);
    this.name = 'MigrationError';
    this.permanent = opts.permanent ?? false;
  }
}

/** Prisma's checksum of a migration script: sha256 over the exact bytes, hex. */
export function checksumOf(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readMigrations(dir = defaultMigrationsDir): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError(`No migrations directory at ${dir}`, { permanent: true });
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name, 'migration.sql'));
      return { name, checksum: checksumOf(bytes), sql: bytes.toString('utf8') };
    });
}

// Prisma's bookkeeping table, column for column.
const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// Serialises concurrent migrators (several service replicas starting at once). The same key
// Prisma's migrate engine uses, so our runner and Prisma's exclude each other as well.
const ADVISORY_LOCK_KEY = 72707369;

async function readApplied(sql: Sql): Promise<AppliedMigration[]> {
  const exists = await sql.query<{ present: boolean }>(
    `SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS present`,
  );
  if (!exists[0]?.present) return [];
  return sql.query<AppliedMigration>(
    `SELECT migration_name AS "name", checksum, finished_at::text AS "finishedAt", rolled_back_at::text AS "rolledBackAt"
       FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
  );
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Problems that make the database unsafe to use with this code. */
  problems: string[];
}

/** Compares the files with what the database recorded; never changes anything. */
export function compareMigrations(files: MigrationFile[], applied: AppliedMigration[]): MigrationStatus {
  const problems: string[] = [];
  const live = applied.filter((a) => a.rolledBackAt === null);
  const byName = new Map(live.map((a) => [a.name, a]));
  const known = new Set(files.map((f) => f.name));
  for (const a of live) {
    if (a.finishedAt === null) {
      problems.push(
        `Migration ${a.name} was started but did not finish (a failed run recorded in _prisma_migrations). ` +
          'Repair the database by hand, then mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = ...).',
      );
    } else if (!known.has(a.name)) {
      problems.push(
        `The database has migration ${a.name}, which this version of eolgraph does not have: it was migrated by a newer version.`,
      );
    }
  }
  for (const f of files) {
    const a = byName.get(f.name);
    if (a && a.finishedAt !== null && a.checksum !== f.checksum) {
      problems.push(
        `Migration ${f.name} was modified after it was applied (checksum in the database ${a.checksum.slice(0, 12)}…, ` +
          `file ${f.checksum.slice(0, 12)}…). Applied migrations must never change: restore the file and put the change in a new migration.`,
      );
    }
  }
  return {
    applied: files.filter((f) => byName.get(f.name)?.finishedAt).map((f) => f.name),
    pending: files.filter((f) => !byName.has(f.name)).map((f) => f.name),
    problems,
  };
}

export async function migrationStatus(db: Database, dir = defaultMigrationsDir): Promise<MigrationStatus> {
  return compareMigrations(readMigrations(dir), await readApplied(db));
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
  /** Triggers found not enabled ALWAYS and enabled so again (`table.trigger`; ALWAYS_TRIGGERS). */
  repaired: string[];
}

/**
 * The triggers the migrations enable ALWAYS (so that a session in replica mode runs them too): the
 * change notifications (notify_always) and the alias/name checks (value_constraints).
 */
const ALWAYS_TRIGGERS: readonly (readonly [table: string, trigger: string])[] = [
  ...NOTIFY_TRIGGERS,
  ['product_alias', 'product_alias_not_a_product_name'],
  ['product', 'product_name_not_an_alias'],
];

/**
 * Enables ALWAYS again every such trigger that exists and is not: pg_restore's
 * `DISABLE TRIGGER ALL` … `ENABLE TRIGGER ALL`, or an admin's ALTER TABLE, leaves them off or
 * ordinary, and the caches then cannot trust the change feed (src/db/changes.ts). A missing
 * trigger is not recreated here: the feed reports it.
 */
async function repairAlwaysTriggers(db: Database): Promise<string[]> {
  const off = await db.query<{ tbl: string; trigger: string }>(
    `SELECT e.tbl, e.trigger
       FROM (VALUES ${ALWAYS_TRIGGERS.map(([table, trigger]) => `('${table}', '${trigger}')`).join(', ')}) AS e(tbl, trigger)
       JOIN pg_trigger t ON t.tgrelid = to_regclass(e.tbl) AND t.tgname = e.trigger
      WHERE t.tgenabled <> 'A'
      ORDER BY e.tbl, e.trigger`,
  );
  if (off.length === 0) return [];
  await db.scriptTransaction((tx) =>
    tx.exec(off.map(({ tbl, trigger }) => `ALTER TABLE "${tbl}" ENABLE ALWAYS TRIGGER "${trigger}";`).join('\n')),
  );
  return off.map(({ tbl, trigger }) => `${tbl}.${trigger}`);
}

/**
 * Applies every pending migration, in order, each in its own transaction. Throws MigrationError,
 * before changing anything, when an applied migration's file changed, is missing, or failed.
 */
export async function migrate(db: Database, dir = defaultMigrationsDir): Promise<MigrateResult> {
  const files = readMigrations(dir);
  const appliedNow: string[] = [];
  // Check everything first, so a tampered history stops us before we touch the schema.
  const status = compareMigrations(files, await readApplied(db));
  if (status.problems.length > 0) throw new MigrationError(status.problems.join('\n'), { permanent: true });

  for (const file of files) {
    if (!status.pending.includes(file.name)) continue;
    await db.scriptTransaction(async (tx) => {
      if (db.kind === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`);
      await tx.exec(CREATE_TABLE);
      // Another process may have applied it while we waited for the lock.
      const again = compareMigrations(files, await readApplied(tx));
      if (again.problems.length > 0) throw new MigrationError(again.problems.join('\n'), { permanent: true });
      if (!again.pending.includes(file.name)) return;
      const startedAt = new Date().toISOString();
      try {
        await tx.exec(file.sql);
      } catch (err) {
        throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${(err as Error).message}`);
      }
      await tx.execute(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, NULL, NULL, $4::timestamptz, 1)`,
        [randomUUID(), file.checksum, file.name, startedAt],
      );
      appliedNow.push(file.name);
    });
  }
  const repaired = await repairAlwaysTriggers(db);
  // Not status.pending: a concurrent migrator may have applied some of them while we waited.
  return { applied: appliedNow, alreadyApplied: files.length - appliedNow.length, repaired };
}
