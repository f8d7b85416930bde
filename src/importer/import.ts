// The import pipeline, top to bottom: find files → read → parse front matter → normalise legacy
// names → validate → plan against what is stored → write each changed product in its own
// transaction → report. A document that cannot be understood is rejected alone: nothing of it is
// written and the product stored before stays as it was.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Database } from '../db/database.ts';
import { classifyDbError } from '../db/errors.ts';
import type { Problem, ProductDoc } from './document.ts';
import { Collector, normaliseDocument } from './normalise.ts';
import { DocumentError, parseDocument, type ParseLimits } from './parse.ts';
import { validateDocument } from './validate.ts';
import { pruneProducts, writeProduct } from './write.ts';

/**
 * Bumped whenever normalisation changes what a document turns into: stored content hashes then
 * no longer match and the next import rewrites every product.
 */
// 2: a blank latest or changelogTemplate is absent, a link that is not http(s) is not stored, the
//    stored permalink is "/" + the id (the value constraints of 20261127050000).
export const IMPORTER_VERSION = '2';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const DOING: Record<DatabaseLostError['stage'], string> = {
  reading: 'reading what is stored',
  writing: 'writing products',
  pruning: 'pruning products',
  checking: 'checking the stored rows',
};

/**
 * The connection to the database failed during an import (lost, refused, server shutting down:
 * what src/db/errors.ts classifies as "unavailable"). The import stopped there: the products it
 * had written are whole (each in its own transaction), the others were not written, and nothing
 * was pruned. Running the import again completes it.
 */
export class DatabaseLostError extends Error {
  constructor(
    /** The driver's error. */
    readonly error: unknown,
    /** What the import was doing when the connection failed. */
    readonly stage: 'reading' | 'writing' | 'pruning' | 'checking',
    /** Products written (committed) before it, each whole. */
    readonly created: string[],
    readonly updated: string[],
    /** Products the import had to write and did not (their transactions rolled back or never started). */
    readonly notWritten: string[],
    /** A dry run: nothing was to be written. */
    readonly dryRun = false,
  ) {
    super(`the database connection failed while ${DOING[stage]}: ${describeDbError(error)}`);
    this.name = 'DatabaseLostError';
  }
}

export interface ImportOptions {
  paths: string[];
  /** Directory that relative stored paths are relative to (the project root). */
  root: string;
  limits: ParseLimits;
  prune?: boolean;
  dryRun?: boolean;
  overwriteEdits?: boolean;
  /** UTC calendar date for the "not in the future" rules; defaults to today. */
  today?: string;
  /** Products written at the same time (PostgreSQL); PGlite serialises anyway. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RejectedDocument {
  file: string;
  problems: Problem[];
}

export interface ImportReport {
  documents: number;
  created: string[];
  updated: string[];
  unchanged: string[];
  rejected: RejectedDocument[];
  /** Changed documents whose product was also edited in the database: left alone. */
  conflicts: { name: string; file: string; reason: string }[];
  /** Unchanged documents whose product was edited in the database: the edit is kept. */
  editsKept: string[];
  /** Documents whose product an admin deleted (or renamed) in the database: not re-created. */
  deletedKept: string[];
  /** Stored products whose documents are gone (under the imported paths). */
  missing: string[];
  pruned: string[];
  /**
   * Rejected documents whose product id could not be read: one of them may be the document of a
   * product that looks gone (renamed and broken at once), so nothing was pruned.
   */
  pruneWithheld: string[];
  /** Products now written from another document than the one they were imported from. */
  moved: { name: string; from: string; to: string }[];
  /**
   * Stored rows that no valid document would produce (typically made by hand in Prisma Studio):
   * cycles that give no date and no support field at all, products without any cycle. The API
   * serves them (the fields are null); they are listed so that someone looks at them. Also rows
   * the database would refuse today but kept because they predate the rule: those breaking a
   * constraint still NOT VALID (see the value-constraints migration), and aliases that are
   * another product's id.
   */
  suspect: { product: string; cycle: string | null; problem: string }[];
  warnings: Problem[];
  durationMs: number;
  dryRun: boolean;
}

interface SourceFile {
  abs: string;
  /** As stored: relative to the project root when inside it. */
  stored: string;
}

function listFiles(paths: string[], root: string): { files: SourceFile[]; dirs: string[] } {
  const files: SourceFile[] = [];
  const dirs: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      dirs.push(abs);
      for (const name of readdirSync(abs).sort()) {
        if (name.endsWith('.md')) files.push({ abs: join(abs, name), stored: '' });
      }
    } else {
      files.push({ abs, stored: '' });
    }
  }
  const seen = new Set<string>();
  const unique = files.filter((f) => (seen.has(f.abs) ? false : (seen.add(f.abs), true)));
  for (const f of unique) {
    const rel = relative(root, f.abs);
    f.stored = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : f.abs;
  }
  return { files: unique, dirs };
}

interface StoredProduct {
  name: string;
  contentHash: string;
  sourcePath: string;
  edited: boolean;
  /** The warnings stored with it (JSON), null when none. */
  warnings: string | null;
}

async function loadStored(db: Database): Promise<{ products: StoredProduct[]; deleted: Set<string> } | null> {
  const present = await db.query<{ ok: boolean }>(`SELECT to_regclass('public.product') IS NOT NULL AS ok`);
  if (!present[0]?.ok) return null;
  const products = await db.query<StoredProduct>(
    `SELECT name, content_hash AS "contentHash", source_path AS "sourcePath", edited_at IS NOT NULL AS edited,
            CASE WHEN warnings = '[]'::jsonb THEN NULL ELSE warnings::text END AS warnings
       FROM product`,
  );
  const deleted = await db.query<{ name: string }>(`SELECT name FROM deleted_product`);
  return { products, deleted: new Set(deleted.map((d) => d.name)) };
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

/** SQLSTATE of a database error, through the driver adapter's wrapping. */
function sqlStateOf(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { code?: unknown; originalCode?: unknown; cause?: unknown };
    const c = x.originalCode ?? (x.cause as { originalCode?: unknown } | undefined)?.originalCode ?? x.code;
    if (typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c)) return c;
    e = x.cause;
  }
  return null;
}

/** Runs a transaction again (up to three times) when PostgreSQL aborted it as a deadlock's victim. */
async function retryOnConflict<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const state = sqlStateOf(err);
      if (attempt >= 3 || (state !== '40P01' && state !== '40001')) throw err;
      await new Promise((r) => setTimeout(r, 10 * attempt));
    }
  }
}

/** The product id a document's raw text names in a `permalink:` line (documents that did not parse). */
function permalinkIn(abs: string): string | null {
  let text: string;
  try {
    text = readFileSync(abs).subarray(0, 65_536).toString('utf8');
  } catch {
    return null;
  }
  const m = /^permalink:[ \t]*["']?\/?([a-z0-9._-]+)["']?[ \t]*(?:#.*)?\r?$/m.exec(text);
  return m ? m[1]! : null;
}

export function hashDocument(bytes: Buffer): string {
  return createHash('sha256').update(`eolgraph-importer-${IMPORTER_VERSION}\0`).update(bytes).digest('hex');
}

interface Prepared {
  file: SourceFile;
  hash: string;
  /** null: unchanged and stored, not parsed again. */
  doc: ProductDoc | null;
  name: string | null;
  problems: Problem[];
}

type Read = { bytes: Buffer; hash: string } | { problem: Problem };

/** Reads one file, refusing oversized ones before reading them. */
function readSource(abs: string, stored: string, limits: ParseLimits): Read {
  const fail = (message: string): Read => ({ problem: { file: stored, path: '', message, severity: 'error' } });
  try {
    const size = statSync(abs).size;
    if (size > limits.maxBytes) {
      return fail(
        `the file is ${size} bytes; documents larger than ${limits.maxBytes} bytes are refused (IMPORT_MAX_DOCUMENT_BYTES)`,
      );
    }
    const bytes = readFileSync(abs);
    return { bytes, hash: hashDocument(bytes) };
  } catch (err) {
    return fail(`cannot read the file: ${(err as Error).message}`);
  }
}

/** Parses, normalises and validates one document. Never throws for bad content. */
export function prepareDocument(
  bytes: Buffer,
  stored: string,
  limits: ParseLimits,
  today: string,
): { doc: ProductDoc | null; name: string | null; problems: Problem[] } {
  const hash = hashDocument(bytes);
  let parsed;
  try {
    parsed = parseDocument(bytes, limits);
  } catch (err) {
    if (!(err instanceof DocumentError)) throw err;
    const line = err.line !== undefined ? { line: err.line } : {};
    return {
      doc: null,
      name: null,
      problems: [{ file: stored, ...line, path: '', message: err.message, severity: 'error' }],
    };
  }
  const result = normaliseDocument({
    file: stored,
    contentHash: hash,
    data: parsed.data,
    body: parsed.body,
    lineOf: parsed.lineOf,
  });
  if (!result.doc) return result;
  const c = new Collector(stored, parsed.lineOf);
  validateDocument(c, result.doc, parsed.data, today);
  // A loop, not push(...list): one argument per warning overflows the stack past ~100,000 of them
  // (a valid document under the limits can have that many: 50,000 releases without dates).
  for (const problem of c.problems) result.doc.warnings.push(problem);
  return { doc: result.doc, name: result.name, problems: result.doc.warnings };
}

/** Runs fn on items, limit at a time; once stop() says so, no further item is started. */
async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && !stop()) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/** How far an import got: what a DatabaseLostError reports. */
interface Progress {
  stage: DatabaseLostError['stage'];
  report: ImportReport | null;
  toWrite: Prepared[];
  /** Products of toWrite whose write ended (written, conflict, refused by the database). */
  settled: Set<Prepared>;
}

/**
 * Imports the documents of options.paths. A document the database refuses is rejected alone; a
 * failed connection (lost, refused, server shutting down) stops the import, which throws a
 * DatabaseLostError telling which products were written before it.
 */
export async function importDocuments(db: Database, options: ImportOptions): Promise<ImportReport> {
  const progress: Progress = { stage: 'reading', report: null, toWrite: [], settled: new Set() };
  try {
    return await runImport(db, options, progress);
  } catch (err) {
    if (classifyDbError(err) !== 'unavailable') throw err;
    const r = options.dryRun ? null : progress.report;
    throw new DatabaseLostError(
      err,
      progress.stage,
      [...(r?.created ?? [])].sort(),
      [...(r?.updated ?? [])].sort(),
      progress.toWrite
        .filter((p) => !progress.settled.has(p))
        .map((p) => p.doc!.name)
        .sort(),
      options.dryRun ?? false,
    );
  }
}

async function runImport(db: Database, options: ImportOptions, progress: Progress): Promise<ImportReport> {
  const started = performance.now();
  const today = options.today ?? todayUtc();
  const { files, dirs } = listFiles(options.paths, options.root);
  const stored = await loadStored(db);
  const storedByName = new Map((stored?.products ?? []).map((p) => [p.name, p]));
  const storedByPath = new Map((stored?.products ?? []).map((p) => [p.sourcePath, p]));

  const report: ImportReport = {
    documents: files.length,
    created: [],
    updated: [],
    unchanged: [],
    rejected: [],
    conflicts: [],
    editsKept: [],
    deletedKept: [],
    missing: [],
    pruned: [],
    pruneWithheld: [],
    moved: [],
    suspect: [],
    warnings: [],
    durationMs: 0,
    dryRun: options.dryRun ?? false,
  };
  progress.report = report;

  // Read and understand every document first: collisions between documents are only visible
  // once all of them are known.
  const prepared: Prepared[] = [];
  for (const file of files) {
    const read = readSource(file.abs, file.stored, options.limits);
    if ('problem' in read) {
      prepared.push({ file, hash: '', doc: null, name: null, problems: [read.problem] });
      continue;
    }
    const same = storedByPath.get(file.stored);
    if (same && same.contentHash === read.hash && !(same.edited && options.overwriteEdits)) {
      // Byte for byte the document imported last time: nothing to parse or write (unless the
      // product was edited and --overwrite-edits asks for the document to be applied again).
      prepared.push({ file, hash: read.hash, doc: null, name: same.name, problems: [] });
      continue;
    }
    const p = prepareDocument(read.bytes, file.stored, options.limits, today);
    prepared.push({ file, hash: read.hash, ...p });
  }

  // Two documents claiming one product id: neither can be trusted, both are rejected.
  const claims = new Map<string, Prepared[]>();
  for (const p of prepared) if (p.name) claims.set(p.name, [...(claims.get(p.name) ?? []), p]);
  for (const [name, owners] of claims) {
    if (owners.length < 2) continue;
    for (const p of owners) {
      const others = owners.filter((o) => o !== p).map((o) => o.file.stored);
      p.problems = [
        ...p.problems.filter((x) => x.severity === 'error'),
        {
          file: p.file.stored,
          path: 'permalink',
          message: `product id "${name}" is also claimed by ${others.join(', ')}`,
          severity: 'error',
        },
      ];
      p.doc = null;
      p.hash = '';
    }
  }
  // An alias claimed by two documents stays with the first (in path order).
  const aliasOwner = new Map<string, string>();
  for (const p of prepared) if (p.name) aliasOwner.set(p.name, p.name);
  for (const p of prepared) {
    if (!p.doc) continue;
    p.doc.aliases = p.doc.aliases.filter((a) => {
      const owner = aliasOwner.get(a);
      if (owner && owner !== p.doc!.name) {
        p.doc!.warnings.push({
          file: p.file.stored,
          path: 'alternate_urls',
          message: `alias "${a}" is already the id or an alias of product "${owner}"; not added`,
          severity: 'warning',
        });
        return false;
      }
      aliasOwner.set(a, p.doc!.name);
      return true;
    });
  }

  const toWrite: Prepared[] = [];
  for (const p of prepared) {
    if (!p.doc && (p.hash === '' || p.problems.some((x) => x.severity === 'error'))) {
      report.rejected.push({ file: p.file.stored, problems: p.problems });
      continue;
    }
    const current = p.name ? storedByName.get(p.name) : undefined;
    if (!p.doc) {
      // Unchanged file: not parsed again, so its warnings are the ones stored with it.
      if (current?.edited) report.editsKept.push(p.name!);
      else report.unchanged.push(p.name!);
      if (current?.warnings) {
        // Stored without the file (it is the product's source path) and the severity; an admin
        // may have edited the column into anything.
        const stored = JSON.parse(current.warnings) as unknown;
        for (const w of Array.isArray(stored) ? stored : []) {
          if (w && typeof w === 'object' && typeof (w as Problem).message === 'string') {
            const { path, message, line } = w as Problem;
            report.warnings.push({
              file: current.sourcePath,
              path: typeof path === 'string' ? path : '',
              message,
              ...(typeof line === 'number' ? { line } : {}),
              severity: 'warning',
            });
          }
        }
      }
      continue;
    }
    for (const warning of p.doc.warnings) report.warnings.push(warning); // (not push(...): see prepareDocument)
    if (current && current.contentHash === p.hash) {
      // Same content under another path: the product is as the document says (the path is updated).
      if (current.edited && !options.overwriteEdits) {
        report.editsKept.push(p.doc.name);
        continue;
      }
      if (current.sourcePath === p.file.stored && !current.edited) {
        report.unchanged.push(p.doc.name);
        continue;
      }
    }
    if (current?.edited && !options.overwriteEdits) {
      report.conflicts.push({
        name: p.doc.name,
        file: p.file.stored,
        reason:
          'the product was edited in the database after it was imported, and its document changed; left alone (--overwrite-edits applies the document)',
      });
      continue;
    }
    if (!current && stored?.deleted.has(p.doc.name) && !options.overwriteEdits) {
      report.deletedKept.push(p.doc.name);
      continue;
    }
    if (current && current.sourcePath !== p.file.stored) {
      report.moved.push({ name: p.doc.name, from: current.sourcePath, to: p.file.stored });
    }
    toWrite.push(p);
  }

  // Stored products whose document is gone: only those that came from the paths imported now
  // (importing one directory says nothing about products from another), and never those whose
  // document is here but was rejected.
  const claimed = new Set(prepared.map((p) => p.name).filter((n): n is string => n !== null));
  const rejectedPaths = new Set(report.rejected.map((r) => r.file));
  // A rejected document whose id could not be read may still be the document of a stored
  // product (renamed and broken at once): its permalink line is looked for in the raw text, and
  // if there is none, nothing is pruned in this run.
  for (const p of prepared) {
    if (p.name !== null || !rejectedPaths.has(p.file.stored)) continue;
    const name = permalinkIn(p.file.abs);
    if (name) claimed.add(name);
    else report.pruneWithheld.push(p.file.stored);
  }
  const scanned = (sourcePath: string) => {
    const abs = resolve(options.root, sourcePath);
    // A directory is read without its subdirectories, so only documents directly in it count.
    return files.some((f) => f.abs === abs) || dirs.includes(dirname(abs));
  };
  for (const p of stored?.products ?? []) {
    if (!claimed.has(p.name) && !rejectedPaths.has(p.sourcePath) && scanned(p.sourcePath)) report.missing.push(p.name);
  }

  if (!options.dryRun) {
    const importedAt = new Date();
    let done = 0;
    // The first connection failure: no further product is started (the pool's connections are
    // most likely all dead, and a database that comes back in the middle would get a random
    // part of the rest); the transactions in flight end, one way or the other, and the import
    // stops with it.
    const lost: { failed: boolean; error?: unknown } = { failed: false };
    progress.stage = 'writing';
    progress.toWrite = toWrite;
    options.onProgress?.(0, toWrite.length);
    const write = async (p: Prepared) => {
      const doc = p.doc!;
      try {
        // Two products' transactions can deadlock (the alias-name locks of the value-constraints
        // migration); PostgreSQL aborts one of them, which is then simply run again.
        const outcome = await retryOnConflict(() =>
          writeProduct(db, doc, { overwriteEdits: options.overwriteEdits ?? false, importedAt }),
        );
        if (outcome.kind === 'created') report.created.push(doc.name);
        else if (outcome.kind === 'updated') report.updated.push(doc.name);
        else if (outcome.kind === 'conflict')
          report.conflicts.push({ name: doc.name, file: p.file.stored, reason: outcome.reason });
        else report.deletedKept.push(doc.name);
      } catch (err) {
        if (classifyDbError(err) === 'unavailable') {
          // Not the document's fault: its transaction was rolled back, the import stops.
          if (!lost.failed) Object.assign(lost, { failed: true, error: err });
          return;
        }
        // The database refused the product (a constraint): this product is rejected and its
        // transaction rolled back; the others go on.
        report.rejected.push({
          file: p.file.stored,
          problems: [
            {
              file: p.file.stored,
              path: '',
              message: `the database refused it: ${describeDbError(err)}`,
              severity: 'error',
            },
          ],
        });
      }
      progress.settled.add(p);
      options.onProgress?.(++done, toWrite.length);
    };
    await mapLimit(toWrite, db.kind === 'postgres' ? (options.concurrency ?? 4) : 1, write, () => lost.failed);
    if (lost.failed) throw lost.error;
    progress.stage = 'pruning';
    if (options.prune && report.missing.length > 0 && report.pruneWithheld.length === 0) {
      const removable = report.missing.filter((n) => options.overwriteEdits || !storedByName.get(n)?.edited);
      await pruneProducts(db, removable);
      report.pruned.push(...removable);
    }
  } else {
    for (const p of toWrite) (storedByName.has(p.doc!.name) ? report.updated : report.created).push(p.doc!.name);
    if (options.prune && report.pruneWithheld.length === 0)
      report.pruned.push(...report.missing.filter((n) => options.overwriteEdits || !storedByName.get(n)?.edited));
  }
  progress.stage = 'checking';
  if (stored) report.suspect = await suspectRows(db);
  for (const list of [
    report.created,
    report.updated,
    report.unchanged,
    report.editsKept,
    report.deletedKept,
    report.missing,
    report.pruned,
  ]) {
    list.sort();
  }
  report.rejected.sort((a, b) => a.file.localeCompare(b.file));
  report.durationMs = performance.now() - started;
  return report;
}

const SUSPECT_ROWS = `
SELECT p.name AS product, rc.name AS cycle,
       'gives no release date and none of eol, eoas, eoes, discontinued' AS problem
  FROM release_cycle rc JOIN product p ON p.id = rc.product_id
 WHERE rc.release_date IS NULL
   AND rc.eol_flag IS NULL AND rc.eol_from IS NULL AND rc.eoas_flag IS NULL AND rc.eoas_from IS NULL
   AND rc.eoes_flag IS NULL AND rc.eoes_from IS NULL AND rc.discontinued_flag IS NULL AND rc.discontinued_from IS NULL
UNION ALL
SELECT p.name, NULL, 'has no release cycles'
  FROM product p WHERE NOT EXISTS (SELECT 1 FROM release_cycle rc WHERE rc.product_id = p.id)
UNION ALL
SELECT p.name, NULL, 'has the alias "' || a.alias || '", which is the id of product "' || o.name || '" (product_alias_not_a_product_name)'
  FROM product_alias a JOIN product p ON p.id = a.product_id JOIN product o ON o.name = a.alias AND o.id <> p.id`;

/** Check constraints a migration could not validate (old rows break them); see the value-constraints migration. */
const UNVALIDATED = `
SELECT c.conrelid::regclass::text AS "table", c.conname AS name, pg_get_constraintdef(c.oid) AS def
  FROM pg_constraint c
 WHERE c.connamespace = 'public'::regnamespace AND c.contype = 'c' AND NOT c.convalidated
 ORDER BY c.conname`;

/** Per table: the product a row belongs to, its cycle, and how the report names the row. */
const ROW_OF: Record<string, { product: string; cycle: string; what: string }> = {
  product: { product: 't.name', cycle: 'NULL', what: `''` },
  release_cycle: { product: 'p.name', cycle: 't.name', what: `''` },
  product_alias: { product: 'p.name', cycle: 'NULL', what: `'alias "' || t.alias || '" '` },
  product_tag: { product: 'p.name', cycle: 'NULL', what: `'tag "' || t.tag || '" '` },
  identifier: { product: 'p.name', cycle: 'NULL', what: `'identifier ' || t.type || ' "' || t.value || '" '` },
  custom_field: { product: 'p.name', cycle: 'NULL', what: `'custom field "' || t.name || '" '` },
  deleted_product: { product: `'(deleted) ' || t.name`, cycle: 'NULL', what: `''` },
};

export async function suspectRows(db: Database): Promise<ImportReport['suspect']> {
  const rows: ImportReport['suspect'] = await db.query(SUSPECT_ROWS);
  for (const c of await db.query<{ table: string; name: string; def: string }>(UNVALIDATED)) {
    const row = ROW_OF[c.table];
    const check = /^CHECK (.*?)(?: NOT VALID)?$/s.exec(c.def)?.[1];
    if (!row || !check) continue;
    // The constraint's own expression, on the table's rows only (the product's name comes from a
    // join kept out of the expression's scope, which names the table's columns unqualified).
    const broken = await db.query<ImportReport['suspect'][number]>(
      `SELECT ${row.product} AS product, ${row.cycle} AS cycle,
              ${row.what} || 'breaks ${c.name.replace(/'/g, "''")}, a rule it was stored before' AS problem
         FROM (SELECT * FROM ${c.table} WHERE NOT coalesce(${check}, true)) t
         ${c.table === 'product' || c.table === 'deleted_product' ? '' : 'JOIN product p ON p.id = t.product_id'}`,
    );
    for (const b of broken) rows.push(b);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort(
    (a, b) => cmp(a.product, b.product) || cmp(a.cycle ?? '', b.cycle ?? '') || cmp(a.problem, b.problem),
  );
}

export function describeDbError(err: unknown): string {
  const e = err as {
    message?: string;
    cause?: { message?: string; kind?: string; originalMessage?: string; host?: string; port?: number };
  };
  const c = e.cause;
  // The driver adapter names connection failures by kind only ("DatabaseNotReachable"): say where.
  if (c?.kind && !c.originalMessage && !c.message) {
    const where = c.host ? ` (${c.host}${c.port ? `:${c.port}` : ''})` : '';
    return `${c.kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}${where}`;
  }
  const msg = c?.originalMessage ?? c?.message ?? e.message ?? String(err);
  return msg.split('\n').filter(Boolean).slice(-1)[0] ?? msg;
}

export function summaryLine(r: ImportReport): string {
  const parts = [
    `created: ${r.created.length}`,
    `updated: ${r.updated.length}`,
    `unchanged: ${r.unchanged.length}`,
    `rejected: ${r.rejected.length}`,
    `conflicts: ${r.conflicts.length}`,
    `pruned: ${r.pruned.length}`,
  ];
  if (r.editsKept.length) parts.push(`edits kept: ${r.editsKept.length}`);
  if (r.deletedKept.length) parts.push(`deleted in database: ${r.deletedKept.length}`);
  if (r.missing.length && !r.pruned.length) parts.push(`documents gone: ${r.missing.length}`);
  parts.push(`warnings: ${r.warnings.length}`);
  return `${r.dryRun ? 'dry run, nothing written — ' : ''}${r.documents} documents in ${(r.durationMs / 1000).toFixed(2)} s — ${parts.join(', ')}`;
}
