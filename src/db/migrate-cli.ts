// npm run db:migrate [-- --status]: applies pending migrations (or only reports, with --status).
// Exit codes: 0 up to date, 1 a migration problem (tampered, failed, unknown), 2 cannot connect.
import { runCli } from '../cli.ts';
import { loadConfig } from '../config.ts';
import type { Database } from './database.ts';
import { migrate, MigrationError, migrationStatus } from './migrate.ts';
import { openDatabase } from './open.ts';
import { DataDirLockedError } from './pglite-lock.ts';

async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  let db: Database | null = null;
  try {
    db = await openDatabase(config);
    if (argv.includes('--status')) {
      const s = await migrationStatus(db);
      console.log(`${db.description}: ${s.applied.length} applied, ${s.pending.length} pending`);
      for (const name of s.pending) console.log(`  pending ${name}`);
      for (const p of s.problems) console.error(p);
      return s.problems.length > 0 ? 1 : 0;
    }
    const r = await migrate(db);
    console.log(
      r.applied.length > 0
        ? `${db.description}: applied ${r.applied.join(', ')} (${r.alreadyApplied} were already applied)`
        : `${db.description}: up to date (${r.alreadyApplied} migrations applied)`,
    );
    if (r.repaired.length > 0) console.log(`enabled ALWAYS again: ${r.repaired.join(', ')}`);
    return 0;
  } catch (err) {
    if (err instanceof MigrationError) {
      console.error(err.message);
      return 1;
    }
    console.error(
      err instanceof DataDirLockedError
        ? err.message
        : `cannot migrate ${db?.description ?? ''}: ${(err as Error).message}`,
    );
    return 2;
  } finally {
    await db?.close();
  }
}

await runCli(main);
