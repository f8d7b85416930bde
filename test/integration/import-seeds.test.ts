// The documents shipped in seeds/ (imported at start on an empty database): they import without
// a rejection, the legacy ones are mapped to today's fields (docs/eol-format.md §2.3, §3.3), and
// together they cover every kind of value the service has to serve.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/importer/import.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { plainFrontMatter, runImport } from '../helpers/documents.ts';
import { seedsDir, sharedDir } from '../helpers/env.ts';

const sharedAmazonLinux = join(sharedDir, 'seed/amazon-linux.md');

describe('importing seeds/', () => {
  let t: TestDatabase;
  let report: ImportReport;
  const seedFiles = readdirSync(seedsDir)
    .filter((f) => f.endsWith('.md'))
    .sort();

  beforeAll(async () => {
    t = await createTestDatabase();
    report = await runImport(t.db, ['seeds']);
  });
  afterAll(async () => {
    await t?.drop();
  });

  const releases = (product: string) =>
    t.db.query<Record<string, unknown>>(
      `SELECT rc.* FROM release_cycle rc JOIN product p ON p.id = rc.product_id WHERE p.name = $1 ORDER BY rc.position`,
      [product],
    );
  const product = async (name: string) => (await t.db.query(`SELECT * FROM product WHERE name = $1`, [name]))[0];

  it('imports every seed document with no rejection, each under its permalink', async () => {
    expect(seedFiles).toContain('amazon-linux.md');
    expect(report.rejected).toEqual([]);
    expect(report.conflicts).toEqual([]);
    expect(report.documents).toBe(seedFiles.length);
    const permalinks = seedFiles.map((f) =>
      String(plainFrontMatter(readFileSync(join(seedsDir, f), 'utf8')).permalink),
    );
    expect(report.created).toEqual(permalinks.map((p) => p.slice(1)).sort());
    const rows = await t.db.query<{ name: string; source_path: string }>(
      `SELECT name, source_path FROM product ORDER BY source_path`,
    );
    expect(rows.map((r) => r.source_path)).toEqual(seedFiles.map((f) => `seeds/${f}`));
  });

  it.skipIf(!existsSync(sharedAmazonLinux))('ships seeds/amazon-linux.md byte for byte as the shared seed', () => {
    expect(readFileSync(join(seedsDir, 'amazon-linux.md')).equals(readFileSync(sharedAmazonLinux))).toBe(true);
  });

  it('maps the legacy Amazon Linux document: release → releaseDate, link → releasePolicyLink, command → versionCommand', async () => {
    expect(await product('amazon-linux')).toMatchObject({
      label: 'Amazon Linux',
      release_policy_link: 'https://aws.amazon.com/amazon-linux-2/release-notes/',
      version_command: 'cat /etc/system-release',
      icon_slug: 'amazonaws',
      eol_label: 'Support',
      eoas_column: false,
      sort_releases_by: 'release',
    });
    const rows = await releases('amazon-linux');
    expect(rows.map((r) => [r.position, r.name, r.release_date, r.eol_from, r.eol_flag])).toEqual([
      [0, 'Amazon Linux AMI', '2010-09-14', '2020-12-31', null],
      [1, 'Amazon Linux 2', '2017-12-19', '2023-06-30', null],
    ]);
    expect(rows.map((r) => [r.link_set, r.link])).toEqual([
      [false, null],
      [true, 'https://aws.amazon.com/amazon-linux-2/release-notes/'],
    ]);
  });

  it('maps the other legacy seeds: inverted support/extendedSupport, Ruby number text, purls, customColumns, db', async () => {
    const django = await releases('django');
    expect(django.map((r) => r.name)).toEqual(['6.1', '6.0', '5.2', '4.2', '3.2', '3.0', '2.2', '2.0', '1.11', '1.1']);
    // support: true = active support ongoing = eoas false; support: false = eoas true.
    expect(django[0]).toMatchObject({ name: '6.1', eoas_flag: false, release_date: '2026-08-05', latest: '6.1' });
    expect(django[7]).toMatchObject({ name: '2.0', eoas_flag: true });
    expect(await product('django')).toMatchObject({
      version_command: 'python -m django --version',
      release_policy_link: 'https://www.djangoproject.com/download/#supported-versions',
      eoas_column: true,
      category: null,
    });
    const ionic = await releases('ionic');
    // extendedSupport: true = eoes false; a date stays; false = no extended support at all.
    expect(ionic.map((r) => [r.name, r.eoas_flag, r.eoes_flag, r.eoes_from])).toEqual([
      ['9', false, false, null],
      ['8', null, null, '2027-08-19'],
      ['7', null, null, '2025-04-17'],
      ['6', null, null, '2024-03-29'],
      ['5', null, null, '2022-12-08'],
      ['4', null, null, '2022-09-30'],
      ['2', null, null, null],
      ['1', true, null, null],
    ]);
    const ionicIds = await t.db.query(
      `SELECT i.type, i.value FROM identifier i JOIN product p ON p.id = i.product_id WHERE p.name = 'ionic' ORDER BY i.position`,
    );
    expect(ionicIds).toEqual([
      { type: 'purl', value: 'pkg:npm/%40ionic/core' },
      { type: 'purl', value: 'pkg:github/ionic-team/ionic-framework' },
    ]);
    expect(await product('mssqlserver')).toMatchObject({ category: 'database' });
    const fields = await t.db.query(
      `SELECT f.name, f.display, f.label FROM custom_field f JOIN product p ON p.id = f.product_id WHERE p.name = 'mssqlserver'`,
    );
    expect(fields).toEqual([{ name: 'latestGdr', display: 'after-release-column', label: 'Latest GDR' }]);
  });

  it('covers every kind of value: each date-or-boolean field as a date, true and false, and the rest of the list', async () => {
    const combos = await t.db.query<{ field: string; kind: string; n: number }>(
      `SELECT f.field, k.kind, count(rc.id)::int AS n
         FROM (VALUES ('eoas'), ('eol'), ('eoes'), ('discontinued'), ('lts')) AS f(field)
        CROSS JOIN (VALUES ('date'), ('true'), ('false')) AS k(kind)
         LEFT JOIN release_cycle rc ON CASE k.kind
              WHEN 'date' THEN (to_jsonb(rc) ->> (f.field || '_from')) IS NOT NULL
              ELSE (to_jsonb(rc) ->> (f.field || '_flag')) = k.kind END
        GROUP BY f.field, k.kind`,
    );
    expect(combos).toHaveLength(15);
    expect(combos.filter((c) => c.n === 0).map((c) => `${c.field} as ${c.kind}`)).toEqual([]);

    const [facts] = await t.db.query<Record<string, number>>(
      `SELECT
         (SELECT count(*)::int FROM release_cycle WHERE lts_from > (now() AT TIME ZONE 'UTC')::date) AS future_lts,
         (SELECT count(*)::int FROM product WHERE changelog_template ~ '\\{\\{[^}]*\\|') AS liquid_filter,
         (SELECT count(*)::int FROM product WHERE changelog_template LIKE '%drop_zero_patch%') AS drop_zero_patch,
         (SELECT count(*)::int FROM product WHERE release_label LIKE '%\\_\\_CODENAME\\_\\_%')
           + (SELECT count(*)::int FROM release_cycle WHERE release_label LIKE '%\\_\\_CODENAME\\_\\_%') AS codename_label,
         (SELECT count(*)::int FROM release_cycle WHERE link_set AND link IS NULL) AS null_link,
         (SELECT count(*)::int FROM release_cycle WHERE link LIKE '%\\_\\_LATEST\\_\\_%') AS latest_link,
         (SELECT count(*)::int FROM release_cycle WHERE out_of_order) AS out_of_order,
         (SELECT count(*)::int FROM identifier WHERE type = 'purl') AS purl,
         (SELECT count(*)::int FROM identifier WHERE type = 'cpe') AS cpe,
         (SELECT count(*)::int FROM identifier WHERE type = 'repology') AS repology,
         (SELECT count(*)::int FROM product_alias) AS aliases,
         (SELECT count(*)::int FROM custom_field) AS custom_fields,
         (SELECT count(*)::int FROM release_cycle WHERE custom IS NOT NULL AND custom <> '{}'::jsonb) AS custom_values,
         (SELECT count(*)::int FROM product WHERE NOT latest_column) AS no_latest_column`,
    );
    expect(Object.entries(facts!).filter(([, n]) => !(n! > 0))).toEqual([]);

    // Legacy documents, recognised by keys only older formats have (in the raw front matter).
    const legacy = await t.db.query<{ name: string }>(
      `SELECT name FROM product
        WHERE front_matter ?| array['release', 'support', 'releaseColumn', 'customColumns', 'purls', 'command',
                                    'activeSupportColumn', 'extendedSupportColumn', 'layout']
           OR jsonb_path_exists(front_matter, '$.releases[*] ? (exists(@.release) || exists(@.support) || exists(@.extendedSupport))')
        ORDER BY name`,
    );
    expect(legacy.length).toBeGreaterThanOrEqual(3);
    expect(legacy.map((r) => r.name)).toEqual(
      expect.arrayContaining(['amazon-linux', 'django', 'ionic', 'mssqlserver']),
    );
  });
});
