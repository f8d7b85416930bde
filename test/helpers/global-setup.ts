// Once per test run: a migrated template database, so each test file can get a fresh migrated
// database in milliseconds (CREATE DATABASE … TEMPLATE).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { adminUrl } from './env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

// A name of its own per run: two runs at once (two sessions, CI and a developer) must not drop
// each other's template.
const templateDatabase = `eolgraph_test_template_${randomBytes(4).toString('hex')}`;

async function dropTemplate(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `The tests need PostgreSQL at ${adminUrl} (set TEST_DATABASE_URL to change it): ${(err as Error).message}`,
    );
  }
  try {
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
  project.provide('templateDatabase', templateDatabase);
  return dropTemplate;
}
