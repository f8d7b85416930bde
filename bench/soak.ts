// npm run bench:soak [-- --duration 60 --connections 20]
//
// A mixed workload of the README's example queries over the whole corpus on PostgreSQL, 20
// connections for 60 s (autocannon over loopback). Half the requests pin a random asOf so they
// execute rather than hit the response cache. Records errors (HTTP and GraphQL), p50/p99 latency
// and the service's RSS sampled every second; the target is zero errors and RSS growth under 10 %
// between the second half of the run and the first. Results: bench/results/soak-<date>.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { EXAMPLES } from '../src/http/explorer.ts';
import {
  benchAdminUrl,
  importCorpus,
  machine,
  postgresVersion,
  requireCorpus,
  root,
  sampleRss,
  scratchDatabase,
  startService,
} from './lib.ts';

const { values: args } = parseArgs({
  options: { duration: { type: 'string', default: '60' }, connections: { type: 'string', default: '20' } },
});
requireCorpus();
const duration = Number(args.duration);
const connections = Number(args.connections);

const scratch = await scratchDatabase('soak');
const dbUrl = scratch.url;
try {
  importCorpus(dbUrl);
  const service = await startService(4600, { DATABASE_URL: dbUrl });
  // The explorer's examples are the README's; each is sent as written and with a random asOf.
  const bodies = EXAMPLES.map((e) => ({ query: e.query, variables: e.variables ? JSON.parse(e.variables) : {} }));
  const randomDate = () =>
    new Date(Date.UTC(2015, 0, 1) + Math.floor(Math.random() * 4000) * 86_400_000).toISOString().slice(0, 10);
  // Every example takes an optional $asOf: a random one, and a counter the query does not declare
  // (GraphQL ignores it; the response cache keys on the request's text), make the request execute:
  // a random date alone repeats (4,000 dates) and would soon be answered from the cache.
  let sent = 0;
  const pinned = (b: { query: string; variables: Record<string, unknown> }) => ({
    query: b.query,
    variables: { ...b.variables, asOf: randomDate(), soakRequest: sent++ },
  });
  let graphqlErrors = 0;
  let i = 0;
  const rss = sampleRss(service.child.pid!, 1000);
  const result = await autocannon({
    url: service.url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          // Each example in turn, as written and pinned alternately (4 examples: i and i / 4 differ).
          const b = bodies[i % bodies.length]!;
          const body = Math.floor(i++ / bodies.length) % 2 === 0 ? b : pinned(b);
          return { ...req, body: JSON.stringify(body) };
        },
        onResponse: (status, body) => {
          if (status === 200 && body.includes('"errors"')) graphqlErrors += 1;
        },
      },
    ],
  });
  const samples = rss.stop();
  await service.stop();
  const half = duration / 2;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const first = mean(samples.filter((s) => s.t <= half).map((s) => s.mb));
  const second = mean(samples.filter((s) => s.t > half).map((s) => s.mb));
  const growth = (100 * (second - first)) / first;
  const errors = result.errors + result.non2xx + result.timeouts + graphqlErrors;
  const date = new Date().toISOString().slice(0, 10);
  const mach = machine();
  const report = `# eolgraph soak, ${date}

Command: \`npm run bench:soak${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`

Machine: ${mach.cpu}, ${mach.memory}; Node ${mach.node}; PostgreSQL ${await postgresVersion(benchAdminUrl)}; load average at the end ${mach.load}.
Workload: the README's ${bodies.length} example queries in turn, every other request with a random asOf (so it executes instead of hitting the response cache), ${connections} connections, ${duration} s, autocannon over loopback, service with its defaults on PostgreSQL over the whole corpus.

| measure | value | target |
|---|---|---|
| requests | ${result.requests.total} (${result.requests.average.toFixed(0)} req/s) | |
| errors (connection, non-2xx, timeouts, GraphQL errors) | ${result.errors} / ${result.non2xx} / ${result.timeouts} / ${graphqlErrors} | 0 ${errors === 0 ? '(met)' : '(**not met**)'} |
| latency p50 / p99 / max | ${result.latency.p50} / ${result.latency.p99} / ${result.latency.max} ms | |
| RSS at start / end | ${samples[0]?.mb.toFixed(0)} / ${samples.at(-1)?.mb.toFixed(0)} MB | |
| mean RSS, first ${half} s / second ${half} s | ${first.toFixed(0)} / ${second.toFixed(0)} MB | |
| RSS growth, second half over first | ${growth.toFixed(1)} % | < 10 % ${growth < 10 ? '(met)' : '(**not met**)'} |
`;
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const out = join(root, `bench/results/soak-${date}.md`);
  writeFileSync(out, report);
  console.log(report);
  console.error(`written to ${out}`);
  if (errors > 0 || !(growth < 10)) process.exitCode = 1; // either target missed
} finally {
  await scratch.drop();
}
