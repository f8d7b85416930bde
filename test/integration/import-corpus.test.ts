// The whole endoflife.date corpus (464 documents at HEAD 2026-08-22) into PostgreSQL: nothing is
// rejected, every product and release reads back as its document says (compared with a plain
// js-yaml reading of each file), the instructive files of docs/eol-format.md §8 keep their
// peculiarities, and importing the same files again changes nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/importer/import.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { isoDate, lineWith, plainFrontMatter, runImport, runImportCli, tableCounts } from '../helpers/documents.ts';
import { corpusDir, noCorpus } from '../helpers/env.ts';
import { HEAD_RELEASE_KEYS } from '../helpers/format.ts';

/** The reference day of docs/eol-format.md (the corpus snapshot's date). */
const SNAPSHOT_DAY = '2026-08-22';

const STANDARD_RELEASE_KEYS = new Set<string>(HEAD_RELEASE_KEYS);

const DATE_OR_BOOL = ['lts', 'eoas', 'eol', 'eoes', 'discontinued'] as const;

interface ReleaseRow {
  product: string;
  position: number;
  name: string;
  codename: string | null;
  release_label: string | null;
  release_date: string | null;
  latest: string | null;
  latest_release_date: string | null;
  link_set: boolean;
  link: string | null;
  lts_flag: boolean | null;
  lts_from: string | null;
  eoas_flag: boolean | null;
  eoas_from: string | null;
  eol_flag: boolean | null;
  eol_from: string | null;
  eoes_flag: boolean | null;
  eoes_from: string | null;
  discontinued_flag: boolean | null;
  discontinued_from: string | null;
  out_of_order: boolean;
  stale_release_threshold_days: number | null;
  custom: string | null;
}

interface Doc {
  file: string;
  text: string;
  fm: Record<string, unknown>;
  releases: Record<string, unknown>[];
}

/** Each corpus document with its front matter read by plain js-yaml (not by the importer). */
function readCorpus(): Doc[] {
  return readdirSync(corpusDir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(corpusDir, file), 'utf8');
      const fm = plainFrontMatter(text);
      return { file, text, fm, releases: fm.releases as Record<string, unknown>[] };
    });
}

/** What a HEAD-format release must be stored as, derived from the plain reading. */
function expectedRelease(product: string, r: Record<string, unknown>, position: number): ReleaseRow {
  const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
  const row: Record<string, unknown> = {
    product,
    position,
    name: String(r.releaseCycle),
    codename: str(r.codename),
    release_label: str(r.releaseLabel),
    release_date: isoDate(r.releaseDate),
    // pan-os.md's `latest: ""` (version unknown) is stored as no latest (release_cycle_latest_trimmed_text).
    latest: r.latest === '' ? null : str(r.latest),
    latest_release_date: isoDate(r.latestReleaseDate),
    link_set: 'link' in r,
    link: str(r.link),
    out_of_order: r.outOfOrder === true,
    stale_release_threshold_days: typeof r.staleReleaseThresholdDays === 'number' ? r.staleReleaseThresholdDays : null,
  };
  for (const f of DATE_OR_BOOL) {
    row[`${f}_flag`] = typeof r[f] === 'boolean' ? r[f] : null;
    row[`${f}_from`] = isoDate(r[f]);
  }
  const custom = Object.entries(r).filter(([k]) => !STANDARD_RELEASE_KEYS.has(k));
  row.custom =
    custom.length === 0 ? null : Object.fromEntries(custom.map(([k, v]) => [k, v instanceof Date ? isoDate(v) : v]));
  return row as unknown as ReleaseRow;
}

describe.skipIf(noCorpus('the corpus import into PostgreSQL'))('importing the whole corpus into PostgreSQL', () => {
  let t: TestDatabase;
  let docs: Doc[];
  let report: ImportReport;

  beforeAll(async () => {
    docs = readCorpus();
    t = await createTestDatabase();
    report = await runImport(t.db, [corpusDir]);
  });
  afterAll(async () => {
    await t?.drop();
  });

  const releasesOf = async (product: string): Promise<ReleaseRow[]> =>
    t.db.query<ReleaseRow>(
      `SELECT p.name AS product, rc.* FROM release_cycle rc JOIN product p ON p.id = rc.product_id
        WHERE p.name = $1 ORDER BY rc.position`,
      [product],
    );
  const productRow = async (name: string) => {
    const [row] = await t.db.query<Record<string, unknown>>(`SELECT * FROM product WHERE name = $1`, [name]);
    if (!row) throw new Error(`product ${name} is not stored`);
    return row;
  };
  const byName = (rows: ReleaseRow[], name: string): ReleaseRow => {
    const row = rows.find((r) => r.name === name);
    if (!row) throw new Error(`no cycle ${name}`);
    return row;
  };
  const docOf = (file: string): Doc => docs.find((d) => d.file === file)!;

  it('imports all 464 documents with no rejection: 464 products, 8,351 cycles, 1,010 tags, 1,683 identifiers', async () => {
    expect(docs).toHaveLength(464);
    expect(report.documents).toBe(464);
    expect(report.rejected).toEqual([]);
    expect(report.conflicts).toEqual([]);
    expect(report.created).toHaveLength(464);
    expect(report.updated).toEqual([]);
    expect(report.unchanged).toEqual([]);
    const counts = await tableCounts(t.db);
    expect(counts).toMatchObject({ product: 464, release_cycle: 8351, product_tag: 1010, identifier: 1683 });
    expect(counts.release_cycle).toBe(docs.reduce((n, d) => n + d.releases.length, 0));
  });

  it('stores every product under its permalink, with its title, tags (plus the category), aliases and identifiers', async () => {
    const rows = await t.db.query<{
      name: string;
      label: string;
      category: string | null;
      source_path: string;
      tags: string[];
      aliases: string[] | null;
      identifiers: string[] | null;
    }>(
      `SELECT p.name, p.label, p.category, p.source_path,
              (SELECT array_agg(tag ORDER BY tag) FROM product_tag WHERE product_id = p.id) AS tags,
              (SELECT array_agg(alias ORDER BY position) FROM product_alias WHERE product_id = p.id) AS aliases,
              (SELECT array_agg(type || '=' || value ORDER BY position) FROM identifier WHERE product_id = p.id) AS identifiers
         FROM product p`,
    );
    const stored = new Map(rows.map((r) => [r.name, r]));
    for (const d of docs) {
      const name = String(d.fm.permalink).replace(/^\//, '');
      const tags = typeof d.fm.tags === 'string' ? d.fm.tags.split(/\s+/) : [];
      const aliases = ((d.fm.alternate_urls as string[] | undefined) ?? []).map((a) => a.replace(/^\//, ''));
      const identifiers = ((d.fm.identifiers as Record<string, string>[] | undefined) ?? []).map((i) =>
        Object.entries(i)[0]!.join('='),
      );
      expect({ file: d.file, ...stored.get(name) }).toEqual({
        file: d.file,
        name,
        label: d.fm.title,
        category: d.fm.category,
        source_path: join(corpusDir, d.file),
        tags: [...new Set([...tags, String(d.fm.category)])].sort(),
        aliases: aliases.length ? aliases : null,
        identifiers: identifiers.length ? identifiers : null,
      });
    }
  });

  it('uses the permalink, not the file name, as the id of the 20 products where they differ', async () => {
    const stem = (d: Doc) => d.file.replace(/\.md$/, '');
    const ids = new Set(docs.map((d) => String(d.fm.permalink).slice(1)));
    const differing = docs.filter((d) => d.fm.permalink !== `/${stem(d)}`);
    expect(differing).toHaveLength(20);
    const rows = await t.db.query<{ name: string; source_path: string }>(
      `SELECT name, source_path FROM product WHERE name = ANY($1::text[]) OR name = ANY($2::text[]) ORDER BY name`,
      [differing.map((d) => String(d.fm.permalink).slice(1)), differing.map(stem).filter((s) => !ids.has(s))],
    );
    expect(rows).toEqual(
      differing
        .map((d) => ({ name: String(d.fm.permalink).slice(1), source_path: join(corpusDir, d.file) }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { name: 'linux', source_path: join(corpusDir, 'linux-kernel.md') },
        { name: 'rails', source_path: join(corpusDir, 'ruby-on-rails.md') },
        { name: 'horizon', source_path: join(corpusDir, 'omnissa-horizon.md') },
      ]),
    );
  });

  it('stores every release field as the document gives it, in file order', async () => {
    const rows = await t.db.query<ReleaseRow>(
      `SELECT p.name AS product, rc.position, rc.name, rc.codename, rc.release_label, rc.release_date, rc.latest,
              rc.latest_release_date, rc.link_set, rc.link, rc.lts_flag, rc.lts_from, rc.eoas_flag, rc.eoas_from,
              rc.eol_flag, rc.eol_from, rc.eoes_flag, rc.eoes_from, rc.discontinued_flag, rc.discontinued_from,
              rc.out_of_order, rc.stale_release_threshold_days, rc.custom
         FROM release_cycle rc JOIN product p ON p.id = rc.product_id ORDER BY p.name, rc.position`,
    );
    const actual = rows.map((r) => ({ ...r, custom: r.custom === null ? null : JSON.parse(r.custom) }));
    const expected = docs
      .flatMap((d) => d.releases.map((r, i) => expectedRelease(String(d.fm.permalink).slice(1), r, i)))
      .sort((a, b) => (a.product < b.product ? -1 : a.product > b.product ? 1 : a.position - b.position));
    expect(actual).toHaveLength(8351);
    expect(actual).toEqual(expected);
  });

  it('samsung-mobile: 437 cycles, labelled columns, no latest column, explicit null links', async () => {
    const p = await productRow('samsung-mobile');
    expect(p).toMatchObject({
      latest_column: false,
      eoas_column: true,
      eoas_label: 'Android Upgrades',
      eol_column: true,
      eol_label: 'Security Updates',
      stale_release_threshold_days: 1825,
    });
    const rows = await releasesOf('samsung-mobile');
    expect(rows).toHaveLength(437);
    expect(rows[0]).toMatchObject({
      name: 'galaxy-z-flip8',
      release_label: 'Galaxy Z Flip8',
      release_date: '2026-08-07',
      eoas_from: '2033-07-31',
      eol_flag: false,
      link_set: true,
      link: null,
    });
    // `link: null # not found` lines in the file, counted on the text itself.
    const nullLinks = docOf('samsung-mobile.md').text.match(/^\s+link: null\b/gm)!.length;
    expect(nullLinks).toBeGreaterThan(0);
    expect(rows.filter((r) => r.link_set && r.link === null)).toHaveLength(nullLinks);
    expect(rows.filter((r) => r.latest !== null)).toEqual([]);
    // §4.3: 12 releases whose eol has passed while eoas is false (isEol, yet maintained).
    const eolButNotEoas = rows.filter((r) => r.eoas_flag === false && r.eol_from !== null && r.eol_from < SNAPSHOT_DAY);
    expect(eolButNotEoas).toHaveLength(12);
    expect(byName(rows, 'galaxy-m13-5g')).toMatchObject({ eol_from: '2026-08-04', eoas_flag: false, eoas_from: null });
  });

  it('freebsd: cycles "15" and "15.0" side by side, with their releng/stable labels', async () => {
    expect(await productRow('freebsd')).toMatchObject({ latest_column: false });
    const rows = await releasesOf('freebsd');
    expect(rows).toHaveLength(88);
    expect(rows.slice(0, 4).map((r) => [r.position, r.name, r.release_label, r.link_set, r.link])).toEqual([
      [0, '15.1', 'releng/15.1', false, null],
      [1, '14.4', 'releng/14.4', false, null],
      [2, '15', 'stable/15', true, null],
      [3, '15.0', 'releng/15.0', false, null],
    ]);
    expect(byName(rows, '15').release_date).toBe(byName(rows, '15.0').release_date);
  });

  it('ibm-db2: product-level eol/eoes are warned about and ignored, so eoes_column stays false', async () => {
    const d = docOf('ibm-db2.md');
    const p = await productRow('ibm-db2');
    expect(p).toMatchObject({ eoes_column: false, eoes_label: null, eol_column: true, eol_label: null });
    expect(JSON.parse(p.warnings as string)).toEqual([
      {
        path: 'eol',
        line: lineWith(d.text, 'eol: Base Support'),
        message: 'unknown product field "eol"; kept only in the raw front matter',
      },
      {
        path: 'eoes',
        line: lineWith(d.text, 'eoes: Extended Support'),
        message: 'unknown product field "eoes"; kept only in the raw front matter',
      },
    ]);
    expect(JSON.parse(p.front_matter as string)).toMatchObject({ eol: 'Base Support', eoes: 'Extended Support' });
    const rows = await releasesOf('ibm-db2');
    expect(rows).toHaveLength(8);
    expect(rows.filter((r) => r.eoes_from !== null)).toHaveLength(7);
    expect(rows[0]).toMatchObject({
      name: '12.1',
      eol_flag: false,
      eol_from: null,
      eoes_flag: false,
      stale_release_threshold_days: 730,
    });
    expect(byName(rows, '11.5')).toMatchObject({ eol_from: '2027-04-30', eoes_from: '2031-04-30' });
  });

  it('jenkins: the weekly line "2" comes first, out of order; the LTS lines carry lts dates', async () => {
    const rows = await releasesOf('jenkins');
    expect(rows[0]).toMatchObject({
      position: 0,
      name: '2',
      release_label: 'Regular',
      out_of_order: true,
      lts_flag: null,
      lts_from: null,
      release_date: '2016-04-20',
    });
    expect(rows).toHaveLength(docOf('jenkins.md').releases.length);
    const lts = rows.slice(1);
    for (const r of lts) {
      expect(r.out_of_order).toBe(false);
      expect(r.lts_from! > r.release_date!).toBe(true);
    }
    expect(byName(rows, '2.568')).toMatchObject({ release_date: '2026-06-10', lts_from: '2026-07-09', lts_flag: null });
  });

  it('nodejs: cycle 26 becomes LTS on 2026-10-28; the alias "node" leads to it', async () => {
    const rows = await releasesOf('nodejs');
    expect(byName(rows, '26')).toMatchObject({ lts_from: '2026-10-28', lts_flag: null, eoas_from: '2027-10-27' });
    expect(await productRow('nodejs')).toMatchObject({
      eoas_column: true,
      eoes_column: true,
      eoes_label: 'Commercial Support',
    });
    const aliases = await t.db.query(
      `SELECT a.alias, p.name FROM product_alias a JOIN product p ON p.id = a.product_id WHERE a.alias = 'node'`,
    );
    expect(aliases).toEqual([{ alias: 'node', name: 'nodejs' }]);
  });

  it('ubuntu: a label template, lts flags, and eoes only on LTS cycles', async () => {
    expect(await productRow('ubuntu')).toMatchObject({
      release_label: "__RELEASE_CYCLE__ '__CODENAME__'",
      changelog_template: `https://wiki.ubuntu.com/{{"__CODENAME__"|replace:' ',''}}/ReleaseNotes/`,
      eoas_label: 'Hardware & Maintenance',
      eol_label: 'Maintenance & Security Support',
      eoes_label: 'Expanded Security Maintenance',
    });
    const rows = await releasesOf('ubuntu');
    const plain = docOf('ubuntu.md').releases;
    const ltsInDoc = plain.filter((r) => r.lts === true).map((r) => r.releaseCycle);
    expect(ltsInDoc).toEqual([
      '26.04',
      '24.04',
      '22.04',
      '20.04',
      '18.04',
      '16.04',
      '14.04',
      '12.04',
      '10.04',
      '8.04',
      '6.06',
    ]);
    expect(rows.filter((r) => r.lts_flag === true).map((r) => r.name)).toEqual(ltsInDoc);
    const withEoes = rows.filter((r) => r.eoes_from !== null || r.eoes_flag !== null);
    expect(withEoes.map((r) => r.name)).toEqual([
      '26.04',
      '24.04',
      '22.04',
      '20.04',
      '18.04',
      '16.04',
      '14.04',
      '12.04',
    ]);
    expect(withEoes.every((r) => r.lts_flag === true)).toBe(true);
    expect(byName(rows, '24.04')).toMatchObject({
      codename: 'Noble Numbat',
      eoes_from: '2036-05-31',
      release_label: null,
    });
  });

  it('mongodb: the label template with Liquid over an undefined variable is stored verbatim', async () => {
    expect(await productRow('mongodb')).toMatchObject({
      release_label: '__RELEASE_CYCLE__{%if r.codename %} ({{r.codename}}){%endif%}',
    });
    expect((await releasesOf('mongodb')).length).toBe(docOf('mongodb.md').releases.length);
  });

  it('docker-engine and python: block-scalar templates and a multi-line version command are stored whole', async () => {
    const docker = await productRow('docker-engine');
    expect((docker.changelog_template as string).trim()).toBe(
      'https://docs.docker.com/engine/release-notes/{% assign MajorReleaseCycle = "__RELEASE_CYCLE__" | split:"." |first| plus:0 %}' +
        '{% if MajorReleaseCycle >= 27 %}{{MajorReleaseCycle}}{%else%}__RELEASE_CYCLE__{%endif%}/#{{"__LATEST__"|replace:".",""}}',
    );
    const python = await productRow('python');
    expect(python.version_command).toBe('python --version\n\n# or alternatively\npython3 --version');
    expect((python.changelog_template as string).trim()).toBe(
      `https://www.python.org/downloads/release/python-{{"__LATEST__" | replace:'.',''}}/`,
    );
    expect(python).toMatchObject({ eoas_column: true, eoas_label: null });
    const fields = await t.db.query(
      `SELECT f.name, f.display, f.label FROM custom_field f JOIN product p ON p.id = f.product_id WHERE p.name = 'python'`,
    );
    expect(fields).toEqual([{ name: 'pep', display: 'api-only', label: 'PEP' }]);
  });

  it('sles: a changelog template whose host comes from Liquid, with a literal "<", is stored verbatim', async () => {
    const p = await productRow('sles');
    expect(p).toMatchObject({ latest_column: false, eoes_column: true, eoes_label: 'Long Term Service Pack Support' });
    expect(p.changelog_template).toBe(
      'https://{% assign MajorReleaseCycle = "__RELEASE_CYCLE__" | split:"." |first| plus:0 %}{% if MajorReleaseCycle < 16 %}' +
        'www.suse.com/releasenotes/x86_64/SUSE-SLES/{{"__RELEASE_CYCLE__"|replace:".","-SP"|replace:"-SP0",""}}/{%else%}' +
        'documentation.suse.com/releasenotes/sles/__RELEASE_CYCLE__/{%endif%}',
    );
  });

  it('neo4j: release-level link templates are kept as written beside fixed links and template-driven releases', async () => {
    const rows = await releasesOf('neo4j');
    const templated = rows.filter((r) => r.link?.includes('__LATEST__'));
    expect(templated.length).toBeGreaterThan(0);
    expect(byName(rows, '4.4')).toMatchObject({
      link_set: true,
      link: "https://neo4j.com/release-notes/database/neo4j-{{'__LATEST__'|replace:'.','-'}}/",
      latest: '4.4.48',
    });
    expect(rows.some((r) => r.link_set && r.link === 'https://neo4j.com/release-notes/database/neo4j-5/')).toBe(true);
    expect(rows.some((r) => !r.link_set)).toBe(true);
  });

  it('azul-zulu: HTML in a release label and the custom field latestJdkVersion', async () => {
    const rows = await releasesOf('azul-zulu');
    expect(byName(rows, '20').release_label).toBe("20 (<abbr title='Short Term Support'>STS</abbr>)");
    expect(JSON.parse(byName(rows, '26').custom!)).toEqual({ latestJdkVersion: '26.0.0+35' });
    expect(byName(rows, '26')).toMatchObject({ eoes_flag: null, eoes_from: null });
    expect(byName(rows, '25')).toMatchObject({ lts_flag: true, eoes_from: '2035-09-30' });
    const fields = await t.db.query(
      `SELECT f.name, f.display, f.label, f.description, f.link, f.position
         FROM custom_field f JOIN product p ON p.id = f.product_id WHERE p.name = 'azul-zulu'`,
    );
    expect(fields).toEqual([
      {
        name: 'latestJdkVersion',
        display: 'after-latest-column',
        label: 'Latest JDK',
        description: 'Corresponding latest Java version',
        link: 'https://docs.azul.com/core/detailed/versioning-and-naming',
        position: 0,
      },
    ]);
  });

  it('omnissa-horizon: stored as "horizon", technicalGuidance dates kept as YYYY-MM-DD text', async () => {
    expect(await productRow('horizon')).toMatchObject({
      label: 'Omnissa Horizon',
      permalink: '/horizon',
      lts_label: "<abbr title='Extended Service Branch'>ESB</abbr>",
    });
    const aliases = await t.db.query<{ alias: string }>(
      `SELECT a.alias FROM product_alias a JOIN product p ON p.id = a.product_id WHERE p.name = 'horizon' ORDER BY a.position`,
    );
    expect(aliases.map((a) => a.alias)).toEqual([
      'vmwarehorizon',
      'vmware-horizon',
      'omnissahorizon',
      'omnissa-horizon',
    ]);
    const rows = await releasesOf('horizon');
    expect(rows).toHaveLength(22);
    expect(JSON.parse(byName(rows, '8.2603').custom!)).toEqual({ technicalGuidance: '2030-04-14' });
    for (const r of rows) expect(JSON.parse(r.custom!).technicalGuidance).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  describe('importing the same documents again', () => {
    const timestamps = () =>
      t.db.query(
        `SELECT (SELECT jsonb_agg(jsonb_build_array(name, updated_at, imported_at, edited_at) ORDER BY name) FROM product)::text AS products,
                (SELECT max(updated_at)::text FROM release_cycle) AS releases_updated,
                (SELECT count(*)::int FROM release_cycle WHERE edited_at IS NOT NULL) AS releases_edited`,
      );
    let before: unknown;
    beforeAll(async () => {
      before = await timestamps();
    });

    it('reports all 464 unchanged and writes nothing', async () => {
      const again = await runImport(t.db, [corpusDir]);
      expect(again).toMatchObject({
        documents: 464,
        created: [],
        updated: [],
        rejected: [],
        conflicts: [],
        pruned: [],
      });
      expect(again.unchanged).toHaveLength(464);
      expect(again.unchanged).toEqual([...report.created]);
      // Not parsed again, the documents still have their warnings: the ones stored with them.
      const key = (w: { file: string; path: string; message: string }) => `${w.file} ${w.path} ${w.message}`;
      expect(report.warnings.length).toBeGreaterThan(0);
      expect(again.warnings.map(key).sort()).toEqual(report.warnings.map(key).sort());
      expect(await timestamps()).toEqual(before);
    });

    it('the import command says "unchanged: 464" and exits 0', async () => {
      const cli = await runImportCli(t.url, [corpusDir]);
      expect(cli.stderr).not.toMatch(/error/i);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toMatch(
        /^464 documents in \d+\.\d\d s — created: 0, updated: 0, unchanged: 464, rejected: 0,/,
      );
      expect(await timestamps()).toEqual(before);
      expect((await tableCounts(t.db)).release_cycle).toBe(8351);
    });
  });
});
