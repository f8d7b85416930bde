// The generated parts of README.md and .env.example:
// - the example queries with their real output from the seeds (the explorer's examples from
//   src/http/explorer.ts, run on an in-memory embedded database holding the seeds, with the asOf
//   shown so that the output never changes by itself), between <!-- example:NAME --> markers;
// - the configuration table (from src/config.ts), between <!-- config --> markers, and
//   .env.example.
//
//   npm run docs            rewrites them
//   npm run docs:check      fails (exit 1) when they are stale (part of npm test)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openPglite, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createContext } from '../src/graphql/context.ts';
import { createServer, defaultServerOptions } from '../src/http/app.ts';
import { EXAMPLES } from '../src/http/explorer.ts';
import { importDocuments } from '../src/importer/import.ts';
import { createLogger } from '../src/logger.ts';
import { variables } from '../src/config.ts';

const root = resolve(import.meta.dirname, '..');

/** The README examples: explorer example title → the name of its README block and its variables. */
export const README_EXAMPLES: { name: string; title: string; variables: Record<string, unknown> }[] = [
  { name: 'product-page', title: 'Product page', variables: { name: 'nodejs', asOf: '2026-11-27' } },
  { name: 'eol-soon', title: 'EOL in the next 90 days', variables: { asOf: '2026-11-27' } },
  { name: 'supported-on', title: 'Supported on a date', variables: { asOf: '2024-01-15' } },
];

/** Markdown for each example, run against db (which must hold the seeds). */
export async function renderExamples(db: Database): Promise<Map<string, string>> {
  const app = createServer({
    sql: db,
    logger: createLogger('silent'),
    clock: () => new Date('2026-11-27T12:00:00Z'),
    readiness: async () => ({ ready: true }),
    options: defaultServerOptions,
  });
  await app.start();
  const out = new Map<string, string>();
  try {
    for (const ex of README_EXAMPLES) {
      const example = EXAMPLES.find((e) => e.title === ex.title);
      if (!example) throw new Error(`no explorer example titled "${ex.title}"`);
      const res = await app.apollo.executeOperation(
        { query: example.query, variables: ex.variables },
        { contextValue: createContext(db, new Date('2026-11-27T12:00:00Z'), 'readme') },
      );
      if (res.body.kind !== 'single' || res.body.singleResult.errors) {
        throw new Error(`example "${ex.title}" failed: ${JSON.stringify(res.body)}`);
      }
      out.set(
        ex.name,
        [
          '```graphql',
          example.query,
          '```',
          '',
          `Variables: \`${JSON.stringify(ex.variables)}\``,
          '',
          '```json',
          compactJson(res.body.singleResult.data),
          '```',
        ].join('\n'),
      );
    }
  } finally {
    await app.stop();
  }
  return out;
}

/** JSON with every object or list that fits in `width` columns on one line. */
export function compactJson(value: unknown, indent = '', width = 110): string {
  const flat = JSON.stringify(value);
  if (flat === undefined || value === null || typeof value !== 'object' || indent.length + flat.length <= width) {
    return flat ?? 'null';
  }
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => inner + compactJson(v, inner, width)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner, width)}`).join(',\n')}\n${indent}}`;
}

const shown = (v: unknown) => (v === null ? '(unset)' : Array.isArray(v) ? v.join(',') : String(v));

/** The configuration table for README.md. */
export function configTable(): string {
  const rows = Object.values(variables).map(
    (v) =>
      `| \`${v.env}\` | ${v.default === null ? '(unset)' : `\`${shown(v.default)}\``} | ${v.doc.replace(/\|/g, '\\|')} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** .env.example: every variable, commented out, with its default. */
export function envExample(): string {
  const lines = [
    '# Every environment variable eolgraph reads (src/config.ts), with its default. Generated: npm run docs.',
    '',
  ];
  for (const v of Object.values(variables))
    lines.push(`# ${v.doc}`, `# ${v.env}=${v.default === null ? '' : shown(v.default)}`, '');
  return lines.join('\n');
}

function replaceBlock(text: string, open: string, close: string, body: string): string {
  const at = text.indexOf(open);
  const end = text.indexOf(close, at);
  if (at < 0 || end < 0) throw new Error(`README.md has no ${open} … ${close} block`);
  return `${text.slice(0, at + open.length)}\n${body}\n${text.slice(end)}`;
}

/** README.md with each generated block replaced. */
export function withGenerated(readme: string, blocks: Map<string, string>): string {
  let text = readme;
  for (const [name, block] of blocks) text = replaceBlock(text, `<!-- example:${name} -->`, '<!-- /example -->', block);
  return replaceBlock(text, '<!-- config -->', '<!-- /config -->', configTable());
}

/** Imports the seeds into a fresh in-memory database and renders every example. */
export async function generatedBlocks(): Promise<Map<string, string>> {
  const db = await openPglite();
  try {
    await migrate(db);
    await importDocuments(db, {
      paths: [resolve(root, 'seeds')],
      root,
      limits: { maxBytes: 1_048_576, maxYamlNodes: 200_000 },
    });
    return await renderExamples(db);
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const blocks = await generatedBlocks();
  const readmePath = resolve(root, 'README.md');
  const envPath = resolve(root, '.env.example');
  const readme = readFileSync(readmePath, 'utf8');
  const next = withGenerated(readme, blocks);
  const env = envExample();
  if (process.argv.includes('--check')) {
    const stale = [
      next !== readme && 'README.md',
      (existsSync(envPath) ? readFileSync(envPath, 'utf8') : '') !== env && '.env.example',
    ].filter(Boolean);
    if (stale.length) {
      console.error(`stale: ${stale.join(', ')} (run npm run docs)`);
      process.exit(1);
    }
    console.error('README.md and .env.example are up to date');
  } else {
    writeFileSync(readmePath, next);
    writeFileSync(envPath, env);
    console.error('README.md and .env.example updated');
  }
}
