// One process per embedded data directory (src/db/pglite-lock.ts, taken by openPglite({ dataDir })):
// a live holder refuses every other opener, in this process or through the CLI; the lock of a
// killed holder is taken over and its data is intact; a reused PID does not keep a lock alive;
// openers starting at the same moment never both get the directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { acquireDataDirLock, DataDirLockedError, lockPathFor, type LockHolder } from '../../src/db/pglite-lock.ts';
import { projectRoot } from '../helpers/env.ts';
import { runImporterWith } from '../helpers/service-process.ts';

const tsx = join(projectRoot, 'node_modules/.bin/tsx');
const fixture = (name: string) => join(projectRoot, 'test/fixtures', name);

/** A child process whose stdout is read line by line. */
class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  private readonly lines: AsyncIterator<string>;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(command, args, { cwd: projectRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.proc.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.lines = createInterface({ input: this.proc.stdout! })[Symbol.asyncIterator]();
  }

  async line(): Promise<string> {
    const next = await this.lines.next();
    if (next.done) throw new Error(`the child process ended without the expected output; stderr:\n${this.stderr}`);
    return next.value;
  }
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eolgraph-lock-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const readLock = (dataDir: string) => JSON.parse(readFileSync(lockPathFor(dataDir), 'utf8')) as LockHolder;

function writeLock(dataDir: string, holder: Partial<LockHolder> & { pid: number }): void {
  const lock: LockHolder = {
    processStart: null,
    host: hostname(),
    command: 'an earlier process',
    since: '',
    ...holder,
  };
  writeFileSync(lockPathFor(dataDir), JSON.stringify(lock));
}

/** The PID of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('a data directory held by a live process', () => {
  const dataDir = join(tempDir(), 'pgdata');
  let holder: Child;
  let pid: number;

  beforeAll(async () => {
    // The holder opens the directory, migrates it, writes a product, then says "ready <pid>".
    holder = new Child(process.execPath, ['--import', 'tsx', fixture('hold-pglite.ts'), dataDir]);
    const ready = await holder.line();
    expect(ready).toBe(`ready ${holder.proc.pid}`);
    pid = holder.proc.pid!;
  });
  afterAll(() => {
    holder.proc.kill('SIGKILL');
  });

  it('refuses a second opener at once with DataDirLockedError naming the holder, and leaves its lock alone', async () => {
    const lockBefore = readFileSync(lockPathFor(dataDir), 'utf8');
    const err = await openPglite({ dataDir }).then(
      () => expect.fail('the second openPglite() should have been refused'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as DataDirLockedError).message).toContain(`in use by process ${pid} `);
    expect((err as DataDirLockedError).holder.pid).toBe(pid);
    expect(readFileSync(lockPathFor(dataDir), 'utf8')).toBe(lockBefore);
  });

  it('refuses the migrate CLI too: exit code 2, the holder PID on stderr', async () => {
    const cli = new Child(tsx, ['src/db/migrate-cli.ts'], { ...process.env, DATABASE_URL: '', PGLITE_DIR: dataDir });
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr).toContain(`in use by process ${pid} `);
    expect(readLock(dataDir).pid).toBe(pid);
  });

  it('refuses a real import, but an import --dry-run validates anyway (compared with nothing stored) and says so', async () => {
    const env = { PGLITE_DIR: dataDir };
    const seed = join(projectRoot, 'seeds/go.md');
    const real = await runImporterWith(env, [seed]);
    expect(real.code).toBe(2);
    expect(real.stderr).toContain(`in use by process ${pid} `);

    const dry = await runImporterWith(env, [seed, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`note: the embedded database is in use by process ${pid}`);
    expect(dry.stdout).toMatch(/created: 1, updated: 0, unchanged: 0, rejected: 0/);
    expect(readLock(dataDir).pid).toBe(pid);
  });

  it('is taken over once the holder is killed with SIGKILL, with the data it wrote intact', async () => {
    holder.proc.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');
    expect(readLock(dataDir).pid).toBe(pid); // left behind, stale

    const db = await openPglite({ dataDir });
    try {
      expect(db.lock?.recoveredFrom?.pid).toBe(pid);
      expect(readLock(dataDir).pid).toBe(process.pid);
      expect(await db.query(`SELECT name FROM product`)).toEqual([{ name: 'written-by-holder' }]);
      expect((await migrate(db)).applied).toEqual([]);
    } finally {
      await db.close();
    }
    expect(existsSync(lockPathFor(dataDir))).toBe(false);
  });
});

describe('a lock whose PID is alive', () => {
  let sleeper: ChildProcess;
  beforeAll(() => {
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)']);
  });
  afterAll(() => {
    sleeper.kill('SIGKILL');
  });

  /** Field 22 of /proc/<pid>/stat: the process start time, counted after the command name. */
  const startOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;

  it('is live when the process start time matches', () => {
    const dataDir = join(tempDir(), 'pgdata');
    writeLock(dataDir, { pid: sleeper.pid!, processStart: startOf(sleeper.pid!) });
    expect(() => acquireDataDirLock(dataDir)).toThrow(DataDirLockedError);
    expect(readLock(dataDir).pid).toBe(sleeper.pid);
  });

  it('is stale when the PID now belongs to a process started at another time', () => {
    const dataDir = join(tempDir(), 'pgdata');
    writeLock(dataDir, { pid: sleeper.pid!, processStart: `${Number(startOf(sleeper.pid!)) - 1}` });
    const lock = acquireDataDirLock(dataDir);
    try {
      expect(lock.recoveredFrom?.pid).toBe(sleeper.pid);
      expect(readLock(dataDir).pid).toBe(process.pid);
      expect(() => process.kill(sleeper.pid!, 0)).not.toThrow(); // the PID really is alive
    } finally {
      lock.release();
    }
  });
});

describe('openers starting at the same moment', () => {
  it('never both get the directory, whether it was free or held by a dead process', async () => {
    const rounds = 20;
    const dataDirs = Array.from({ length: rounds }, () => join(tempDir(), 'pgdata'));
    // Every other directory starts with the lock of a process that died.
    dataDirs.forEach((dir, i) => i % 2 === 1 && writeLock(dir, { pid: deadPid(), processStart: '1' }));
    const openers = Array.from(
      { length: 4 },
      () => new Child(process.execPath, ['--import', 'tsx', fixture('lock-race.ts'), ...dataDirs]),
    );
    try {
      for (const o of openers) expect(await o.line()).toBe('ready');
      const go = `go ${process.hrtime.bigint() + 300_000_000n} 40\n`;
      for (const o of openers) o.proc.stdin!.write(go);
      const taken = await Promise.all(openers.map(async (o) => JSON.parse(await o.line()) as boolean[]));

      const holdersPerDir = dataDirs.map((_, i) => taken.filter((t) => t[i]).length);
      expect(holdersPerDir).toEqual(dataDirs.map(() => 1));
      for (const [i, dir] of dataDirs.entries()) {
        expect(readLock(dir).pid).toBe(openers[taken.findIndex((t) => t[i])]!.proc.pid);
      }
    } finally {
      for (const o of openers) o.proc.stdin!.end();
      await Promise.all(openers.map((o) => o.exited));
    }
  });
});

describe('an import --dry-run where no embedded database exists yet', () => {
  it('validates and compares with an empty database, and creates nothing', async () => {
    const dataDir = join(tempDir(), 'not-created');
    const broken = join(tempDir(), 'broken.md');
    writeFileSync(broken, '---\ntitle: Broken\nreleases: not a list\n---\n');
    const dry = await runImporterWith({ PGLITE_DIR: dataDir }, [join(projectRoot, 'seeds/go.md'), broken, '--dry-run']);
    expect(dry.code).toBe(1); // the broken document is reported as it would be on a real run
    expect(dry.stdout).toContain(`note: no embedded database at ${dataDir} yet: compared with an empty one`);
    expect(dry.stdout).toMatch(/created: 1, updated: 0, unchanged: 0, rejected: 1/);
    expect(dry.stdout).toContain(`rejected ${broken}:`);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(lockPathFor(dataDir))).toBe(false);
  });
});
