// Where the tests find PostgreSQL and the shared corpus. (Tests read the environment directly;
// src/config.ts is the service's only reader.)
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const projectRoot = resolve(new URL('../..', import.meta.url).pathname);

/** A PostgreSQL URL with rights to create databases; each test file creates its own. */
export const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Redis for the shared response cache tests; each test uses its own key prefix and deletes it. */
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const corpusDir = resolve(projectRoot, '../shared/corpus/endoflife-2026-08/products');
export const hasCorpus = existsSync(corpusDir);
export const sharedDir = resolve(projectRoot, '../shared');

/** Use as describe.skipIf(noCorpus('what needs it'))(...): prints why when it skips. */
export function noCorpus(what: string): boolean {
  if (!hasCorpus) {
    console.warn(
      `SKIPPED ${what}: the endoflife.date corpus is not at ${corpusDir} (it lives in ../shared beside the repository)`,
    );
  }
  return !hasCorpus;
}

export const seedsDir = resolve(projectRoot, 'seeds');
