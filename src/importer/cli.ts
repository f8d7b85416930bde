// npm run import -- [PATH…] [--prune] [--dry-run] [--overwrite-edits] [--verbose]
// A dry run on the embedded database neither creates it nor waits for the service that holds it:
// it then validates and compares with an empty database (and says so).
// Exit codes: 0 everything imported; 1 some document was rejected or left alone as a conflict;
// 2 usage, configuration or database error.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCli } from '../cli.ts';
import { loadConfig } from '../config.ts';
import { openPglite, type Database } from '../db/database.ts';
import { migrate, MigrationError } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';
import { DataDirLockedError } from '../db/pglite-lock.ts';
import type { Problem } from './document.ts';
import {
  DatabaseLostError,
  describeDbError,
  importDocuments,
  summaryLine,
  UsageError,
  type ImportReport,
} from './import.ts';

/** How long closing the database may take before the importer exits anyway (milliseconds). */
const CLOSE_TIMEOUT_MS = 5000;

const USAGE = `Usage: npm run import -- [PATH…] [options]

Imports endoflife.date product documents (Markdown with YAML front matter) from each PATH, a
file or a directory of *.md files (default: the seeds directory).

Options:
  --prune            delete stored products whose documents are gone from the imported paths
  --dry-run          validate and report what would change, without writing anything (on an
                     embedded database that does not exist yet or that the running service
                     holds: validate, and compare with an empty database)
  --overwrite-edits  apply documents even over rows edited in the database (Prisma Studio, SQL)
  --verbose          list every warning
  -h, --help         show this help`;

export function formatProblem(p: Problem): string {
  const where = `${p.file}${p.line !== undefined ? `:${p.line}` : ''}`;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export function formatReport(r: ImportReport, verbose: boolean): string[] {
  const out: string[] = [summaryLine(r)];
  for (const rej of r.rejected) {
    out.push(`rejected ${rej.file}:`);
    for (const p of rej.problems.filter((x) => x.severity === 'error')) out.push(`  ${formatProblem(p)}`);
  }
  for (const c of r.conflicts) out.push(`conflict ${c.name} (${c.file}): ${c.reason}`);
  if (r.editsKept.length) out.push(`edited in the database, edits kept: ${r.editsKept.join(', ')}`);
  if (r.deletedKept.length) {
    out.push(
      `deleted or renamed in the database, not re-created (--overwrite-edits restores them): ${r.deletedKept.join(', ')}`,
    );
  }
  if (r.missing.length && !r.pruned.length) {
    out.push(
      `documents gone, products kept${r.pruneWithheld.length ? '' : ' (--prune removes them)'}: ${r.missing.join(', ')}`,
    );
  }
  if (r.pruned.length) out.push(`${r.dryRun ? 'would prune' : 'pruned'}: ${r.pruned.join(', ')}`);
  if (r.pruneWithheld.length && r.missing.length) {
    out.push(
      `nothing pruned: the product id of ${r.pruneWithheld.join(', ')} could not be read, and a product that looks gone may be its (fix the document and run again)`,
    );
  }
  for (const m of r.moved)
    out.push(`${r.dryRun ? 'would take' : 'took'} ${m.name} from ${m.to} (it came from ${m.from})`);
  const keptGone = r.pruned.length ? r.missing.filter((n) => !r.pruned.includes(n)) : [];
  if (keptGone.length)
    out.push(`documents gone but edited in the database, kept (--overwrite-edits prunes them): ${keptGone.join(', ')}`);
  for (const s of r.suspect) {
    out.push(
      `check ${s.product}${s.cycle !== null ? ` cycle "${s.cycle}"` : ''}: ${s.problem} (probably edited by hand)`,
    );
  }
  if (verbose) for (const w of r.warnings) out.push(`warning ${formatProblem(w)}`);
  else if (r.warnings.length) out.push(`${r.warnings.length} warnings (--verbose lists them)`);
  return out;
}

/** At most this many names of a list, then how many more. */
function names(list: string[], max = 50): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

/** What an import interrupted by a failed database connection did and did not do. */
export function formatDatabaseLost(err: DatabaseLostError, description: string): string[] {
  const out = [`database error (${description}): ${err.message}`];
  const written = err.created.length + err.updated.length;
  if (err.dryRun) {
    out.push('a dry run: nothing was written');
    return out;
  }
  if (err.stage === 'reading') {
    out.push('the import stopped before writing anything');
    return out;
  }
  if (written > 0) {
    const parts = [
      err.created.length ? `created: ${names(err.created)}` : '',
      err.updated.length ? `updated: ${names(err.updated)}` : '',
    ].filter(Boolean);
    out.push(
      `written before it: ${written} product${written === 1 ? '' : 's'}, each whole in its own transaction (${parts.join('; ')})`,
    );
  } else if (err.stage === 'writing') {
    out.push('no product was written before it');
  }
  if (err.notWritten.length > 0) {
    out.push(
      `not written: ${err.notWritten.length} product${err.notWritten.length === 1 ? '' : 's'} (the import stopped there; none is half-written, and one whose COMMIT was on its way when the connection failed may be written after all): ${names(err.notWritten)}`,
    );
  } else if (err.stage !== 'writing') {
    out.push(
      `every product to write was written; the connection failed afterwards${err.stage === 'pruning' ? ', and nothing was pruned' : ''}`,
    );
  }
  out.push('run the import again to complete it');
  return out;
}

/** Closes the database, giving up after timeoutMs: true when it closed in time. */
async function closeWithin(db: Database, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      db.close().then(
        () => true,
        () => true, // a failure to close is no reason to keep the process
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        prune: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'overwrite-edits': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const paths = args.positionals.length > 0 ? args.positionals : [config.seedsDir];
  let db: Database | null = null;
  let midLine = false; // the progress line is showing, without its newline
  try {
    const dryRun = args.values['dry-run'];
    let notice: string | null = null;
    if (dryRun && !config.databaseUrl && !existsSync(config.pgliteDir)) {
      // A dry run writes nothing, so it does not create the embedded database either.
      notice = `no embedded database at ${config.pgliteDir} yet: compared with an empty one`;
    } else {
      try {
        db = await openDatabase(config);
      } catch (err) {
        if (!(dryRun && err instanceof DataDirLockedError)) throw err;
        notice =
          `the embedded database is in use by process ${err.holder.pid} (the running service?): ` +
          'the documents were validated, and compared with an empty database, not with what it holds';
      }
    }
    if (!db) {
      db = await openPglite(); // in memory: nothing stored, nothing kept
      await migrate(db);
    } else if (!dryRun) await migrate(db);
    if (notice) console.log(`note: ${notice}`);
    const tty = process.stderr.isTTY;
    const report = await importDocuments(db, {
      paths,
      root: config.root,
      limits: { maxBytes: config.importMaxDocumentBytes, maxYamlNodes: config.importMaxYamlNodes },
      prune: args.values.prune,
      dryRun: args.values['dry-run'],
      overwriteEdits: args.values['overwrite-edits'],
      onProgress: tty
        ? (done, total) => {
            if (total < 20) return;
            process.stderr.write(`\rwriting ${done}/${total} products${done === total ? '\n' : ''}`);
            midLine = done !== total;
          }
        : undefined,
    });
    for (const line of formatReport(report, args.values.verbose)) console.log(line);
    return report.rejected.length > 0 || report.conflicts.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
    } else if (err instanceof DatabaseLostError) {
      if (midLine) process.stderr.write('\n');
      for (const line of formatDatabaseLost(err, db?.description ?? 'the database')) console.error(line);
    } else if (err instanceof DataDirLockedError || err instanceof MigrationError) {
      console.error(err.message);
    } else {
      console.error(`database error (${db?.description ?? 'opening the database'}): ${describeDbError(err)}`);
    }
    return 2;
  } finally {
    // Bounded: a connection the driver never gives back must not keep the process for ever.
    if (db && !(await closeWithin(db, CLOSE_TIMEOUT_MS))) {
      console.error(
        `closing the database (${db.description}) did not finish within ${CLOSE_TIMEOUT_MS / 1000} s; exiting anyway`,
      );
    }
  }
}

await runCli(main);
// Explicitly: whatever a driver may still hold open (a socket, a timer) does not decide when, or
// with which code, the importer ends. What was printed is flushed first (pipes are asynchronous
// on some platforms), for at most a second.
const flushed = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));
await Promise.race([
  Promise.all([flushed(process.stdout), flushed(process.stderr)]),
  new Promise((resolve) => setTimeout(resolve, 1000).unref()),
]);
process.exit(process.exitCode ?? 0);
