// npm run bench:import [-- --runs N] [--pglite-dir]
// Imports the whole endoflife.date corpus into an empty database, then again unchanged, N times on
// PostgreSQL (a fresh database per run, created and dropped under BENCH_DATABASE_URL) and on PGlite
// (in memory; with --pglite-dir also in a temporary data directory). Each database is measured in
// its own child process, so that its peak RSS is its own. Prints a table and writes it, with the
// machine and versions, to bench/results/import-<date>.md. The issue's targets are for PostgreSQL:
// first import < 5 s, unchanged re-import < 2 s.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { variables } from '../src/config.ts';
import { openPglite, openPostgres, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { totalStatements } from '../src/db/statements.ts';
import { importDocuments } from '../src/importer/import.ts';

const root = resolve(import.meta.dirname, '..');
const corpusDir = resolve(root, '../shared/corpus/endoflife-2026-08/products');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const targetsMs = { first: 5000, unchanged: 2000 };

const { values: args } = parseArgs({
  options: { runs: { type: 'string' }, 'pglite-dir': { type: 'boolean', default: false }, worker: { type: 'string' } },
});
if (args.runs !== undefined && !/^[1-9]\d*$/.test(args.runs)) {
  console.error(`--runs wants a positive integer, got "${args.runs}"`);
  process.exit(2);
}
if (!existsSync(corpusDir)) {
  console.error(`The corpus is not at ${corpusDir} (it lives in ../shared beside the repository): nothing to import.`);
  process.exit(2);
}

async function admin<T>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

/** An empty, migrated database, and how to get rid of it. */
type Open = () => Promise<{ db: Database; dispose(): Promise<void> }>;

const openers: Record<string, Open> = {
  async PostgreSQL() {
    const name = `eolgraph_bench_${randomBytes(4).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    const db = openPostgres({ url: Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString() });
    const dispose = async () => {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    };
    await migrate(db).catch(async (err: unknown) => {
      await dispose();
      throw err;
    });
    return { db, dispose };
  },
  async 'PGlite (memory)'() {
    const db = await openPglite();
    await migrate(db);
    return { db, dispose: () => db.close() };
  },
  async 'PGlite (data dir)'() {
    const dir = mkdtempSync(join(tmpdir(), 'eolgraph-bench-'));
    const db = await openPglite({ dataDir: join(dir, 'pgdata') });
    await migrate(db);
    const dispose = async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
    return { db, dispose };
  },
};

interface Sample {
  ms: number;
  statements: number;
  documents: number;
  created: number;
  written: number;
  rejected: number;
}

async function importCorpus(db: Database): Promise<Sample> {
  const before = totalStatements();
  const started = performance.now();
  const r = await importDocuments(db, {
    paths: [corpusDir],
    root,
    limits: {
      maxBytes: variables.importMaxDocumentBytes.default,
      maxYamlNodes: variables.importMaxYamlNodes.default,
    },
  });
  const ms = performance.now() - started;
  const statements = totalStatements() - before;
  const written = r.created.length + r.updated.length;
  return { ms, statements, documents: r.documents, created: r.created.length, written, rejected: r.rejected.length };
}

interface Result {
  database: string;
  first: Sample[];
  unchanged: Sample[];
  peakRssMb: number;
}

/** In the child process: every run of one database. */
async function measure(database: string, runs: number): Promise<Result> {
  const result: Result = { database, first: [], unchanged: [], peakRssMb: 0 };
  for (let run = 1; run <= runs; run++) {
    const { db, dispose } = await openers[database]!();
    try {
      const first = await importCorpus(db);
      const unchanged = await importCorpus(db);
      if (first.created === 0 || unchanged.written > 0)
        throw new Error('first import wrote nothing, or the second wrote');
      result.first.push(first);
      result.unchanged.push(unchanged);
      console.error(`${database} run ${run}/${runs}: first ${fmt(first.ms)}, unchanged ${fmt(unchanged.ms)}`);
    } finally {
      await dispose();
    }
  }
  result.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024); // kilobytes on Linux
  return result;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function table(results: Result[]): string {
  const lines = [
    '| database | import | runs | median | min – max | statements | peak RSS | target | median / target |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    for (const phase of ['first', 'unchanged'] as const) {
      const ms = r[phase].map((s) => s.ms);
      const statements = [...new Set(r[phase].map((s) => s.statements))].join(' / ');
      const targeted = r.database === 'PostgreSQL';
      const target = targeted ? `< ${fmt(targetsMs[phase])}` : '—';
      const ratio = targeted ? (median(ms) / targetsMs[phase]).toFixed(2) : '—';
      const range = `${fmt(Math.min(...ms))} – ${fmt(Math.max(...ms))}`;
      lines.push(
        `| ${r.database} | ${phase} | ${ms.length} | ${fmt(median(ms))} | ${range} | ${statements} | ` +
          `${r.peakRssMb} MB | ${target} | ${ratio} |`,
      );
    }
  }
  return lines.join('\n');
}

if (args.worker) {
  const result = await measure(args.worker, Number(args.runs));
  process.stdout.write(JSON.stringify(result));
} else {
  const plan: [string, number][] = [
    ['PostgreSQL', Number(args.runs ?? 5)],
    ['PGlite (memory)', Number(args.runs ?? 3)],
    ...(args['pglite-dir'] ? [['PGlite (data dir)', Number(args.runs ?? 3)] as [string, number]] : []),
  ];
  const loadBefore = loadavg()[0]!.toFixed(2);
  const results = plan.map(([database, runs]) => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', import.meta.filename, '--worker', database, '--runs', String(runs)],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(`the ${database} runs failed (exit ${child.status ?? child.signal})`);
    return JSON.parse(child.stdout) as Result;
  });

  const pgVersion = (await admin<{ server_version: string }>('SHOW server_version'))[0]!.server_version;
  const pglitePackage = join(root, 'node_modules/@electric-sql/pglite/package.json');
  const pgliteVersion = (JSON.parse(readFileSync(pglitePackage, 'utf8')) as { version: string }).version;
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const argv = process.argv.slice(2).join(' ');
  const command =
    process.env.npm_lifecycle_event === 'bench:import'
      ? `npm run bench:import${argv ? ` -- ${argv}` : ''}`
      : `tsx bench/import.ts ${argv}`.trim();
  const corpus = results[0]!.first[0]!;
  const date = new Date().toISOString().slice(0, 10);

  const markdown = `# Import benchmark, ${date}

${table(results)}

- Corpus: ${corpus.documents} documents of ../shared/corpus/endoflife-2026-08/products, read in place. Each run
  imports them into an empty, migrated database (${corpus.created} created, ${corpus.rejected} rejected), then
  again unchanged (nothing written). No warm-up run: the median absorbs the first run's JIT warm-up.
- Time: wall time of \`importDocuments\` (read, parse, validate, write). Statements: counted by the driver
  adapter (src/db/statements.ts), BEGIN/COMMIT included. Peak RSS: maximum resident set of the child process
  that ran that database's runs (opening and migrating included).
- Targets (the issue's, PostgreSQL only): first import < 5 s, unchanged re-import < 2 s; a ratio below 1 meets it.
- Machine: ${cpuModel}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB RAM; Node ${process.version};
  PostgreSQL ${pgVersion} at ${new URL(adminUrl).host}; PGlite ${pgliteVersion}. Load average (1 min) before and
  after: ${loadBefore} and ${loadavg()[0]!.toFixed(2)}; anything else running on the machine inflates the times.
- Command: \`${command}\`
`;
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const out = join(root, `bench/results/import-${date}.md`);
  writeFileSync(out, markdown);
  console.log(`\n${table(results)}\n\nwritten to ${out}`);
}
