// One process per embedded data directory. PGlite has no locking of its own, and two instances on
// one directory silently lose writes (and can corrupt it), so the directory is guarded by a lock
// file beside it that names the holder. A lock whose process is gone (or whose PID now belongs to
// a different process) is stale and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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

function readHolder(lockPath: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as LockHolder;
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

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
  let recoveredFrom: LockHolder | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(lockPath);
      if (holder && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
      // Stale: its process is gone. Remove it and try once more; if another process wins that
      // race, the second attempt finds its live lock and refuses.
      recoveredFrom = holder;
      try {
        unlinkSync(lockPath);
      } catch {
        /* someone else removed it first */
      }
      continue;
    }
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
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
  const holder = readHolder(lockPath);
  throw new DataDirLockedError(dataDir, holder ?? { ...me, pid: -1, command: 'unknown' });
}
