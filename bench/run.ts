// npm run bench [-- --duration 10 --runs 3 --connections 10 --workloads W1,W2,W3,W4 --no-peers --profile --suffix S]
//
// eolgraph against its peers (../shared/bench-peers: a static-file server, PostGraphile, a
// hand-written graphql-jit server) on the same data, the same machine, the same load generator
// (the peers' harness, bench.cjs: wrk over loopback, interleaved rounds, median of N runs, SQL
// statements per request from pg_stat_statements), in one session:
//   ours          eolgraph as configured by default (response cache on)
//   ours-nocache  eolgraph with RESPONSE_CACHE=false (every request executes)
// then W2 again with one connection (the single-connection p50 target). RSS of both instances is
// sampled throughout (the harness runs as an asynchronous child so that the sampling timer keeps
// firing); the RSS target reports the largest sample taken while the harness was running a W2 case,
// found from the times of its progress lines. With --profile the uncached instance runs under
// --cpu-prof and its top frames go into the results. Results: bench/results/<date>.md (table,
// ratios to the issue's targets, machine, versions, commands). Needs root (the harness installs wrk
// and a PostgreSQL cluster on port 5433 the first time).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  importCorpus,
  machine,
  peersDir,
  postgresVersion,
  requireCorpus,
  root,
  type RssSample,
  sampleRss,
  startService,
  topFrames,
} from './lib.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    workloads: { type: 'string', default: 'W1,W2,W3,W4' },
    'no-peers': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    // bench/results/<date><suffix>.md, e.g. --suffix=-profile: a profiled run is slower, so its figures
    // are kept apart from the run the targets are judged on.
    suffix: { type: 'string', default: '' },
  },
});
requireCorpus();
if (!existsSync(join(peersDir, 'bench.cjs'))) {
  console.error(`The peers' harness is not at ${peersDir}: it is needed for the load generator and the comparison.`);
  process.exit(2);
}

const BENCH_DIR = process.env.BENCH_DIR ?? '/tmp/bench';
const PGPORT = process.env.PGPORT ?? '5433';
const dbUrl = `postgres://bench:bench@127.0.0.1:${PGPORT}/eol`;
const work = join(root, 'bench/.work');
const raw = join(work, 'raw');
const profDir = join(work, 'profile');
rmSync(raw, { recursive: true, force: true });
rmSync(profDir, { recursive: true, force: true });
mkdirSync(raw, { recursive: true });

const sh = (cmd: string, cmdArgs: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, BENCH_DIR, PGPORT, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status})`);
};

console.error('== setup: the peers harness (wrk, PostgreSQL 15 cluster "bench" on port 5433, the peer data)');
sh('bash', [join(peersDir, 'setup.sh')]);
console.error('== eolgraph: migrate and import the corpus (schema public of the same database)');
importCorpus(dbUrl);

const ours = await startService(4500, { DATABASE_URL: dbUrl });
const nocache = await startService(
  4501,
  { DATABASE_URL: dbUrl, RESPONSE_CACHE: 'false' },
  args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
);
const rssOurs = sampleRss(ours.child.pid!);
const rssNocache = sampleRss(nocache.child.pid!);
const peers = !args['no-peers'];
if (peers) sh('bash', [join(peersDir, 'peers.sh'), 'start']);

// The harness runs asynchronously: a spawnSync would block this process's event loop for the whole
// load, and with it the RSS sampling timer (and the draining of the services' output pipes). Its
// stderr progress lines are kept with their arrival times, to tell when it was running W2.
const harnessLines: { at: number; line: string }[] = [];
const benchCjs = (extra: string[]) =>
  new Promise<void>((resolveRun, rejectRun) => {
    const cmdArgs = [
      join(peersDir, 'bench.cjs'),
      '--pg',
      dbUrl,
      '--out',
      raw,
      '--duration',
      args.duration!,
      '--warmup',
      args.warmup!,
      '--runs',
      args.runs!,
      '--peer',
      `ours=${ours.url}@${join(root, 'bench/queries')}`,
      '--peer',
      `ours-nocache=${nocache.url}@${join(root, 'bench/queries')}`,
      ...extra,
    ];
    const child = spawn(process.execPath, cmdArgs, {
      stdio: ['ignore', 'inherit', 'pipe'],
      env: { ...process.env, BENCH_DIR, PGPORT, BENCH_MODULES: join(BENCH_DIR, 'node_modules') },
    });
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      process.stderr.write(d);
      const at = performance.now();
      const lines = (partial + d).split('\n');
      partial = lines.pop()!;
      for (const line of lines) harnessLines.push({ at, line });
    });
    child.on('error', rejectRun);
    child.on('close', (code) =>
      code === 0 ? resolveRun() : rejectRun(new Error(`bench.cjs ${extra.join(' ')} failed (${code})`)),
    );
  });

/**
 * The spans (performance.now() ms) in which bench.cjs was running a W2 case, for any peer: it prints
 * "N cases, ..." before its first case, then "ok|! PEER/W" after validating and warming up a case and
 * "run i/N PEER/W: ..." after each measured run, and runs each case between its line and the one
 * before.
 */
function w2Spans(lines: { at: number; line: string }[]): [number, number][] {
  const spans: [number, number][] = [];
  let from: number | null = null;
  for (const { at, line } of lines) {
    if (/^\d+ cases, /.test(line)) {
      from = at;
      continue;
    }
    const m = /^(?:ok|!|run \d+\/\d+) [^\s/]+\/(W\d+)\b/.exec(line);
    if (!m || from === null) continue;
    if (m[1] === 'W2') spans.push([from, at]);
    from = at;
  }
  return spans;
}

let failure: unknown = null;
try {
  console.error('== load: every workload, every peer');
  await benchCjs([
    '--connections',
    args.connections!,
    '--workloads',
    args.workloads!,
    '--peers',
    peers ? 'static,postgraphile,gqljit,ours,ours-nocache' : 'ours,ours-nocache',
  ]);
  if (args.workloads!.includes('W2')) {
    console.error('== load: W2 with one connection (unloaded service time)');
    await benchCjs([
      '--connections',
      '1',
      '--workloads',
      'W2',
      '--peers',
      peers ? 'static,gqljit,ours,ours-nocache' : 'ours,ours-nocache',
    ]);
  }
} catch (err) {
  failure = err;
} finally {
  if (peers)
    spawnSync('bash', [join(peersDir, 'peers.sh'), 'stop'], { stdio: 'inherit', env: { ...process.env, BENCH_DIR } });
}
const oursRss = rssOurs.stop();
const nocacheRss = rssNocache.stop();
await ours.stop();
await nocache.stop('SIGINT');
if (failure) throw failure;

// ---- report -------------------------------------------------------------------------------------
interface Case {
  peer: string;
  workload: string;
  bytes: number;
  sql?: number;
  error?: string;
  median?: { rps: number; p50: number; p99: number };
}
const results = readdirSync(raw)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(raw, f), 'utf8')) as { meta: Record<string, unknown>; cases: Case[] });
const [main, single] = results;
const get = (set: Case[] | undefined, peer: string, w: string) => set?.find((c) => c.peer === peer && c.workload === w);
const fmt = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
const ratio = (a?: Case, b?: Case) => (a?.median && b?.median ? a.median.rps / b.median.rps : NaN);
// null: not measured. A missing measurement is never "met".
const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : '**not met**');
// Every value meets the target: not met if a measured one fails, not measured if any (or all) are missing.
const verdictAll = (xs: number[], ok: (x: number) => boolean) =>
  verdict(
    xs.some((x) => Number.isFinite(x) && !ok(x)) ? false : xs.length === 0 || !xs.every(Number.isFinite) ? null : true,
  );

const table = ['| workload | peer | req/s | p50 ms | p99 ms | SQL/req | bytes |', '|---|---|---:|---:|---:|---:|---:|'];
for (const c of main?.cases ?? []) {
  table.push(
    c.error
      ? `| ${c.workload} | ${c.peer} | ERROR ${c.error.slice(0, 60)} | | | | |`
      : `| ${c.workload} | ${c.peer} | ${fmt(c.median?.rps)} | ${fmt(c.median?.p50, 2)} | ${fmt(c.median?.p99, 2)} | ${c.sql ?? 'n/m'} | ${c.bytes} |`,
  );
}
const singleTable = ['| peer | req/s | p50 ms | p99 ms |', '|---|---:|---:|---:|'];
for (const c of single?.cases ?? [])
  singleTable.push(`| ${c.peer} | ${fmt(c.median?.rps)} | ${fmt(c.median?.p50, 2)} | ${fmt(c.median?.p99, 2)} |`);

const targets: string[] = ['| target | measured | verdict |', '|---|---|---|'];
const m = main?.cases;
for (const w of ['W1', 'W3', 'W4']) {
  const u = get(m, 'ours-nocache', w);
  const r1 = ratio(u, get(m, 'gqljit', w));
  const r2 = ratio(u, get(m, 'postgraphile', w));
  const r3 = ratio(get(m, 'ours', w), get(m, 'static', w));
  targets.push(
    `| ${w} uncached ≥ 1.2 × gqljit | ${fmt(r1, 2)} × | ${verdict(Number.isFinite(r1) ? r1 >= 1.2 : null)} |`,
  );
  targets.push(
    `| ${w} uncached ≥ 2 × postgraphile | ${fmt(r2, 2)} × | ${verdict(Number.isFinite(r2) ? r2 >= 2 : null)} |`,
  );
  targets.push(
    `| ${w} cached ≥ 50 % of static | ${fmt(100 * r3, 0)} % | ${verdict(Number.isFinite(r3) ? r3 >= 0.5 : null)} |`,
  );
}
{
  const r1 = ratio(get(m, 'ours-nocache', 'W2'), get(m, 'gqljit', 'W2'));
  const r3 = ratio(get(m, 'ours', 'W2'), get(m, 'static', 'W2'));
  const p50 = get(single?.cases, 'ours-nocache', 'W2')?.median?.p50;
  targets.push(`| W2 uncached ≥ 1.0 × gqljit | ${fmt(r1, 2)} × | ${verdict(Number.isFinite(r1) ? r1 >= 1 : null)} |`);
  targets.push(
    `| W2 uncached single-connection p50 < 40 ms | ${fmt(p50, 1)} ms | ${verdict(p50 === undefined ? null : p50 < 40)} |`,
  );
  targets.push(
    `| W2 cached ≥ 30 % of static | ${fmt(100 * r3, 0)} % | ${verdict(Number.isFinite(r3) ? r3 >= 0.3 : null)} |`,
  );
}
const sqlUncached = (m ?? []).filter((c) => c.peer === 'ours-nocache').map((c) => c.sql ?? NaN);
const sqlHit = (m ?? []).filter((c) => c.peer === 'ours').map((c) => c.sql ?? NaN);
targets.push(
  `| ≤ 3 SQL statements per request (uncached) | ${sqlUncached.join(' / ')} (W1…W4) | ${verdictAll(sqlUncached, (x) => x <= 3)} |`,
);
targets.push(
  `| 0 SQL statements on a cache hit | ${sqlHit.join(' / ')} (W1…W4) | ${verdictAll(sqlHit, (x) => x === 0)} |`,
);
{
  // The largest sample (within spans if given) and how many samples there were; NaN if none.
  const maxRss = (s: RssSample[], spans?: [number, number][]) => {
    const mb = s
      .filter((x) => Number.isFinite(x.mb) && (!spans || spans.some(([a, b]) => x.at >= a && x.at <= b)))
      .map((x) => x.mb);
    return { mb: mb.length ? Math.max(...mb) : NaN, n: mb.length };
  };
  const spans = w2Spans(harnessLines);
  const w2u = maxRss(nocacheRss, spans);
  const w2c = maxRss(oursRss, spans);
  const allu = maxRss(nocacheRss);
  const allc = maxRss(oursRss);
  const session = `whole session ${fmt(allu.mb, 0)} / ${fmt(allc.mb, 0)} MB of ${allu.n} / ${allc.n} samples`;
  const rssVerdict = (u: number, c: number) =>
    verdict(u >= 300 || c >= 300 ? false : Number.isFinite(u) && Number.isFinite(c) ? true : null);
  targets.push(
    spans.length
      ? `| RSS < 300 MB during the W2 run | ${fmt(w2u.mb, 0)} MB uncached, ${fmt(w2c.mb, 0)} MB cached (max of the ${w2u.n} / ${w2c.n} samples taken while the harness ran W2, both connection counts; ${session}) | ${rssVerdict(w2u.mb, w2c.mb)} |`
      : // No W2 span found in the harness output: the whole session bounds W2 from above if W2 ran at all.
        `| RSS < 300 MB during the W2 run | ${fmt(allu.mb, 0)} MB uncached, ${fmt(allc.mb, 0)} MB cached (max over the whole session, ${allu.n} / ${allc.n} samples: no W2 run found in the harness output) | ${args.workloads!.split(',').includes('W2') ? rssVerdict(allu.mb, allc.mb) : verdict(null)} |`,
  );
}

let profile: string[] = [];
if (args.profile && existsSync(profDir)) {
  const file = readdirSync(profDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(profDir, f))
    .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
  if (file) profile = ['| self ms | share of busy | frame |', '|---:|---:|---|', ...topFrames(file, 20)];
}

const date = new Date().toISOString().slice(0, 10);
const mach = machine();
const pgv = await postgresVersion(dbUrl).catch(() => 'unknown');
const wrkv = (() => {
  try {
    return execFileSync('wrk', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '').split('\n')[0] || 'wrk';
  }
})();
const report = `# eolgraph benchmark, ${date}

Command: \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`

Machine: ${mach.cpu}, ${mach.memory}; Node ${mach.node}; PostgreSQL ${pgv}; ${wrkv}; load average at the end ${mach.load}.
Load: the peers' harness (bench.cjs), ${args.connections} connections, ${args.runs} interleaved runs of ${args.duration} s after ${args.warmup} s of warm-up, medians.
\`ours\` = eolgraph with its defaults (response cache on); \`ours-nocache\` = RESPONSE_CACHE=false (every request executes; the in-memory catalogue stays on).
SQL statements per request from pg_stat_statements (one request, after warm-up).${
  args.profile
    ? '\n**Profiled run**: `ours-nocache` ran under `--cpu-prof`, which slows it; its figures here are for the profile, the targets are judged on a run without `--profile`.'
    : ''
}

## Targets

${targets.join('\n')}

## All measurements (${args.connections} connections)

${table.join('\n')}

## W2 with one connection

${singleTable.join('\n')}
${profile.length ? `\n## Profile of the uncached instance over the whole run (top self time)\n\n${profile.join('\n')}\n` : ''}
Raw harness output: bench/.work/raw (not committed).
`;
mkdirSync(join(root, 'bench/results'), { recursive: true });
const out = join(root, `bench/results/${date}${args.suffix}.md`);
writeFileSync(out, report);
console.log(report);
console.error(`written to ${out}`);
