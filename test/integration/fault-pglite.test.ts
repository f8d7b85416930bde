// The embedded database under the real service process: a service killed with SIGKILL (no
// shutdown, its lock file left behind) restarts cleanly on the same PGLITE_DIR with its data
// intact, and a second service started on a directory that a live one holds is refused at once,
// naming the holder's PID, and exits non-zero without ever listening.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPathFor, type LockHolder } from '../../src/db/pglite-lock.ts';
import { removeDir, tempDir } from '../helpers/documents.ts';
import {
  ESCAPED_ERRORS,
  killAllServices,
  spawnService,
  startReadyService,
  type ServiceProcess,
} from '../helpers/service-process.ts';

const CATALOGUE = `{ products(first: 500, asOf: "2024-01-01") {
  totalCount nodes { name label releaseCount releases { name eolFrom isMaintained } } } }`;

afterAll(killAllServices);

describe('a service on PGLITE_DIR', () => {
  let dir: string;
  let dataDir: string;
  let first: ServiceProcess;
  let second: ServiceProcess;
  let intruder: ServiceProcess;
  let intruderStarted = 0;
  let catalogue: unknown;
  const readLock = () => JSON.parse(readFileSync(lockPathFor(dataDir), 'utf8')) as LockHolder;

  beforeAll(async () => {
    dir = tempDir('pglite-service');
    dataDir = join(dir, 'pgdata');
    // Created, migrated and seeded on first start.
    first = await startReadyService({ PGLITE_DIR: dataDir }, 60_000);
  });
  afterAll(async () => {
    await killAllServices();
    removeDir(dir);
  });

  it('on a new directory: created, migrated and seeded, with its caches on from the start', async () => {
    // The change feed is created before the migrations make its triggers: its first check found
    // them missing, and the caches stayed off until the check ran again after migrating.
    const QUERY = '{ product(name: "nodejs") { name releases { name isEol } } }';
    expect((await first.gql(QUERY)).headers.get('x-cache')).toBe('MISS');
    expect((await first.gql(QUERY)).headers.get('x-cache')).toBe('HIT');
    expect(first.logs().filter((l) => l.msg === 'change notifications lost: caches off until they are back')).toEqual(
      [],
    );
  });

  it('is killed with SIGKILL while answering, leaving its lock behind', async () => {
    const r = await first.gql(CATALOGUE);
    expect(r.body.errors).toBeUndefined();
    catalogue = r.body.data;
    expect((catalogue as { products: { totalCount: number } }).products.totalCount).toBe(23);
    expect(readLock().pid).toBe(first.pid);

    const inFlight = Array.from({ length: 5 }, () => first.gql(CATALOGUE).catch((e: Error) => e));
    await new Promise((r) => setTimeout(r, 20));
    expect((await first.stop('SIGKILL')).signal).toBe('SIGKILL');
    await Promise.all(inFlight);
    expect(existsSync(lockPathFor(dataDir))).toBe(true);
    expect(readLock().pid).toBe(first.pid); // stale: its process is gone
  });

  it('restarts cleanly on the same directory: the stale lock is taken over and the data is intact', async () => {
    second = await spawnService({ PGLITE_DIR: dataDir });
    // Once it has opened the directory it is the live holder: a second service is started on the
    // same directory right then (and looked at in the next test), while this one finishes starting.
    await second.waitForLog((l) => l.msg === 'database', 60_000);
    intruderStarted = performance.now();
    intruder = await spawnService({ PGLITE_DIR: dataDir });
    await second.ready(60_000);
    expect(readLock().pid).toBe(second.pid);
    // The products were there: nothing was imported again.
    expect(second.logs().some((l) => l.msg === 'imported the seeds into the empty database')).toBe(false);
    const r = await second.gql(CATALOGUE);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual(catalogue);
    // Nothing went wrong while starting: no warning, no error.
    expect(second.logs().filter((l) => l.level >= 40)).toEqual([]);
  });

  it('a second service on the live directory is refused at once, naming the holder, and exits non-zero', async () => {
    const exit = await intruder.exited;
    expect(exit.code).toBe(1);
    // Refused when it opened the directory: before PGlite started and before listening.
    expect(performance.now() - intruderStarted).toBeLessThan(10_000);
    expect(intruder.logs().some((l) => l.msg === 'database' || l.msg === 'listening')).toBe(false);
    expect(intruder.stderr).toContain(`The embedded database ${dataDir} is in use by process ${second.pid} `);
    const fatal = intruder.logs().find((l) => l.level === 60)!;
    expect(fatal.msg).toContain(`in use by process ${second.pid} `);
    await expect(fetch(`http://127.0.0.1:${intruder.port}/healthz`)).rejects.toThrow();

    // The holder is untouched: same lock, still serving.
    expect(readLock().pid).toBe(second.pid);
    const r = await second.gql(CATALOGUE);
    expect(r.body.data).toEqual(catalogue);
  });

  it('the holder shuts down cleanly and releases the lock', async () => {
    expect((await second.stop('SIGTERM')).code).toBe(0);
    expect(existsSync(lockPathFor(dataDir))).toBe(false);
    expect(second.output()).not.toMatch(ESCAPED_ERRORS);
    expect(second.stderr).toBe('');
  });
});
