// Chooses the database from the configuration: PostgreSQL when DATABASE_URL is set, else the
// embedded PGlite in PGLITE_DIR (locked to this process).
import type { Config } from '../config.ts';
import { openPglite, openPostgres, type Database } from './database.ts';

export type DatabaseConfig = Pick<Config, 'databaseUrl' | 'pgliteDir' | 'dbPoolSize'> &
  Partial<Pick<Config, 'dbStatementTimeoutMs' | 'dbConnectTimeoutMs'>>;

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres({
      url: config.databaseUrl,
      poolSize: config.dbPoolSize,
      statementTimeoutMs: config.dbStatementTimeoutMs ?? 0,
      connectTimeoutMs: config.dbConnectTimeoutMs ?? 3000,
    });
  }
  return openPglite({ dataDir: config.pgliteDir });
}
