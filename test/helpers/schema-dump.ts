// The drift check's comparison: two `pg_dump --schema-only` outputs reduced to what schema.prisma
// can express, as sorted lists of statements (one line per table column), so that a difference
// reads as "this column / index / key is only on one side".
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The schema of the database at url, as pg_dump prints it (no owners, no grants). */
export async function dumpSchema(url: string): Promise<string> {
  const { stdout } = await run('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', url], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/**
 * pg_dump object types that schema.prisma cannot declare, so a migration may add them freely
 * (hand-written SQL below the generated part). CHECK constraints are usually printed inside
 * CREATE TABLE and are removed there too.
 */
const INEXPRESSIBLE_TYPES = new Set([
  'FUNCTION',
  'PROCEDURE',
  'AGGREGATE',
  'TRIGGER',
  'EVENT TRIGGER',
  'VIEW',
  'MATERIALIZED VIEW',
  'RULE',
  'CHECK CONSTRAINT',
  'COMMENT',
]);

/** Prisma's bookkeeping table, which only the migration runner creates. */
const BOOKKEEPING = /\b_prisma_migrations\b/;

const HEADER = /^-- Name: (.*); Type: (.*); Schema: .*; Owner: .*$/;

interface Entry {
  name: string;
  type: string;
  lines: string[];
}

/** Splits a dump into its objects, using the "-- Name: …; Type: …" comment pg_dump puts before each. */
function entriesOf(dump: string): Entry[] {
  const entries: Entry[] = [{ name: '', type: 'PREAMBLE', lines: [] }];
  for (const line of dump.split('\n')) {
    const header = HEADER.exec(line);
    if (header) entries.push({ name: header[1]!, type: header[2]!, lines: [] });
    // What differs by nature between two dumps: comments, session settings, and the random key
    // of psql's \restrict / \unrestrict guard.
    else if (!/^(--|\\|SET |SELECT pg_catalog\.set_config\()/.test(line) && line.trim() !== '') {
      entries.at(-1)!.lines.push(line.trim());
    }
  }
  return entries;
}

/** CREATE TABLE as one "TABLE t" line plus one "t: item" line per column or inline constraint. */
function tableLines(lines: string[]): string[] {
  const [create, ...rest] = lines;
  const table = /^CREATE (?:UNLOGGED )?TABLE (\S+) \($/.exec(create ?? '')?.[1];
  if (!table || rest.at(-1) !== ');') return [lines.join(' ')];
  const items = rest.slice(0, -1).map((item) => item.replace(/,$/, ''));
  return [
    `TABLE ${table}`,
    ...items.filter((item) => !/^CONSTRAINT \S+ CHECK \(/.test(item)).map((item) => `${table}: ${item}`),
  ];
}

/**
 * Reduces a schema dump to what schema.prisma expresses (tables, columns with their types,
 * defaults and nullability, sequences, primary keys, indexes, unique and foreign keys), sorted.
 */
export function normaliseSchemaDump(dump: string): string[] {
  const out: string[] = [];
  for (const entry of entriesOf(dump)) {
    if (INEXPRESSIBLE_TYPES.has(entry.type)) continue;
    if (BOOKKEEPING.test(entry.name) || entry.lines.some((l) => BOOKKEEPING.test(l))) continue;
    if (entry.type === 'TABLE') out.push(...tableLines(entry.lines));
    else if (entry.lines.length > 0) out.push(entry.lines.join(' '));
  }
  return out.sort();
}

export interface SchemaDifference {
  /** Statements of the expected schema that the actual one lacks (or has differently). */
  missing: string[];
  /** Statements of the actual schema that the expected one lacks (or has differently). */
  extra: string[];
}

export function schemaDifference(expected: string[], actual: string[]): SchemaDifference {
  const inActual = new Set(actual);
  const inExpected = new Set(expected);
  return {
    missing: expected.filter((s) => !inActual.has(s)),
    extra: actual.filter((s) => !inExpected.has(s)),
  };
}
