#!/usr/bin/env node
// Runs the Prisma 7 CLI for the commands that work without Prisma's native engines (generate,
// studio). Every Prisma CLI command first looks for the native schema engine and tries to download
// it from Prisma's own host, which these machines cannot reach; pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that. (migrate/db commands would need the
// real engine: eolgraph applies its migrations itself, see src/db/migrate.ts.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = existsSync('/bin/false') ? '/bin/false' : process.execPath;
}
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
