// npm run studio [-- prisma studio options, e.g. --port 5556 --browser none]
// Opens Prisma Studio on the configured database:
// - DATABASE_URL set: Studio connects to PostgreSQL directly.
// - embedded database: only one process may open its directory, so Studio goes through the
//   process that holds it. When the service runs, it already serves its PGlite instance on
//   127.0.0.1:STUDIO_PORT (pglite-socket); otherwise this script opens the directory itself and
//   serves it the same way while Studio runs.
// Edits made in Studio are admin edits: the importer will not overwrite them (see the README).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { loadConfig } from '../src/config.ts';
import { openPglite, type Database } from '../src/db/database.ts';
import { serveForStudio } from '../src/db/studio-socket.ts';
import { migrate } from '../src/db/migrate.ts';
import { lockPathFor, type LockHolder } from '../src/db/pglite-lock.ts';

const config = loadConfig();
const extra = process.argv.slice(2);

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

function runStudio(url: string): Promise<number> {
  const safe = url.replace(/:[^:@/]*@/, ':***@');
  console.log(`Prisma Studio on ${safe}`);
  const child = spawn(
    process.execPath,
    [new URL('./prisma.mjs', import.meta.url).pathname, 'studio', '--url', url, ...extra],
    {
      stdio: 'inherit',
    },
  );
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
}

async function main(): Promise<number> {
  if (config.databaseUrl) return runStudio(config.databaseUrl);

  const studioUrl = `postgresql://postgres@127.0.0.1:${config.studioPort}/postgres`;
  const lockPath = lockPathFor(config.pgliteDir);
  if (existsSync(lockPath)) {
    const holder = JSON.parse(readFileSync(lockPath, 'utf8')) as LockHolder;
    let alive = true;
    try {
      process.kill(holder.pid, 0);
    } catch {
      alive = false;
    }
    if (alive) {
      if (config.studioPort > 0 && (await canConnect(config.studioPort))) return runStudio(studioUrl);
      console.error(
        `The embedded database is held by process ${holder.pid} (${holder.command}), which does not serve it on ` +
          `127.0.0.1:${config.studioPort}. Start the service with the same STUDIO_PORT (not 0), or stop it and run npm run studio again.`,
      );
      return 2;
    }
  }
  if (config.studioPort === 0) {
    console.error('STUDIO_PORT is 0: set a loopback port for the embedded database (default 5488).');
    return 2;
  }
  // Nobody holds the directory: hold it ourselves for as long as Studio runs.
  const db: Database = await openPglite({ dataDir: config.pgliteDir });
  try {
    await migrate(db);
    // Served as the service serves it (src/db/studio-socket.ts): Studio's connections take turns
    // a whole transaction at a time.
    const server = await serveForStudio(db.pglite!, {
      port: config.studioPort,
      idleInTransactionMs: config.studioIdleInTransactionMs,
    });
    try {
      return await runStudio(studioUrl);
    } finally {
      await server.stop();
    }
  } finally {
    await db.close();
  }
}

process.exitCode = await main();
