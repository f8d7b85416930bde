// One process per embedded data directory. PGlite has no locking of its own, and two instances on
// one directory silently lose writes (and can corrupt it), so the directory is guarded by a lock
// file beside it that names the holder. A lock whose process is gone (or whose PID now belongs to
// a different process) is stale and taken over.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export interface LockHolder {
  pid: number;
  /** Process start time from /proc (Linux), to tell a live holder from a reused PID. */
  processStart: string | null;
  host: string;
  command: string;
  since: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded database ${dataDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.since}). ` +
        'Only one process may open it: stop that process, or point this one at PostgreSQL with DATABASE_URL.',
    );
    this.name = 'DataDirLockedError';
  }
}

function processStart(pid: number): string | null {
  try {
    // Field 22 of /proc/<pid>/stat is the start time in clock ticks since boot; the command name
    // (field 2) may contain spaces, so count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // cannot check another machine: assume it is live
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return true;
    return false;
  }
  if (holder.processStart === null) return true;
  return processStart(holder.pid) === holder.processStart;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function parseHolder(text: string | null): LockHolder | null {
  try {
    return JSON.parse(text ?? '') as LockHolder;
  } catch {
    return null; // gone or unreadable: treated as stale
  }
}

const readHolder = (path: string) => parseHolder(readText(path));

/**
 * Creates path holding text, or returns false if it exists. Atomic (a hard link to a complete
 * temporary file): another opener never sees a half-written lock, which it would take for stale.
 */
function createExclusive(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Replaces a stale lock (whose content was `seen`) by ours, or throws DataDirLockedError. Checking
 * and removing are two steps, so two openers doing it at once could each remove the lock the other
 * had just taken: a guard file lets one opener at a time do it, and it removes the lock only if it
 * is still the stale one. (A guard left by an opener killed within those microseconds is stale in
 * turn and cleared.)
 */
function replaceStaleLock(dataDir: string, lockPath: string, seen: string | null, text: string): void {
  const guardPath = `${lockPath}.takeover`;
  const refuse = (path: string) => new DataDirLockedError(dataDir, readHolder(path) ?? unknownHolder);
  if (!createExclusive(guardPath, text)) {
    const taker = readHolder(guardPath);
    if (taker && isAlive(taker)) throw new DataDirLockedError(dataDir, taker);
    rmSync(guardPath, { force: true });
    if (!createExclusive(guardPath, text)) throw refuse(guardPath);
  }
  try {
    if (readText(lockPath) === seen) rmSync(lockPath, { force: true });
    if (!createExclusive(lockPath, text)) throw refuse(lockPath);
  } finally {
    if (readText(guardPath) === text) rmSync(guardPath, { force: true });
  }
}

const unknownHolder: LockHolder = { pid: -1, processStart: null, host: '', command: 'unknown', since: '' };

export interface DataDirLock {
  readonly path: string;
  /** What the lock found and replaced, if the previous holder had died. */
  readonly recoveredFrom: LockHolder | null;
  release(): void;
}

export function lockPathFor(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}.lock`;
}

/** Takes the lock for dataDir or throws DataDirLockedError at once. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockPath = lockPathFor(dataDir);
  mkdirSync(dirname(lockPath), { recursive: true });
  const me: LockHolder = {
    pid: process.pid,
    processStart: processStart(process.pid),
    host: hostname(),
    command: process.argv.slice(1).join(' ').slice(0, 200) || 'node',
    since: new Date().toISOString(),
  };
  const text = JSON.stringify(me);
  let recoveredFrom: LockHolder | null = null;
  if (!createExclusive(lockPath, text)) {
    const seen = readText(lockPath);
    const holder = parseHolder(seen);
    if (holder && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    // Stale: its process is gone.
    replaceStaleLock(dataDir, lockPath, seen, text);
    recoveredFrom = holder;
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    const holder = readHolder(lockPath);
    if (holder && holder.pid === me.pid && holder.since === me.since) {
      try {
        unlinkSync(lockPath);
      } catch {
        /* already gone */
      }
    }
  };
  process.on('exit', release);
  return { path: lockPath, recoveredFrom, release };
}
