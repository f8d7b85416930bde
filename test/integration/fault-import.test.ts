// An import killed in the middle of writing (SIGKILL: no cleanup of any kind) leaves every product
// either entirely as it was or entirely as the new documents say, because each product is written
// in one transaction; running the import again completes it.
//
// Version A is every other document of the endoflife.date corpus (232 real documents: half the
// corpus keeps the test fast and is as good a sample), copied; version B changes every one of them
// in four tables: the title (product), a tag (product_tag), an identifier (identifier) and one
// cycle's eol (release_cycle). The importer command runs on B as a child process and is killed once some
// products are B.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { removeDir, runImport, tempDir } from '../helpers/documents.ts';
import { stateOf, writeVersions } from '../helpers/import-versions.ts';
import { runImporter } from '../helpers/service-process.ts';
import { noCorpus, projectRoot } from '../helpers/env.ts';

describe.skipIf(noCorpus('the interrupted import'))('an import killed with SIGKILL in the middle of writing', () => {
  let t: TestDatabase;
  let dirA: string;
  let dirB: string;
  let stateA: Map<string, string>;
  let atKill: Map<string, string>;
  let bAtKill: string[];

  beforeAll(async () => {
    t = await createTestDatabase();
    dirA = tempDir('import-a');
    dirB = tempDir('import-b');
    const files = writeVersions(dirA, dirB);
    const a = await runImport(t.db, [dirA]);
    expect(a.rejected).toEqual([]);
    expect(a.created).toHaveLength(files.length);
    stateA = await stateOf(t.db);
  });
  afterAll(async () => {
    removeDir(dirA);
    removeDir(dirB);
    await t?.drop();
  });

  it('is killed while writing B: some products are already B, others still A', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/importer/cli.ts', dirB], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    // Watch the products become B, from outside, and kill the importer when 20 of them are.
    const watcher = new pg.Client({ connectionString: t.url });
    await watcher.connect();
    try {
      let b = 0;
      while (b < 20) {
        if (child.exitCode !== null) throw new Error(`the import ended before it could be killed:\n${stdout}`);
        const r = await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM product WHERE label LIKE 'Import B %'`,
        );
        b = r.rows[0]!.n;
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(stdout).toBe(''); // it never got to its report
    } finally {
      await watcher.end();
    }

    atKill = await stateOf(t.db);
    bAtKill = [...atKill].filter(([, s]) => s.includes('"label": "Import B ')).map(([n]) => n);
    expect(atKill.size).toBe(stateA.size);
    expect(bAtKill.length).toBeGreaterThanOrEqual(20);
    expect(bAtKill.length).toBeLessThan(stateA.size);
  });

  it('importing again completes it: the rest is updated, what was already B is unchanged', async () => {
    const r = await runImporter(t.url, [dirB]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = r.stdout.split('\n')[0]!;
    expect(summary).toContain(`${stateA.size} documents`);
    expect(summary).toContain(
      `created: 0, updated: ${stateA.size - bAtKill.length}, unchanged: ${bAtKill.length}, rejected: 0`,
    );
  });

  it('at the kill, every product was entirely A or entirely B, in every table', async () => {
    const stateB = await stateOf(t.db);
    expect(stateB.size).toBe(stateA.size);
    const mixed: string[] = [];
    for (const [name, a] of stateA) {
      const b = stateB.get(name)!;
      expect(b, name).toContain('"label": "Import B ');
      // Version B differs from A in each of the four tables, so "equal to one of them" is strict.
      const parsedA = JSON.parse(a) as Record<string, unknown>;
      const parsedB = JSON.parse(b) as Record<string, unknown>;
      for (const key of ['label', 'tags', 'identifiers', 'cycles']) {
        expect(JSON.stringify(parsedB[key]), `${name}: ${key}`).not.toBe(JSON.stringify(parsedA[key]));
      }
      const killed = atKill.get(name)!;
      if (killed !== a && killed !== b) mixed.push(name);
    }
    expect(mixed).toEqual([]);
    // And the products that were B at the kill are exactly those that did not need writing again.
    for (const name of bAtKill) expect(atKill.get(name)).toBe(stateB.get(name));
  });
});
