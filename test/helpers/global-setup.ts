// Once per test run: a migrated template database, so each test file can get a fresh migrated
// database in milliseconds (CREATE DATABASE … TEMPLATE).
import pg from 'pg';
import { openPostgres } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { adminUrl, templateDatabase } from './env.ts';

export default async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `The tests need PostgreSQL at ${adminUrl} (set TEST_DATABASE_URL to change it): ${(err as Error).message}`,
    );
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${templateDatabase}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${templateDatabase}`;
  const db = openPostgres({ url: url.toString(), poolSize: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
}
