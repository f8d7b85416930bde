// The migration runner (src/db/migrate.ts) against real databases: it applies prisma/migrations
// as Prisma would record them, the migrations produce exactly the schema in schema.prisma, a
// changed history is refused before anything changes, and concurrent migrators do not collide.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, openPostgres, type Database, type Sql } from '../../src/db/database.ts';
import { migrate, MigrationError } from '../../src/db/migrate.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { adminUrl, projectRoot } from '../helpers/env.ts';
import { dumpSchema, normaliseSchemaDump, schemaDifference } from '../helpers/schema-dump.ts';

const run = promisify(execFile);
const migrationsDir = join(projectRoot, 'prisma/migrations');

/** Each migration and Prisma's checksum of it (sha256 hex of the bytes), computed here on purpose. */
function migrationFiles(dir = migrationsDir): { name: string; checksum: string }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => ({
      name,
      checksum: createHash('sha256')
        .update(readFileSync(join(dir, name, 'migration.sql')))
        .digest('hex'),
    }));
}

function recorded(sql: Sql) {
  return sql.query<{ name: string; checksum: string; finished: boolean; steps: number; rolledBack: boolean }>(
    `SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished,
            applied_steps_count AS steps, rolled_back_at IS NOT NULL AS "rolledBack"
       FROM "_prisma_migrations" ORDER BY migration_name`,
  );
}

async function tableExists(sql: Sql, table: string): Promise<boolean> {
  const rows = await sql.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [table]);
  return rows[0]!.present;
}

/** Everything a refused or failed migrate() must leave as it was: the schema and the bookkeeping. */
async function snapshot(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ line: string }>(`
    SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) AS line
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT format('function %s', oid::regprocedure) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT format('migration %s %s %s %s %s', migration_name, checksum, started_at, finished_at, applied_steps_count)
      FROM "_prisma_migrations"
    ORDER BY 1`);
  return rows.map((r) => r.line);
}

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of prisma/migrations that a test may change. */
function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eolgraph-migrations-'));
  tempDirs.push(dir);
  cpSync(migrationsDir, dir, { recursive: true });
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'migration.sql'), sql);
}

async function migrationError(promise: Promise<unknown>): Promise<MigrationError> {
  const err = await promise.then(
    () => expect.fail('migrate() should have thrown'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrationError);
  return err as MigrationError;
}

interface Backend {
  name: string;
  /** An empty database (no tables at all) and how to dispose of it. */
  empty(): Promise<{ db: Database; dispose(): Promise<void> }>;
}

let emptyPgliteDump: Promise<Blob> | null = null;
const backends: Backend[] = [
  {
    name: 'PostgreSQL',
    async empty() {
      const t = await createTestDatabase({ empty: true });
      return { db: t.db, dispose: t.drop };
    },
  },
  {
    name: 'PGlite',
    async empty() {
      // A fresh instance costs seconds (initdb); loading a dump of one costs a fraction of that.
      emptyPgliteDump ??= openPglite().then(async (fresh) => {
        const dump = await fresh.pglite!.dumpDataDir('none');
        await fresh.close();
        return dump;
      });
      const db = await openPglite({ loadDataDir: await emptyPgliteDump });
      return { db, dispose: () => db.close() };
    },
  },
];

describe('migrating an empty database', () => {
  const files = migrationFiles();

  async function expectMigratedOnce(db: Database) {
    expect(await migrate(db)).toEqual({ applied: files.map((f) => f.name), alreadyApplied: 0, repaired: [] });
    const expected = files.map((f) => ({ ...f, finished: true, steps: 1, rolledBack: false }));
    expect(await recorded(db)).toEqual(expected);
    expect(await tableExists(db, 'release_cycle')).toBe(true);

    expect(await migrate(db)).toEqual({ applied: [], alreadyApplied: files.length, repaired: [] });
    expect(await recorded(db)).toEqual(expected);
  }

  it('PostgreSQL: applies every migration once, recorded with Prisma checksums; a second run applies nothing', async () => {
    const t = await createTestDatabase({ empty: true });
    try {
      await expectMigratedOnce(t.db);
    } finally {
      await t.drop();
    }
  });

  it('PGlite (in memory): the same', async () => {
    const db = await openPglite();
    try {
      await expectMigratedOnce(db);
    } finally {
      await db.close();
    }
  });
});

describe('drift: the migrations produce exactly the schema in schema.prisma', () => {
  let fromPrisma: string[];

  beforeAll(async () => {
    // Database A: the SQL Prisma itself generates for schema.prisma.
    const { stdout: sql } = await run(process.execPath, ['scripts/prisma6-diff.mjs', '--from-empty'], {
      cwd: projectRoot,
      env: { ...process.env, PRISMA6_DIFF_URL: adminUrl },
    });
    const a = await createTestDatabase({ empty: true });
    try {
      await a.db.pool!.query(sql);
      fromPrisma = normaliseSchemaDump(await dumpSchema(a.url));
    } finally {
      await a.drop();
    }
    // Not vacuous: every model of schema.prisma is there.
    const models = [...readFileSync(join(projectRoot, 'prisma/schema.prisma'), 'utf8').matchAll(/@@map\("(\w+)"\)/g)];
    expect(models.length).toBeGreaterThan(0);
    for (const [, table] of models) expect(fromPrisma).toContain(`TABLE public.${table}`);
  }, 180_000);

  /** Database B (our migrate() on an empty database), changed by extraSql, compared with A. */
  async function compareWithPrisma(extraSql = '') {
    const b = await createTestDatabase({ empty: true });
    try {
      await migrate(b.db);
      if (extraSql) await b.db.pool!.query(extraSql);
      return schemaDifference(fromPrisma, normaliseSchemaDump(await dumpSchema(b.url)));
    } finally {
      await b.drop();
    }
  }

  it('matches, once what schema.prisma cannot express is set aside', async () => {
    expect(await compareWithPrisma()).toEqual({ missing: [], extra: [] });
  });

  it('sets aside any view, function, trigger, CHECK constraint or comment, not only the known ones', async () => {
    const diff = await compareWithPrisma(`
      CREATE VIEW product_names AS SELECT name FROM product;
      CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE TRIGGER product_again BEFORE UPDATE ON product FOR EACH ROW EXECUTE FUNCTION eolgraph_touch_row();
      ALTER TABLE identifier ADD CONSTRAINT identifier_short CHECK (length(value) < 1000);
      ALTER TABLE product_tag ADD CONSTRAINT product_tag_later CHECK (tag <> 'x') NOT VALID;
      COMMENT ON TABLE product IS 'products';`);
    expect(diff).toEqual({ missing: [], extra: [] });
  });

  // Each a drift the check must report, with what it reports.
  it.each([
    {
      drift: 'an added column',
      sql: 'ALTER TABLE product ADD COLUMN x int',
      missing: [],
      extra: ['public.product: x integer'],
    },
    {
      drift: 'a changed type',
      sql: 'ALTER TABLE product ALTER COLUMN stale_release_threshold_days TYPE bigint',
      missing: ['public.product: stale_release_threshold_days integer'],
      extra: ['public.product: stale_release_threshold_days bigint'],
    },
    {
      drift: 'a changed default',
      sql: 'ALTER TABLE product ALTER COLUMN eol_column SET DEFAULT false',
      missing: ['public.product: eol_column boolean DEFAULT true NOT NULL'],
      extra: ['public.product: eol_column boolean DEFAULT false NOT NULL'],
    },
    {
      drift: 'a changed nullability',
      sql: 'ALTER TABLE product ALTER COLUMN permalink DROP NOT NULL',
      missing: ['public.product: permalink text NOT NULL'],
      extra: ['public.product: permalink text'],
    },
    {
      drift: 'a dropped index',
      sql: 'DROP INDEX product_category_idx',
      missing: ['CREATE INDEX product_category_idx ON public.product USING btree (category);'],
      extra: [],
    },
    {
      drift: 'a unique index that is no longer unique',
      sql: `DROP INDEX release_cycle_product_id_name_key;
            CREATE INDEX release_cycle_product_id_name_key ON release_cycle (product_id, name)`,
      missing: [
        'CREATE UNIQUE INDEX release_cycle_product_id_name_key ON public.release_cycle USING btree (product_id, name);',
      ],
      extra: ['CREATE INDEX release_cycle_product_id_name_key ON public.release_cycle USING btree (product_id, name);'],
    },
    {
      drift: 'a dropped foreign key',
      sql: 'ALTER TABLE product_tag DROP CONSTRAINT product_tag_product_id_fkey',
      missing: [
        'ALTER TABLE ONLY public.product_tag ADD CONSTRAINT product_tag_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.product(id) ON UPDATE CASCADE ON DELETE CASCADE;',
      ],
      extra: [],
    },
    {
      drift: 'an added table',
      sql: 'CREATE TABLE extra (id int PRIMARY KEY)',
      missing: [],
      extra: [
        'ALTER TABLE ONLY public.extra ADD CONSTRAINT extra_pkey PRIMARY KEY (id);',
        'TABLE public.extra',
        'public.extra: id integer NOT NULL',
      ],
    },
  ])('reports $drift', async ({ sql, missing, extra }) => {
    expect(await compareWithPrisma(sql)).toEqual({ missing, extra });
  });
});

describe.each(backends)('a changed migration history ($name)', (backend) => {
  let db: Database;
  let dispose: (() => Promise<void>) | undefined;
  let dir: string;
  let files: { name: string; checksum: string }[];

  beforeAll(() => {
    files = migrationFiles();
  });

  // Each test starts from an empty database migrated from its own copy of the migrations.
  async function migratedCopy() {
    ({ db, dispose } = await backend.empty());
    dir = copyOfMigrations();
    await migrate(db, dir);
  }
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('refuses an applied migration whose file changed by one byte, naming it, before changing anything', async () => {
    await migratedCopy();
    const first = files[0]!.name;
    const path = join(dir, first, 'migration.sql');
    const bytes = readFileSync(path);
    const at = bytes.indexOf('CREATE');
    bytes[at] = 'c'.charCodeAt(0); // CREATE → cREATE: the same SQL to PostgreSQL, another file to Prisma
    writeFileSync(path, bytes);
    addMigration(dir, '29990101000000_pending', 'CREATE TABLE "pending_one" (id int);');
    const before = await snapshot(db);

    const err = await migrationError(migrate(db, dir));
    expect(err.message).toContain(`Migration ${first} was modified after it was applied`);
    expect(await snapshot(db)).toEqual(before);
    expect(await tableExists(db, 'pending_one')).toBe(false);
  });

  it('refuses a database that recorded a migration the files do not have', async () => {
    await migratedCopy();
    const last = files.at(-1)!.name;
    rmSync(join(dir, last), { recursive: true });
    addMigration(dir, '29990101000000_pending', 'CREATE TABLE "pending_one" (id int);');
    const before = await snapshot(db);

    const err = await migrationError(migrate(db, dir));
    expect(err.message).toContain(`The database has migration ${last}, which this version of eolgraph does not have`);
    expect(await snapshot(db)).toEqual(before);
    expect(await tableExists(db, 'pending_one')).toBe(false);
  });

  it('refuses a migration whose recorded run did not finish, until it is marked rolled back', async () => {
    await migratedCopy();
    const name = '29990101000000_half_done';
    addMigration(dir, name, 'CREATE TABLE "half_done" (id int);');
    // What Prisma leaves behind when a migration fails half-way.
    await db.execute(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, applied_steps_count)
       VALUES ('00000000-0000-0000-0000-000000000001', $1, $2, 'it failed', 0)`,
      [migrationFiles(dir).at(-1)!.checksum, name],
    );
    const before = await snapshot(db);

    const err = await migrationError(migrate(db, dir));
    expect(err.message).toContain(`Migration ${name} was started but did not finish`);
    expect(await snapshot(db)).toEqual(before);

    // The documented way out: repair by hand, mark the run rolled back, migrate again.
    await db.execute(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [name]);
    expect(await migrate(db, dir)).toEqual({ applied: [name], alreadyApplied: files.length, repaired: [] });
    expect(await tableExists(db, 'half_done')).toBe(true);
  });

  it('applies new migrations in name order and records them', async () => {
    await migratedCopy();
    // Written in the opposite order; the second needs the first.
    addMigration(dir, '29990102000000_second', 'ALTER TABLE "added" ADD COLUMN "note" text;');
    addMigration(dir, '29990101000000_first', 'CREATE TABLE "added" (id int);');

    const result = await migrate(db, dir);
    expect(result).toEqual({
      applied: ['29990101000000_first', '29990102000000_second'],
      alreadyApplied: files.length,
      repaired: [],
    });
    const all = migrationFiles(dir).map((f) => ({ ...f, finished: true, steps: 1, rolledBack: false }));
    expect(await recorded(db)).toEqual(all);
    expect(await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'added'`)).toEqual([
      { column_name: 'id' },
      { column_name: 'note' },
    ]);
  });

  it('rolls a failing migration back entirely and does not record it; those before it stay applied', async () => {
    await migratedCopy();
    addMigration(dir, '29990101000000_good', 'CREATE TABLE "good_one" (id int);');
    addMigration(
      dir,
      '29990102000000_bad',
      'CREATE TABLE "partial_one" (id int);\nINSERT INTO "no_such_table" VALUES (1);',
    );
    addMigration(dir, '29990103000000_later', 'CREATE TABLE "later_one" (id int);');

    const err = await migrationError(migrate(db, dir));
    expect(err.message).toMatch(/^Migration 29990102000000_bad failed and was rolled back: .*no_such_table/);
    expect(await tableExists(db, 'good_one')).toBe(true);
    expect(await tableExists(db, 'partial_one')).toBe(false);
    expect(await tableExists(db, 'later_one')).toBe(false);
    expect((await recorded(db)).map((r) => r.name)).toEqual([...files.map((f) => f.name), '29990101000000_good']);

    // Fixed, it applies with the ones after it.
    writeFileSync(join(dir, '29990102000000_bad', 'migration.sql'), 'CREATE TABLE "partial_one" (id int);');
    expect((await migrate(db, dir)).applied).toEqual(['29990102000000_bad', '29990103000000_later']);
  });
});

describe('two migrators at once on PostgreSQL', () => {
  it('both succeed and each migration is applied exactly once', async () => {
    const dir = copyOfMigrations();
    // A few more migrations, so that the two runs have more to interleave.
    for (const n of [1, 2, 3]) addMigration(dir, `2999010${n}000000_extra_${n}`, `CREATE TABLE "extra_${n}" (id int);`);
    const names = migrationFiles(dir).map((f) => f.name);
    const t = await createTestDatabase({ empty: true });
    const other = openPostgres({ url: t.url, poolSize: 2 });
    try {
      const results = await Promise.all([migrate(t.db, dir), migrate(other, dir)]);

      expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
      for (const r of results) expect(r.applied.length + r.alreadyApplied).toBe(names.length);
      expect(await recorded(t.db)).toEqual(
        migrationFiles(dir).map((f) => ({ ...f, finished: true, steps: 1, rolledBack: false })),
      );
      expect(await tableExists(t.db, 'extra_3')).toBe(true);
    } finally {
      await other.close();
      await t.drop();
    }
  });
});

describe('the service on a database whose migration history changed', () => {
  it('stops with the reason instead of retrying forever (waiting cannot fix it)', async () => {
    const { spawnService, killAllServices } = await import('../helpers/service-process.ts');
    const t = await createTestDatabase(); // migrated
    try {
      const [first] = migrationFiles();
      await t.db.execute(`UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2`, [
        '0'.repeat(64),
        first!.name,
      ]);
      const service = await spawnService({ DATABASE_URL: t.url });
      const exit = await Promise.race([
        service.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still running after 20 s')), 20_000)),
      ]);
      expect(exit).toEqual({ code: 1, signal: null });
      const fatal = service.logs().find((l) => l.msg === 'cannot prepare the database');
      expect(fatal?.level).toBe(60);
      expect(String(fatal?.err)).toContain(first!.name);
      expect(service.logs().filter((l) => l.msg === 'preparing the database failed; retrying')).toEqual([]);
    } finally {
      await killAllServices();
      await t.drop();
    }
  });
});
