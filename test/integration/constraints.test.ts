// The value constraints (prisma/migrations/20261127050000_value_constraints): an admin's UPDATE or
// INSERT in plain SQL (psql, Prisma Studio) that would store a value the API cannot serve as it
// promises is refused, naming the constraint, and changes nothing; the importer's rules
// (src/importer/shapes.ts) are the same as the database's, and a document's such values are refused
// before they reach it, with the file, line and field; the Date scalar refuses what slips
// through anyway; a database that holds such rows from before the migration still migrates, and
// the importer lists those rows.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { ImportReport } from '../../src/importer/import.ts';
import { httpLinkProblem, httpTemplateProblem, isPermalinkName, isTrimmedText } from '../../src/importer/shapes.ts';
import { createTestDatabase, createTestPglite, type TestDatabase } from '../helpers/db.ts';
import {
  lineWith,
  readDocument,
  removeDir,
  replaceOnce,
  runImport,
  TABLES,
  tempDir,
  writeDocument,
} from '../helpers/documents.ts';
import { projectRoot, seedsDir } from '../helpers/env.ts';
import { startTestServer } from '../helpers/server.ts';

/** Runs SQL as an admin would in psql: its own connection, no importer marker. */
async function adminSql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** Every row of every table (a digest per table): "nothing else changed" means this is equal. */
async function everything(db: Pick<Database, 'query'>): Promise<Record<string, unknown>[]> {
  return db.query(
    TABLES.map(
      (
        t,
      ) => `SELECT '${t}' AS t, count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS rows
                FROM "${t}" x`,
    ).join(' UNION ALL '),
  );
}

/** A cycle of the nodejs seed ("22" is also an angular cycle). */
const NODE = (cycle: string) => `product_id = (SELECT id FROM product WHERE name = 'nodejs') AND name = '${cycle}'`;
/** The first identifier of the go seed. */
const GO_ID = `product_id = (SELECT id FROM product WHERE name = 'go') AND position = 0`;

// Each: what an admin tries, the statement, the constraint that refuses it.
const REFUSALS: [string, string, string][] = [
  // Dates: finite, AD, four-digit year.
  [
    'an eol date of infinity',
    `UPDATE release_cycle SET eol_from = 'infinity' WHERE ${NODE('22')}`,
    'release_cycle_eol_from_in_range',
  ],
  [
    'an eoas date before Christ',
    `UPDATE release_cycle SET eoas_from = '4713-01-01 BC' WHERE ${NODE('22')}`,
    'release_cycle_eoas_from_in_range',
  ],
  [
    'an eoes date in year 50000',
    `UPDATE release_cycle SET eoes_flag = NULL, eoes_from = '50000-01-01' WHERE ${NODE('22')}`,
    'release_cycle_eoes_from_in_range',
  ],
  [
    'an lts date of -infinity',
    `UPDATE release_cycle SET lts_from = '-infinity' WHERE ${NODE('22')}`,
    'release_cycle_lts_from_in_range',
  ],
  [
    'a discontinued date of infinity',
    `UPDATE release_cycle SET discontinued_from = 'infinity' WHERE ${NODE('22')}`,
    'release_cycle_discontinued_from_in_range',
  ],
  [
    'a release date of -infinity',
    `UPDATE release_cycle SET release_date = '-infinity' WHERE ${NODE('22')}`,
    'release_cycle_release_date_in_range',
  ],
  [
    'a latest release date in year 10000',
    `UPDATE release_cycle SET latest_release_date = '10000-01-01' WHERE ${NODE('22')}`,
    'release_cycle_latest_release_date_in_range',
  ],
  ['an addedAt of infinity', `UPDATE product SET added_at = 'infinity' WHERE name = 'go'`, 'product_added_at_in_range'],
  [
    'an imported_at before Christ',
    `UPDATE product SET imported_at = '0044-03-15 BC' WHERE name = 'go'`,
    'product_imported_at_in_range',
  ],
  // The touch triggers set updated_at / edited_at themselves; with them off (replica mode), the
  // constraint still holds.
  [
    'a product updated_at of infinity, triggers off',
    `SET session_replication_role = replica; UPDATE product SET updated_at = 'infinity' WHERE name = 'go'`,
    'product_updated_at_in_range',
  ],
  [
    'a product edited_at of infinity, triggers off',
    `SET session_replication_role = replica; UPDATE product SET edited_at = 'infinity' WHERE name = 'go'`,
    'product_edited_at_in_range',
  ],
  [
    'a cycle updated_at of -infinity, triggers off',
    `SET session_replication_role = replica; UPDATE release_cycle SET updated_at = '-infinity' WHERE ${NODE('22')}`,
    'release_cycle_updated_at_in_range',
  ],
  [
    'a cycle edited_at in year 20000, triggers off',
    `SET session_replication_role = replica; UPDATE release_cycle SET edited_at = '20000-01-01' WHERE ${NODE('22')}`,
    'release_cycle_edited_at_in_range',
  ],
  [
    'a tombstone of infinity',
    `INSERT INTO deleted_product (name, deleted_at) VALUES ('gone', 'infinity')`,
    'deleted_product_deleted_at_in_range',
  ],
  // Names: trimmed, non-empty, no control characters.
  [
    'a cycle name " 1.15 "',
    `UPDATE release_cycle SET name = ' 1.15 ' WHERE ${NODE('22')}`,
    'release_cycle_name_trimmed_text',
  ],
  [
    'a cycle name with a newline and a tab',
    `UPDATE release_cycle SET name = E'1.14\\n\\t' WHERE ${NODE('22')}`,
    'release_cycle_name_trimmed_text',
  ],
  [
    'a cycle name ending in a no-break space',
    `UPDATE release_cycle SET name = E'22\\u00a0' WHERE ${NODE('22')}`,
    'release_cycle_name_trimmed_text',
  ],
  ['an empty latest', `UPDATE release_cycle SET latest = '' WHERE ${NODE('22')}`, 'release_cycle_latest_trimmed_text'],
  [
    'a latest with a C1 control character',
    `UPDATE release_cycle SET latest = E'22.1\\u009b' WHERE ${NODE('22')}`,
    'release_cycle_latest_trimmed_text',
  ],
  [
    'a tag with a control character',
    `INSERT INTO product_tag (product_id, tag) SELECT id, E'web\\u0001' FROM product WHERE name = 'go'`,
    'product_tag_trimmed_text',
  ],
  [
    'an identifier type with a trailing newline',
    `UPDATE identifier SET type = E'purl\\n' WHERE ${GO_ID}`,
    'identifier_type_trimmed_text',
  ],
  [
    'an identifier value with a leading space',
    `UPDATE identifier SET value = ' ' || value WHERE ${GO_ID}`,
    'identifier_value_trimmed_text',
  ],
  [
    'a custom field name with a leading space',
    `INSERT INTO custom_field (product_id, name, display, position) SELECT id, ' chip', 'api-only', 9 FROM product WHERE name = 'go'`,
    'custom_field_name_trimmed_text',
  ],
  // Product ids and aliases: the permalink shape.
  [
    'a product named "UPPER?x"',
    `INSERT INTO product (name, label, permalink) VALUES ('UPPER?x', 'Upper', '/upper')`,
    'product_name_permalink_shape',
  ],
  ['a product renamed "Go"', `UPDATE product SET name = 'Go' WHERE name = 'go'`, 'product_name_permalink_shape'],
  ['an empty permalink', `UPDATE product SET permalink = '' WHERE name = 'go'`, 'product_permalink_shape'],
  ['a permalink without its "/"', `UPDATE product SET permalink = 'go' WHERE name = 'go'`, 'product_permalink_shape'],
  [
    'an alias with a question mark',
    `INSERT INTO product_alias (alias, product_id, position) SELECT 'golang?', id, 9 FROM product WHERE name = 'go'`,
    'product_alias_permalink_shape',
  ],
  ['an alias "."', `UPDATE product_alias SET alias = '.' WHERE alias = 'node'`, 'product_alias_permalink_shape'],
  // Links: http(s) only.
  [
    'a cycle link javascript:',
    `UPDATE release_cycle SET link_set = true, link = 'javascript:alert(1)' WHERE ${NODE('22')}`,
    'release_cycle_link_http',
  ],
  [
    'a cycle link with a newline',
    `UPDATE release_cycle SET link_set = true, link = E'https://example.com/\\nx' WHERE ${NODE('22')}`,
    'release_cycle_link_http',
  ],
  [
    'a release policy link data:',
    `UPDATE product SET release_policy_link = 'data:text/html,<script>x</script>' WHERE name = 'go'`,
    'product_release_policy_link_http',
  ],
  [
    'a changelog template without a scheme',
    `UPDATE product SET changelog_template = '//example.com/__LATEST__' WHERE name = 'go'`,
    'product_changelog_template_http',
  ],
  [
    'a custom field link ftp:',
    `INSERT INTO custom_field (product_id, name, display, link, position) SELECT id, 'chip', 'api-only', 'ftp://x', 9 FROM product WHERE name = 'go'`,
    'custom_field_link_http',
  ],
  // Across tables (triggers): one key, one product.
  [
    "an alias that is another product's id (alias nodejs on go)",
    `INSERT INTO product_alias (alias, product_id, position) SELECT 'nodejs', id, 9 FROM product WHERE name = 'go'`,
    'product_alias_not_a_product_name',
  ],
  [
    "an alias renamed to another product's id",
    `UPDATE product_alias SET alias = 'python' WHERE alias = 'node'`,
    'product_alias_not_a_product_name',
  ],
  [
    "a product renamed to another product's alias (go → node)",
    `UPDATE product SET name = 'node' WHERE name = 'go'`,
    'product_name_not_an_alias',
  ],
  [
    "a new product named after another product's alias",
    `INSERT INTO product (name, label, permalink) VALUES ('node', 'Node', '/node')`,
    'product_name_not_an_alias',
  ],
];

describe('PostgreSQL refuses what breaks the API contract, naming the constraint, changing nothing', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
    expect((await runImport(t.db, [seedsDir])).rejected).toEqual([]);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('the seeds hold what the statements below change (the refusals are not vacuous)', async () => {
    const [row] = await t.db.query<{ cycles: number; go: number; node: number; golang: number }>(
      `SELECT (SELECT count(*)::int FROM release_cycle WHERE ${NODE('22')}) AS cycles,
              (SELECT count(*)::int FROM product WHERE name = 'go') AS go,
              (SELECT count(*)::int FROM product_alias WHERE alias = 'node') AS node,
              (SELECT count(*)::int FROM identifier WHERE ${GO_ID}) AS golang`,
    );
    expect(row).toEqual({ cycles: 1, go: 1, node: 1, golang: 1 });
  });

  it.each(REFUSALS)('%s: %s → %s', async (_what, sql, constraint) => {
    const before = await everything(t.db);
    const err = await adminSql(t.url, sql).then(
      () => expect.fail(`the database accepted: ${sql}`),
      (e: unknown) => e as pg.DatabaseError,
    );
    expect(err.code).toBe('23514'); // check_violation
    expect(err.constraint).toBe(constraint);
    expect(err.message).toContain(constraint);
    expect(await everything(t.db)).toEqual(before);
  });

  it('every constraint of the migration has a refusal above, and all are validated', async () => {
    const rows = await t.db.query<{ name: string; validated: boolean }>(
      `SELECT conname AS name, convalidated AS validated FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND contype = 'c'
          AND (conname ~ '_(in_range|trimmed_text|permalink_shape|http)$' OR conname = 'product_permalink_shape')`,
    );
    expect(rows.length).toBe(27);
    expect(rows.filter((r) => !r.validated)).toEqual([]);
    const tested = new Set(REFUSALS.map(([, , c]) => c));
    expect(rows.map((r) => r.name).filter((n) => !tested.has(n))).toEqual([]);
  });

  it('what stays allowed: legacy-shaped aliases and ids, inner spaces in a cycle name, an alias of its own product', async () => {
    await adminSql(
      t.url,
      `BEGIN;
       INSERT INTO product_alias (alias, product_id, position) SELECT a, id, 10 + i
         FROM product, unnest(ARRAY['.net', 'node.js', 'pop_os', 'go']) WITH ORDINALITY AS x(a, i) WHERE name = 'go';
       UPDATE release_cycle SET name = 'Amazon Linux 2', latest = '2.0.1', link_set = true, link = 'HTTPS://example.com/x'
        WHERE ${NODE('22')};
       UPDATE product SET changelog_template = E'https://example.com/{{ "__LATEST__" }}\\n', added_at = '0001-01-01'
        WHERE name = 'go';
       ROLLBACK;`,
    );
  });

  it('two writers at once: the second waits for the first to commit, then sees its row and is refused', async () => {
    const first = new pg.Client({ connectionString: t.url });
    const second = new pg.Client({ connectionString: t.url });
    await first.connect();
    await second.connect();
    try {
      await first.query('BEGIN');
      await first.query(
        `INSERT INTO product_alias (alias, product_id, position) SELECT 'golang-next', id, 9 FROM product WHERE name = 'go'`,
      );
      // The alias is not committed: a product of that name must wait for it, not decide without it.
      let settled = false;
      const creating = second
        .query(`INSERT INTO product (name, label, permalink) VALUES ('golang-next', 'Next', '/golang-next')`)
        .then(
          () => ((settled = true), null),
          (e: unknown) => ((settled = true), e as pg.DatabaseError),
        );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      await first.query('COMMIT');
      const err = await creating;
      expect(err?.constraint).toBe('product_name_not_an_alias');
      expect(err?.message).toContain('"golang-next" is an alias of product "go"');
      expect(await t.db.query(`SELECT name FROM product WHERE name = 'golang-next'`)).toEqual([]);
    } finally {
      await first.query(`DELETE FROM product_alias WHERE alias = 'golang-next'`);
      await first.end();
      await second.end();
    }
  });

  it('through Prisma Client (what Prisma Studio uses) too, with the constraint in the message', async () => {
    const before = await everything(t.db);
    const cycle = await t.db.prisma.releaseCycle.findFirstOrThrow({
      where: { name: '22', product: { name: 'nodejs' } },
    });
    const err = await t.db.prisma.releaseCycle
      .update({ where: { id: cycle.id }, data: { linkSet: true, link: 'javascript:alert(1)' } })
      .then(
        () => expect.fail('Prisma accepted a javascript: link'),
        (e: unknown) => e as Error,
      );
    expect(err.message).toContain('release_cycle_link_http');
    const go = await t.db.prisma.product.findUniqueOrThrow({ where: { name: 'go' } });
    const aliasErr = await t.db.prisma.productAlias
      .create({ data: { alias: 'nodejs', productId: go.id, position: 9 } })
      .then(
        () => expect.fail('Prisma accepted an alias that is another product id'),
        (e: unknown) => e as Error,
      );
    expect(aliasErr.message).toContain('product_alias_not_a_product_name');
    expect(await everything(t.db)).toEqual(before);
  });

  it('the importer and the database apply the same rules, character by character', async () => {
    // Every character of interest alone, at either end and inside a value.
    const chars = [
      ...Array.from({ length: 0x21 }, (_, i) => i).slice(1),
      ...[0x2e, 0x2d, 0x5f, 0x2f, 0x3f, 0x41, 0x5a, 0x61, 0x7a, 0x30, 0x39, 0xe9],
      ...Array.from({ length: 0x22 }, (_, i) => 0x7e + i), // ~ DEL C1 NBSP
      ...[0x1680, 0x180e, 0x2000, 0x200a, 0x200b, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff, 0xfffd],
    ].map((c) => String.fromCodePoint(c));
    const values = ['', 'a', 'https://example.com', 'http://x', 'HTTP://x', 'https://', 'https:// x', 'javascript:x'];
    for (const ch of chars)
      values.push(ch, `a${ch}`, `${ch}a`, `a${ch}b`, `https://${ch}x`, `https://x${ch}`, `${ch}https://x`);
    const sql = await t.db.query<{ v: string; trimmed: boolean; permalink: boolean; link: boolean; template: boolean }>(
      `SELECT v, eolgraph_is_trimmed_text(v) AS trimmed, eolgraph_is_permalink_name(v) AS permalink,
              eolgraph_is_http_link(v) AS link, eolgraph_is_http_template(v) AS template
         FROM unnest($1::text[]) WITH ORDINALITY AS x(v, i) ORDER BY i`,
      [values],
    );
    const ts = values.map((v) => ({
      v,
      trimmed: isTrimmedText(v),
      permalink: isPermalinkName(v),
      link: httpLinkProblem(v) === null,
      template: httpTemplateProblem(v) === null,
    }));
    // SQL's '' is a value too (trimmed false): the same as TypeScript's.
    expect(sql.map((r) => ({ ...r, trimmed: r.trimmed ?? false }))).toEqual(ts);
  });
});

describe('PGlite refuses them too', () => {
  let db: Database;

  beforeAll(async () => {
    db = await createTestPglite();
    expect((await runImport(db, [seedsDir])).rejected).toEqual([]);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each(REFUSALS.filter(([, sql]) => !sql.startsWith('SET ')).filter((_, i) => i % 3 === 0))(
    '%s → %s',
    async (_what, sql, constraint) => {
      const before = await everything(db);
      const err = await db.execute(sql).then(
        () => expect.fail(`PGlite accepted: ${sql}`),
        (e: unknown) => e as Error & { cause?: { originalCode?: string; originalMessage?: string } },
      );
      expect(err.cause?.originalCode).toBe('23514');
      expect(err.cause?.originalMessage).toContain(constraint);
      expect(await everything(db)).toEqual(before);
    },
  );
});

describe('the importer refuses such values in documents before the database sees them', () => {
  let t: TestDatabase;
  let dir: string;
  let report: ImportReport;

  beforeAll(async () => {
    t = await createTestDatabase();
    dir = tempDir('constraints');
    const node = readDocument(seedsDir, 'nodejs.md');
    // A hostile link on cycle 22 (the product's template then applies), a blank latest.
    writeDocument(
      dir,
      'nodejs.md',
      replaceOnce(node, '    latest: "22.23.2"\n', '    latest: ""\n    link: "javascript:alert(1)"\n'),
    );
    // A cycle name with spaces around it: the cycle's identity, so the document is rejected.
    writeDocument(
      dir,
      'go.md',
      replaceOnce(readDocument(seedsDir, 'go.md'), 'releaseCycle: "1.25"', 'releaseCycle: " 1.25 "'),
    );
    report = await runImport(t.db, [dir]);
  });
  afterAll(async () => {
    await t?.drop();
    removeDir(dir);
  });

  it('a cycle name that breaks its rule rejects the document, naming file, line and field', () => {
    const text = readDocument(dir, 'go.md');
    expect(
      report.rejected.map((r) => ({
        file: basename(r.file),
        problems: r.problems.filter((p) => p.severity === 'error'),
      })),
    ).toEqual([
      {
        file: 'go.md',
        problems: [
          {
            file: expect.stringMatching(/go\.md$/),
            line: lineWith(text, '" 1.25 "'),
            path: expect.stringMatching(/^releases\[\d+\]\.releaseCycle$/),
            message: '" 1.25 " cannot be a cycle name: it has whitespace at its start or end',
            severity: 'error',
          },
        ],
      },
    ]);
    expect(report.created).toEqual(['nodejs']);
  });

  it('a javascript: link or a blank latest is not stored, and a warning names file, line and field', async () => {
    const text = readDocument(dir, 'nodejs.md');
    const warnings = report.warnings
      .filter((w) => w.path.endsWith('.link') || w.path.endsWith('.latest'))
      .map(({ file, line, path, message }) => ({ file: basename(file), line, path, message }));
    expect(warnings).toEqual([
      {
        file: 'nodejs.md',
        line: lineWith(text, 'javascript:'),
        path: expect.stringMatching(/\.link$/),
        message:
          '"javascript:alert(1)" is not an http(s) URL; not stored (the product\'s changelog template applies instead)',
      },
      {
        file: 'nodejs.md',
        line: lineWith(text, 'latest: ""'),
        path: expect.stringMatching(/\.latest$/),
        message: '"" is blank; treated as absent (no latest version)',
      },
      {
        file: 'nodejs.md',
        line: lineWith(text, 'latest: ""'),
        path: expect.stringMatching(/\.latest$/),
        message: 'cycle "22" has no latest although the latest column is shown',
      },
    ]);
    const [cycle] = await t.db.query(`SELECT latest, link_set, link FROM release_cycle WHERE ${NODE('22')}`);
    expect(cycle).toEqual({ latest: null, link_set: false, link: null });
  });
});

describe('the Date scalar: a value that is not a calendar date is an error for that field only', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
    expect((await runImport(t.db, [seedsDir])).rejected).toEqual([]);
    // What the constraints prevent, made possible here on purpose.
    await adminSql(
      t.url,
      `ALTER TABLE release_cycle DROP CONSTRAINT release_cycle_eol_from_in_range;
       ALTER TABLE release_cycle DROP CONSTRAINT release_cycle_eoas_from_in_range;
       UPDATE release_cycle SET eol_from = 'infinity' WHERE ${NODE('22')};
       UPDATE release_cycle SET eoas_from = '4713-01-01 BC' WHERE ${NODE('20')};`,
    );
  });
  afterAll(async () => {
    await t?.drop();
  });

  it.each(['jit', 'graphql-js'] as const)('executor %s', async (executor) => {
    const server = await startTestServer(t.db, { options: { executor } });
    try {
      const r = await server.gql<{
        product: { releases: { name: string; eolFrom: string | null; eoasFrom: string | null }[] };
      }>(`{ product(name: "nodejs") { releases { name eolFrom eoasFrom } } }`);
      expect(r.status).toBe(200);
      const byName = new Map(r.data.product.releases.map((c) => [c.name, c]));
      expect(byName.get('22')).toMatchObject({ eolFrom: null });
      expect(byName.get('20')).toMatchObject({ eoasFrom: null });
      expect(byName.get('18')?.eolFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const errors = (r.errors ?? []).map((e) => ({ message: e.message, field: e.path?.at(-1) }));
      expect(errors).toEqual(
        expect.arrayContaining([
          { message: 'Date cannot represent "infinity": not a calendar date "YYYY-MM-DD"', field: 'eolFrom' },
          { message: 'Date cannot represent "4713-01-01 BC": not a calendar date "YYYY-MM-DD"', field: 'eoasFrom' },
        ]),
      );
      expect(errors).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});

describe('a database holding such rows from before the migration', () => {
  const BEFORE = '20261127050000_value_constraints';
  let t: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    // The migrations as they were before this one.
    dir = mkdtempSync(join(tmpdir(), 'eolgraph-migrations-'));
    cpSync(join(projectRoot, 'prisma/migrations'), dir, { recursive: true });
    rmSync(join(dir, BEFORE), { recursive: true });
    t = await createTestDatabase({ empty: true });
    await migrate(t.db, dir);
    expect((await runImport(t.db, [seedsDir])).rejected).toEqual([]);
    // What the importer used to store (an empty latest, as pan-os.md has; a permalink without its
    // "/"), then what an admin made by hand.
    await adminSql(
      t.url,
      `SELECT set_config('eolgraph.writer', 'importer', false);
       UPDATE release_cycle SET latest = '' WHERE ${NODE('22')};
       UPDATE product SET permalink = 'go', changelog_template = '' WHERE name = 'go';
       SELECT set_config('eolgraph.writer', '', false);
       UPDATE release_cycle SET link_set = true, link = 'javascript:alert(1)' WHERE ${NODE('20')};
       UPDATE release_cycle SET eol_from = 'infinity' WHERE ${NODE('18')};
       INSERT INTO product_alias (alias, product_id, position) SELECT 'python', id, 5 FROM product WHERE name = 'go';`,
    );
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates: what the importer stored is rewritten as it now reads it, without marking edits', async () => {
    const edited = () =>
      t.db.query<{ name: string }>(`SELECT name FROM product WHERE edited_at IS NOT NULL ORDER BY name`);
    const editedBefore = await edited();
    expect(editedBefore.map((r) => r.name)).toEqual(['go', 'nodejs']); // the hand-made rows
    expect(await migrate(t.db)).toEqual({ applied: [BEFORE], alreadyApplied: 5, repaired: [] });
    const [go] = await t.db.query(`SELECT permalink, changelog_template FROM product WHERE name = 'go'`);
    expect(go).toEqual({ permalink: '/go', changelog_template: null });
    const [cycle] = await t.db.query(`SELECT latest FROM release_cycle WHERE ${NODE('22')}`);
    expect(cycle).toEqual({ latest: null });
    expect(await edited()).toEqual(editedBefore);
  });

  it('a constraint that hand-made rows break stays NOT VALID, yet refuses new such rows', async () => {
    const notValid = await t.db.query<{ name: string }>(
      `SELECT conname AS name FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND NOT convalidated ORDER BY 1`,
    );
    expect(notValid.map((r) => r.name)).toEqual(['release_cycle_eol_from_in_range', 'release_cycle_link_http']);
    const err = await adminSql(t.url, `UPDATE release_cycle SET link = 'javascript:x' WHERE ${NODE('22')}`).then(
      () => expect.fail('accepted'),
      (e: unknown) => e as pg.DatabaseError,
    );
    expect(err.constraint).toBe('release_cycle_link_http');
  });

  it('the importer lists those rows ("check …"), and the alias that is another product id', async () => {
    const report = await runImport(t.db, [seedsDir]);
    expect(report.suspect).toEqual([
      {
        product: 'go',
        cycle: null,
        problem: 'has the alias "python", which is the id of product "python" (product_alias_not_a_product_name)',
      },
      {
        product: 'nodejs',
        cycle: '18',
        problem: 'breaks release_cycle_eol_from_in_range, a rule it was stored before',
      },
      { product: 'nodejs', cycle: '20', problem: 'breaks release_cycle_link_http, a rule it was stored before' },
    ]);
  });

  it('once the rows are fixed, the constraints validate', async () => {
    await adminSql(
      t.url,
      `UPDATE release_cycle SET link = NULL WHERE ${NODE('20')};
       UPDATE release_cycle SET eol_from = '2025-04-30' WHERE ${NODE('18')};
       DELETE FROM product_alias WHERE alias = 'python';
       ALTER TABLE release_cycle VALIDATE CONSTRAINT release_cycle_link_http;
       ALTER TABLE release_cycle VALIDATE CONSTRAINT release_cycle_eol_from_in_range;`,
    );
    expect((await runImport(t.db, [seedsDir])).suspect).toEqual([]);
  });
});
