// Fixtures for the importer's integration tests: real product documents (seeds/, the shared corpus)
// copied into a temporary directory and changed there, the importer run on them (in process or as
// the `npm run import` command), and the few SQL readers the tests share.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Database, Sql } from '../../src/db/database.ts';
import { importDocuments, type ImportOptions, type ImportReport } from '../../src/importer/import.ts';
import type { ParseLimits } from '../../src/importer/parse.ts';
import { projectRoot } from './env.ts';

/** The configuration defaults (src/config.ts): what `npm run import` uses unless told otherwise. */
export const DEFAULT_LIMITS: ParseLimits = { maxBytes: 1_048_576, maxYamlNodes: 200_000 };

/** A new empty directory under the OS temp directory; remove it with removeDir. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `eolgraph-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Copies documents by file name (read and written, so read-only sources give writable copies). */
export function copyDocuments(fromDir: string, toDir: string, files: string[]): void {
  mkdirSync(toDir, { recursive: true });
  for (const file of files) writeFileSync(join(toDir, file), readFileSync(join(fromDir, file)));
}

export function readDocument(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

/** Writes a document and returns its absolute path (the path the importer reports it under). */
export function writeDocument(dir: string, file: string, text: string | Buffer): string {
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

/**
 * Replaces the one occurrence of `search` in `text`. Throws when it is missing or not unique, so a
 * fixture whose source document changed fails loudly instead of silently testing nothing.
 */
export function replaceOnce(text: string, search: string, replacement: string): string {
  const at = text.indexOf(search);
  const hits = at < 0 ? 0 : text.indexOf(search, at + 1) < 0 ? 1 : 2;
  if (hits !== 1) {
    throw new Error(
      `fixture: expected ${JSON.stringify(search)} exactly once, found it ${hits === 0 ? 'nowhere' : 'twice'}`,
    );
  }
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}

/** The 1-based line of the `occurrence`-th line of `text` that contains `needle`. */
export function lineWith(text: string, needle: string, occurrence = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && ++seen === occurrence) return i + 1;
  }
  throw new Error(`fixture: no line #${occurrence} containing ${JSON.stringify(needle)}`);
}

/**
 * A document's front matter read with plain js-yaml (its safe schema, last duplicate key wins):
 * an independent reading to compare the importer's result with. Dates come back as JS Dates.
 */
export function plainFrontMatter(text: string): Record<string, unknown> {
  const lines = text.split('\n');
  const close = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)[ \t]*\r?$/.test(l));
  if (!/^---[ \t]*\r?$/.test(lines[0] ?? '') || close < 0) throw new Error('fixture: the document has no front matter');
  return yaml.safeLoad(lines.slice(1, close).join('\n'), { json: true }) as Record<string, unknown>;
}

/** A YAML date as the calendar date it names (js-yaml gives UTC midnight). */
export function isoDate(value: unknown): string | null {
  return value instanceof Date ? value.toISOString().slice(0, 10) : null;
}

/** Runs the importer in process the way the command does (paths relative to the project root). */
export function runImport(
  db: Database,
  paths: string[],
  options: Partial<Omit<ImportOptions, 'paths'>> = {},
): Promise<ImportReport> {
  return importDocuments(db, { root: projectRoot, limits: DEFAULT_LIMITS, ...options, paths });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the import command (`node --import tsx src/importer/cli.ts ARGS…`, what `npm run import`
 * runs) against the database at databaseUrl. The importer's own variables are cleared unless given
 * in env, so the caller's environment cannot leak in. Not through npx: inside `npx -p node@24 -c`
 * (CI's second Node) a nested npx inherits npm's exec settings and refuses to run.
 */
export function runImportCli(
  databaseUrl: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['IMPORT_MAX_DOCUMENT_BYTES', 'IMPORT_MAX_YAML_NODES', 'SEEDS_DIR', 'PGLITE_DIR']) {
    delete childEnv[key];
  }
  Object.assign(childEnv, { DATABASE_URL: databaseUrl, NODE_ENV: 'test', LOG_LEVEL: 'silent' }, env);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/importer/cli.ts', ...args],
      { cwd: projectRoot, env: childEnv, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export const TABLES = [
  'product',
  'product_tag',
  'product_alias',
  'identifier',
  'custom_field',
  'release_cycle',
  'deleted_product',
] as const;

/** Row count of every table, e.g. { product: 3, release_cycle: 40, … }. */
export async function tableCounts(db: Sql): Promise<Record<(typeof TABLES)[number], number>> {
  const sql = TABLES.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t}"`).join(' UNION ALL ');
  const rows = await db.query<{ t: (typeof TABLES)[number]; n: number }>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.n])) as Record<(typeof TABLES)[number], number>;
}

/**
 * Every stored row of one product (the product row with its timestamps, tags, aliases,
 * identifiers, custom fields, release cycles) as one JSON text, to compare before and after.
 */
export async function productDump(db: Sql, name: string): Promise<string> {
  const [row] = await db.query<{ dump: string | null }>(
    `SELECT jsonb_build_object(
       'product', to_jsonb(p),
       'tags', (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.tag) FROM product_tag t WHERE t.product_id = p.id),
       'aliases', (SELECT jsonb_agg(to_jsonb(a) ORDER BY a.position) FROM product_alias a WHERE a.product_id = p.id),
       'identifiers', (SELECT jsonb_agg(to_jsonb(i) ORDER BY i.position) FROM identifier i WHERE i.product_id = p.id),
       'customFields', (SELECT jsonb_agg(to_jsonb(f) ORDER BY f.position) FROM custom_field f WHERE f.product_id = p.id),
       'releases', (SELECT jsonb_agg(to_jsonb(r) ORDER BY r.position) FROM release_cycle r WHERE r.product_id = p.id)
     )::text AS dump
     FROM product p WHERE p.name = $1`,
    [name],
  );
  if (!row?.dump) throw new Error(`no stored product "${name}"`);
  return row.dump;
}
