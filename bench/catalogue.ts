// npm run bench:catalogue [-- --requests 40]
//
// What the in-memory catalogue (CATALOG_SNAPSHOT, README "Speed" item 2) is worth: two instances
// over the same PostgreSQL database with the whole corpus, the response cache off in both, one with
// the catalogue (the default) and one without (every request reads PostgreSQL). W1–W4 are sent one
// at a time, alternating between the two, so both see the same machine; p50 and p99 per workload and
// the ratio. Results: bench/results/catalogue-<date>.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchAdminUrl,
  importCorpus,
  machine,
  postgresVersion,
  requireCorpus,
  root,
  scratchDatabase,
  startService,
} from './lib.ts';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '40' } } });
requireCorpus();
const n = Number(args.requests);

const WORKLOADS = ['W1', 'W2', 'W3', 'W4'] as const;
const variables = JSON.parse(readFileSync(join(root, 'bench/queries/variables.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;
const bodyOf = (w: string) =>
  JSON.stringify({ query: readFileSync(join(root, `bench/queries/${w}.graphql`), 'utf8'), variables: variables[w] });

async function timed(url: string, body: string): Promise<number> {
  const started = performance.now();
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await r.text();
  if (!r.ok || text.includes('"errors"')) throw new Error(`${r.status}: ${text.slice(0, 300)}`);
  return performance.now() - started;
}
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const scratch = await scratchDatabase('catalogue');
const dbUrl = scratch.url;
try {
  importCorpus(dbUrl);
  const withCatalogue = await startService(4610, { DATABASE_URL: dbUrl, RESPONSE_CACHE: 'false' });
  const without = await startService(4611, {
    DATABASE_URL: dbUrl,
    RESPONSE_CACHE: 'false',
    CATALOG_SNAPSHOT: 'false',
  }).catch(async (err: unknown) => {
    await withCatalogue.stop();
    throw err;
  });
  const rows: string[] = [];
  try {
    for (const w of WORKLOADS) {
      const body = bodyOf(w);
      const count = w === 'W2' ? n : n * 5;
      for (let i = 0; i < 5; i++) {
        await timed(withCatalogue.url, body);
        await timed(without.url, body);
      }
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < count; i++) {
        a.push(await timed(withCatalogue.url, body));
        b.push(await timed(without.url, body));
      }
      const [a50, b50] = [percentile(a, 0.5), percentile(b, 0.5)];
      rows.push(
        `| ${w} | ${count} | ${a50.toFixed(1)} / ${percentile(a, 0.99).toFixed(1)} | ${b50.toFixed(1)} / ${percentile(b, 0.99).toFixed(1)} | ${(b50 / a50).toFixed(2)} × |`,
      );
      console.error(rows.at(-1));
    }
  } finally {
    await withCatalogue.stop();
    await without.stop();
  }
  const date = new Date().toISOString().slice(0, 10);
  const mach = machine();
  const report = `# eolgraph with and without the in-memory catalogue, ${date}

Command: \`npm run bench:catalogue${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`

Machine: ${mach.cpu}, ${mach.memory}; Node ${mach.node}; PostgreSQL ${await postgresVersion(benchAdminUrl)}; load average at the end ${mach.load}.
Two instances on one PostgreSQL database holding the whole corpus, response cache off in both; one request at a time, alternating between them (milliseconds are comparable within this run only).

| workload | requests each | with the catalogue, p50 / p99 ms | without (PostgreSQL), p50 / p99 ms | p50 ratio |
|---|---|---|---|---|
${rows.join('\n')}
`;
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const out = join(root, `bench/results/catalogue-${date}.md`);
  writeFileSync(out, report);
  console.log(report);
  console.error(`written to ${out}`);
} finally {
  await scratch.drop();
}
