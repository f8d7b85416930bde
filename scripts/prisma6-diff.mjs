#!/usr/bin/env node
// Turns prisma/schema.prisma into SQL with Prisma 6's WASM schema engine, because Prisma 7's migrate
// commands need a native engine that no npm or Debian package ships (see README, "Migrations").
//
//   node scripts/prisma6-diff.mjs --from-empty        SQL for the whole schema (the CI drift check)
//   node scripts/prisma6-diff.mjs --from-git [REV]    SQL from schema.prisma as committed at REV
//                                                     (default HEAD) to the working copy: the
//                                                     body of the next migration
//
// Prisma 6's JS engine opens a connection even for a pure schema-to-schema diff (it reads nothing
// from it), so it needs a reachable PostgreSQL: PRISMA6_DIFF_URL, else DATABASE_URL, else
// postgresql://postgres@127.0.0.1:5432/postgres. (--from-migrations would need a shadow database,
// and Prisma 6's introspection through adapter-pg 7 fails on this schema's triggers.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
if (mode !== '--from-empty' && mode !== '--from-git') {
  console.error('usage: prisma6-diff.mjs --from-empty | --from-git [REV]');
  process.exit(2);
}
const url = process.env.PRISMA6_DIFF_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const work = mkdtempSync(join(tmpdir(), 'eolgraph-prisma6-'));
try {
  // Prisma 6 wants a url in the datasource block and the classic generator; Prisma 7 forbids the
  // url. Give Prisma 6 a copy with a placeholder url (the adapter below is what it really uses).
  const forPrisma6 = (text) =>
    text
      .replace(
        /provider\s*=\s*"postgresql"/,
        'provider = "postgresql"\n  url = "postgresql://placeholder@localhost/placeholder"',
      )
      .replace(/generator client \{[^}]*\}/s, 'generator client {\n  provider = "prisma-client-js"\n}');
  writeFileSync(join(work, 'schema.prisma'), forPrisma6(readFileSync(join(root, 'prisma/schema.prisma'), 'utf8')));
  if (mode === '--from-git') {
    const rev = process.argv[3] ?? 'HEAD';
    const old = execFileSync('git', ['show', `${rev}:prisma/schema.prisma`], { cwd: root, encoding: 'utf8' });
    writeFileSync(join(work, 'old.prisma'), forPrisma6(old));
  }
  const adapterModule = pathToFileURL(join(root, 'node_modules/@prisma/adapter-pg/dist/index.mjs')).href;
  writeFileSync(
    join(work, 'prisma.config.mjs'),
    `import { defineConfig } from ${JSON.stringify(pathToFileURL(join(root, 'node_modules/prisma6/config.js')).href)};
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'schema.prisma',
  async adapter() {
    const { PrismaPg } = await import(${JSON.stringify(adapterModule)});
    return new PrismaPg({ connectionString: ${JSON.stringify(url)} });
  },
});
`,
  );
  const from = mode === '--from-empty' ? ['--from-empty'] : ['--from-schema-datamodel', 'old.prisma'];
  const sql = execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/prisma6/build/index.js'),
      'migrate',
      'diff',
      '--config',
      'prisma.config.mjs',
      ...from,
      '--to-schema-datamodel',
      'schema.prisma',
      '--script',
    ],
    {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false',
        PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? '/dev/null',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
      },
    },
  );
  process.stdout.write(sql);
} catch (err) {
  process.stderr.write(String(err.stderr ?? err.message) + '\n');
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
