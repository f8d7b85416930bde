// Shared by the benchmarks: the machine, a service process, RSS sampling, the corpus.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { startCommandArgs } from '../scripts/start-command.ts';

export const root = resolve(import.meta.dirname, '..');
export const corpusDir = resolve(root, '../shared/corpus/endoflife-2026-08/products');
export const peersDir = resolve(root, '../shared/bench-peers');

export function requireCorpus(): void {
  if (!existsSync(corpusDir)) {
    console.error(
      `The corpus is not at ${corpusDir} (it lives in ../shared beside the repository): nothing to measure.`,
    );
    process.exit(2);
  }
}

export async function postgresVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  } finally {
    await c.end();
  }
}

export function machine(): Record<string, string> {
  const model = cpus()[0]?.model ?? 'unknown';
  return {
    cpu: `${model} × ${cpus().length}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    load: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

/** Resident set size of a process in MB (Linux), or NaN. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** One RSS sample: t in s since sampling began, at = performance.now() when taken, mb (NaN if unreadable). */
export interface RssSample {
  t: number;
  at: number;
  mb: number;
}

/**
 * Samples a process's RSS every interval; stop() returns the samples. The samples are taken by a
 * timer in this process, so there are none while its event loop is blocked (spawnSync, execFileSync):
 * keep the event loop free while the process under measurement is loaded.
 */
export function sampleRss(pid: number, intervalMs = 500) {
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const timer = setInterval(() => {
    const at = performance.now();
    samples.push({ t: (at - t0) / 1000, at, mb: rssMb(pid) });
  }, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  port: number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the service as `npm start` does (scripts/start-command.ts) with env, and waits for /readyz. */
export async function startService(
  port: number,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...nodeArgs, ...startCommandArgs()], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
    if (i === 299) throw new Error(`the service did not become ready:\n${output}`);
  }
  return {
    child,
    port,
    url: `${base}/graphql`,
    stop(signal = 'SIGTERM') {
      return new Promise((resolveStop) => {
        if (child.exitCode !== null) return resolveStop(child.exitCode);
        child.once('exit', (code) => resolveStop(code));
        child.kill(signal);
      });
    },
  };
}

/** Imports the corpus into the database at url with the project's importer (migrating first). */
export function importCorpus(url: string): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/importer/cli.ts', corpusDir], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`importing the corpus failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  console.error(r.stdout.split('\n')[0]);
}

/** The top self-time frames of a V8 CPU profile, as Markdown table rows. */
export function topFrames(profilePath: string, n = 15): string[] {
  const p = JSON.parse(readFileSync(profilePath, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  let busy = 0;
  p.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const dt = p.timeDeltas[i] ?? 0;
    const f = node.callFrame;
    if (f.functionName === '(idle)') return;
    busy += dt;
    const where = f.url ? `${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, t]) => `| ${(t / 1000).toFixed(0)} | ${((100 * t) / busy).toFixed(1)} % | \`${k.replace(/\|/g, '/')}\` |`,
    );
}

/** Where the soak and catalogue benchmarks create their database (BENCH_DATABASE_URL to change it). */
export const benchAdminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function asAdmin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: benchAdminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A new database named `eolgraph_<prefix>_<random>` on benchAdminUrl's server; drop() removes it. */
export async function scratchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `eolgraph_${prefix}_${randomBytes(4).toString('hex')}`;
  const u = new URL(benchAdminUrl);
  u.pathname = `/${name}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  return { url: u.toString(), drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
