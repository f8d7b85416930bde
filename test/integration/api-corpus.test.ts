// The GraphQL API over the whole endoflife.date corpus (HEAD 2026-08-22): the census numbers of
// docs/eol-format.md §4.3, the instructive files of §8 (labels, links, columns, LTS dates) checked
// against their documents, ids and aliases from permalinks and alternate_urls, and the reporting
// view release_cycle_status(_on) agreeing with GraphQL on every cycle.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDocuments } from '../../src/importer/import.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { corpusDir, noCorpus, projectRoot } from '../helpers/env.ts';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server.ts';

const AS_OF = '2026-08-22';
const LIMITS = { maxBytes: 1_048_576, maxYamlNodes: 200_000 };

type FrontMatter = Record<string, unknown> & { releases?: Record<string, unknown>[] };

/** A document's front matter, read with js-yaml directly (not through the importer). */
function frontMatter(file: string): FrontMatter {
  const text = readFileSync(join(corpusDir, file), 'utf8');
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!m) throw new Error(`${file}: no front matter`);
  return yaml.load(m[1]!, { json: true }) as FrontMatter;
}

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString().slice(0, 10) : null);
const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function ok<T>(r: GqlResult<T>): T {
  expect(r.errors, JSON.stringify(r.errors?.slice(0, 2))).toBeUndefined();
  expect(r.status).toBe(200);
  return r.data;
}

/** Runs fn over items in groups (the server allows 10 root fields per operation), a few at a time. */
async function inGroups<T, R>(items: T[], size: number, fn: (group: T[]) => Promise<R[]>): Promise<R[]> {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  const out: R[][] = new Array(groups.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < groups.length) {
        const i = next++;
        out[i] = await fn(groups[i]!);
      }
    }),
  );
  return out.flat();
}

interface StatusCycle {
  name: string;
  product: { name: string };
  isLts: boolean;
  isEoas: boolean | null;
  isEol: boolean | null;
  isEoes: boolean | null;
  isDiscontinued: boolean | null;
  isMaintained: boolean;
  supportPhase: string;
  daysUntilEol: number | null;
  isReleased: boolean | null;
}

const STATUS_FIELDS = `name product { name } isLts isEoas isEol isEoes isDiscontinued isMaintained supportPhase daysUntilEol isReleased`;

/** Every cycle through releaseCycles, page by page (asOf null: the server's today). */
async function allCycles(server: TestServer, asOf: string | null): Promise<StatusCycle[]> {
  const out: StatusCycle[] = [];
  let after: string | null = null;
  for (;;) {
    type Page = {
      releaseCycles: { nodes: StatusCycle[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    };
    const data: Page = ok(
      await server.gql<Page>(
        `query($after: String, $asOf: Date) { releaseCycles(first: 500, after: $after, asOf: $asOf) {
          nodes { ${STATUS_FIELDS} } pageInfo { hasNextPage endCursor } } }`,
        { after, asOf },
      ),
    );
    out.push(...data.releaseCycles.nodes);
    if (!data.releaseCycles.pageInfo.hasNextPage) return out;
    after = data.releaseCycles.pageInfo.endCursor;
  }
}

/**
 * A release's changelog link by §4.5: its own `link` (null: none; kept verbatim without "__"),
 * else the product template, rendered by the caller's hand-written version of it.
 */
function linkOf(release: Record<string, unknown>, fromProductTemplate: () => string): string | null {
  if (!('link' in release)) return fromProductTemplate();
  if (release.link === null) return null;
  const link = String(release.link);
  if (link.includes('__')) throw new Error(`a release-level template this test does not render: ${link}`);
  return link;
}

const count = <T>(xs: T[], pred: (x: T) => boolean) => xs.filter(pred).length;
const keyOf = (product: string, cycle: string) => `${product}\u0000${cycle}`;

describe.skipIf(noCorpus('the GraphQL API over the corpus'))('the API over the whole corpus', () => {
  let t: TestDatabase;
  let server: TestServer;
  let cycles: StatusCycle[];

  beforeAll(async () => {
    t = await createTestDatabase();
    const report = await importDocuments(t.db, { paths: [corpusDir], root: projectRoot, limits: LIMITS });
    expect(report.rejected).toEqual([]);
    server = await startTestServer(t.db, { now: new Date(`${AS_OF}T08:52:34Z`) });
    cycles = await allCycles(server, AS_OF);
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  describe('the census of §4.3 (asOf 2026-08-22)', () => {
    it('paging through releaseCycles: isEol 6,580 / 1,771; isMaintained 1,949 / 6,402; isLts 620', () => {
      expect(cycles).toHaveLength(8351);
      expect(new Set(cycles.map((c) => keyOf(c.product.name, c.name))).size).toBe(8351);
      expect(count(cycles, (c) => c.isEol === true)).toBe(6580);
      expect(count(cycles, (c) => c.isEol === false)).toBe(1771);
      expect(count(cycles, (c) => c.isMaintained)).toBe(1949);
      expect(count(cycles, (c) => !c.isMaintained)).toBe(6402);
      expect(count(cycles, (c) => c.isLts)).toBe(620);
    });

    it('products { releases } gives the same answer for every cycle', async () => {
      type R = {
        products: { totalCount: number; nodes: { name: string; releases: Omit<StatusCycle, 'product'>[] }[] };
      };
      const data = ok(
        await server.gql<R>(
          `{ products(first: 500, asOf: "${AS_OF}") { totalCount nodes { name releases {
            name isLts isEoas isEol isEoes isDiscontinued isMaintained supportPhase daysUntilEol isReleased } } } }`,
        ),
      );
      expect(data.products.totalCount).toBe(464);
      const nested = data.products.nodes.flatMap((p) => p.releases.map((c) => ({ ...c, product: { name: p.name } })));
      const sort = (xs: StatusCycle[]) =>
        [...xs].sort((a, b) =>
          keyOf(a.product.name, a.name) < keyOf(b.product.name, b.name)
            ? -1
            : keyOf(a.product.name, a.name) > keyOf(b.product.name, b.name)
              ? 1
              : 0,
        );
      expect(sort(nested)).toEqual(sort(cycles));
    });

    it('the filters agree: totalCount of isEol, isMaintained and isLts, both ways', async () => {
      const q = (f: string) => `releaseCycles(filter: { ${f} }, asOf: "${AS_OF}") { totalCount }`;
      const data = ok(
        await server.gql<Record<string, { totalCount: number }>>(`{
          eol: ${q('isEol: true')} notEol: ${q('isEol: false')}
          maintained: ${q('isMaintained: true')} notMaintained: ${q('isMaintained: false')}
          lts: ${q('isLts: true')} notLts: ${q('isLts: false')}
          all: releaseCycles { totalCount }
        }`),
      );
      expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.totalCount]))).toEqual({
        eol: 6580,
        notEol: 1771,
        maintained: 1949,
        notMaintained: 6402,
        lts: 620,
        notLts: 8351 - 620,
        all: 8351,
      });
    });
  });

  describe('ids and aliases (§0 rule 10)', () => {
    let docs: { file: string; fm: FrontMatter }[];
    beforeAll(() => {
      docs = readdirSync(corpusDir)
        .filter((f) => f.endsWith('.md'))
        .map((file) => ({ file, fm: frontMatter(file) }));
    });
    const idOf = (fm: FrontMatter) => String(fm.permalink).replace(/^\//, '');

    it('every product is named by its permalink, not its file name (20 differ)', async () => {
      const data = ok(
        await server.gql<{ products: { nodes: { name: string }[] } }>(`{ products(first: 500) { nodes { name } } }`),
      );
      expect(data.products.nodes.map((p) => p.name).sort()).toEqual(docs.map((d) => idOf(d.fm)).sort());
      const differing = docs.filter((d) => `${idOf(d.fm)}.md` !== d.file);
      expect(differing).toHaveLength(20);
      expect(differing.map((d) => [d.file, idOf(d.fm)])).toContainEqual(['linux-kernel.md', 'linux']);
      const found = ok(
        await server.gql<Record<string, { name: string; label: string } | null>>(`{
          linux: product(name: "linux") { name label }
          byFile: product(name: "linux-kernel") { name label }
          rails: product(name: "rails") { name label }
          node: product(name: "node") { name label }
        }`),
      );
      expect(found).toEqual({
        linux: { name: 'linux', label: 'Linux Kernel' },
        byFile: { name: 'linux', label: 'Linux Kernel' }, // linux-kernel is one of its alternate_urls
        rails: { name: 'rails', label: String(docs.find((d) => d.file === 'ruby-on-rails.md')!.fm.title) },
        node: { name: 'nodejs', label: 'Node.js' },
      });
    });

    it('every alternate_url of every document resolves to its product', async () => {
      const ids = new Set(docs.map((d) => idOf(d.fm)));
      const aliases = docs.flatMap((d) =>
        ((d.fm.alternate_urls as string[] | undefined) ?? []).map((u) => ({
          alias: String(u).replace(/^\//, ''),
          // An alias that is also another product's id names that product (ids win).
          expected: ids.has(String(u).replace(/^\//, '')) ? String(u).replace(/^\//, '') : idOf(d.fm),
        })),
      );
      expect(aliases.length).toBe(330);
      const answers = await inGroups(aliases, 10, async (group) => {
        const data = ok(
          await server.gql<Record<string, { name: string } | null>>(
            `{ ${group.map((a, i) => `a${i}: product(name: ${JSON.stringify(a.alias)}) { name }`).join(' ')} }`,
          ),
        );
        return group.map((a, i) => [a.alias, data[`a${i}`]?.name ?? null]);
      });
      expect(answers).toEqual(aliases.map((a) => [a.alias, a.expected]));
    });
  });

  describe('the instructive files of §8', () => {
    it('ubuntu 24.04 is exactly the API v1 example of §5.1', async () => {
      const data = ok(
        await server.gql<{ releaseCycle: Record<string, unknown> }>(`{
          releaseCycle(product: "ubuntu", name: "24.04", asOf: "${AS_OF}") {
            name codename label releaseDate isLts ltsFrom isEoas eoasFrom isEol eolFrom isEoes eoesFrom isMaintained
            latest { name date link } custom { name value } } }`),
      );
      // Verbatim from docs/eol-format.md §5.1.
      const example = JSON.parse(
        `{"name":"24.04","codename":"Noble Numbat","label":"24.04 'Noble Numbat' (LTS)","releaseDate":"2024-04-25",
        "isLts":true,"ltsFrom":null,"isEoas":false,"eoasFrom":"2029-05-31","isEol":false,"eolFrom":"2029-05-31",
        "isEoes":false,"eoesFrom":"2036-05-31","isMaintained":true,"latest":{"name":"24.04.4","date":"2026-02-12",
        "link":"https://wiki.ubuntu.com/NobleNumbat/ReleaseNotes/"},"custom":null}`,
      );
      expect(data.releaseCycle).toEqual(example);
    });

    it('ubuntu: the three column headings, and isEoes null on the cycles without eoes', async () => {
      const fm = frontMatter('ubuntu.md');
      type R = {
        product: {
          labels: Record<string, string | null>;
          releases: { name: string; isEoes: boolean | null; eoesFrom: string | null }[];
        };
      };
      const p = ok(
        await server.gql<R>(`{ product(name: "ubuntu", asOf: "${AS_OF}") {
          labels { eoas eol eoes discontinued } releases { name isEoes eoesFrom } } }`),
      ).product;
      expect(p.labels).toEqual({ eoas: fm.eoasColumn, eol: fm.eolColumn, eoes: fm.eoesColumn, discontinued: null });
      const expected = fm.releases!.map((r) => ({
        name: String(r.releaseCycle),
        isEoes: 'eoes' in r ? (iso(r.eoes) !== null ? AS_OF > iso(r.eoes)! : (r.eoes as boolean)) : null,
        eoesFrom: iso(r.eoes),
      }));
      expect(p.releases).toEqual(expected);
      expect(expected.some((r) => r.isEoes === null)).toBe(true);
    });

    it('mongodb: the label template refers to an undefined variable, so it renders to just the cycle', async () => {
      const fm = frontMatter('mongodb.md');
      expect(String(fm.releaseLabel)).toContain('{%if r.codename %}');
      const p = ok(
        await server.gql<{ product: { releases: { name: string; label: string; latest: { link: string } }[] } }>(
          `{ product(name: "mongodb") { releases { name label latest { link } } } }`,
        ),
      ).product;
      expect(p.releases).toEqual(
        fm.releases!.map((r) => {
          const cycle = String(r.releaseCycle);
          const link = linkOf(r, () => `https://www.mongodb.com/docs/v${cycle}/release-notes/${cycle}/`);
          // A release's own releaseLabel (plain text here) wins; the product's renders to the cycle.
          const own = r.releaseLabel === undefined ? null : String(r.releaseLabel);
          if (own !== null && /__|\{/.test(own)) throw new Error(`mongodb ${cycle}: a template in ${own}`);
          return { name: cycle, label: own ?? cycle, latest: { link } };
        }),
      );
      expect(fm.releases!.some((r) => r.codename !== undefined || r.lts !== undefined)).toBe(false);
      expect(fm.releases!.filter((r) => r.releaseLabel === undefined).length).toBeGreaterThan(10);
    });

    it('docker-engine: the multi-line Liquid template compares the major version with 27', async () => {
      const fm = frontMatter('docker-engine.md');
      // The template's logic, by hand: majors from 27 on link to the major, older ones to the cycle.
      expect(String(fm.changelogTemplate)).toContain('{% if MajorReleaseCycle >= 27 %}');
      const expected = fm.releases!.map((r) => {
        const cycle = String(r.releaseCycle);
        const major = Number(cycle.split('.')[0]);
        const page = major >= 27 ? String(major) : cycle;
        return {
          name: cycle,
          link: linkOf(
            r,
            () => `https://docs.docker.com/engine/release-notes/${page}/#${String(r.latest).replaceAll('.', '')}`,
          ),
        };
      });
      const p = ok(
        await server.gql<{ product: { releases: { name: string; latest: { link: string } }[] } }>(
          `{ product(name: "docker-engine") { releases { name latest { link } } } }`,
        ),
      ).product;
      expect(p.releases.map((r) => ({ name: r.name, link: r.latest.link }))).toEqual(expected);
      // One cycle on each side of the comparison, spelled out.
      const linkNamed = (name: string) => p.releases.find((r) => r.name === name)!.latest.link;
      expect(linkNamed('27')).toBe('https://docs.docker.com/engine/release-notes/27/#2751');
      expect(linkNamed('26.1')).toBe('https://docs.docker.com/engine/release-notes/26.1/#2615');
    });

    describe('sles: the URL host is chosen by Liquid', () => {
      let dir: string;
      let t2: TestDatabase;
      let s2: TestServer;
      beforeAll(async () => {
        // sles hides the latest column (latestColumn: false), so the API has no link to show (§4.6).
        // A copy without that line (outside the repository, imported into a database of its own)
        // shows the links the template produces.
        const text = readFileSync(join(corpusDir, 'sles.md'), 'utf8');
        expect(text.match(/^latestColumn: false\n/gm)).toHaveLength(1);
        dir = mkdtempSync(join(tmpdir(), 'eolgraph-api-sles-'));
        writeFileSync(join(dir, 'sles.md'), text.replace(/^latestColumn: false\n/m, ''));
        t2 = await createTestDatabase();
        const report = await importDocuments(t2.db, { paths: [dir], root: projectRoot, limits: LIMITS });
        expect(report.rejected).toEqual([]);
        s2 = await startTestServer(t2.db);
      });
      afterAll(async () => {
        await s2?.close();
        await t2?.drop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      it('in the corpus, latest (and so its link) is null on every cycle', async () => {
        const p = ok(
          await server.gql<{ product: { columns: { latest: { shown: boolean } }; releases: { latest: unknown }[] } }>(
            `{ product(name: "sles") { columns { latest { shown } } releases { latest { link } } } }`,
          ),
        ).product;
        expect(p.columns.latest.shown).toBe(false);
        expect(p.releases.length).toBeGreaterThan(20);
        for (const r of p.releases) expect(r.latest).toBeNull();
      });

      it('with the latest column shown: www.suse.com below 16, documentation.suse.com from 16', async () => {
        const fm = frontMatter('sles.md');
        const expected = fm.releases!.map((r) => {
          const cycle = String(r.releaseCycle);
          const link = linkOf(r, () =>
            Number(cycle.split('.')[0]) < 16
              ? `https://www.suse.com/releasenotes/x86_64/SUSE-SLES/${cycle.replaceAll('.', '-SP').replaceAll('-SP0', '')}/`
              : `https://documentation.suse.com/releasenotes/sles/${cycle}/`,
          );
          return { name: cycle, link };
        });
        const p = ok(
          await s2.gql<{ product: { releases: { name: string; latest: { link: string } }[] } }>(
            `{ product(name: "sles") { releases { name latest { link } } } }`,
          ),
        ).product;
        expect(p.releases.map((r) => ({ name: r.name, link: r.latest.link }))).toEqual(expected);
        const linkNamed = (name: string) => p.releases.find((r) => r.name === name)!.latest.link;
        expect(linkNamed('16.0')).toBe('https://documentation.suse.com/releasenotes/sles/16.0/');
        expect(linkNamed('15.7')).toBe('https://www.suse.com/releasenotes/x86_64/SUSE-SLES/15-SP7/');
        expect(linkNamed('15.0')).toBe('https://www.suse.com/releasenotes/x86_64/SUSE-SLES/15/');
      });
    });

    it('neo4j: release-level link templates (replace on __LATEST__) override the product template', async () => {
      const fm = frontMatter('neo4j.md');
      const releaseTemplate = "https://neo4j.com/release-notes/database/neo4j-{{'__LATEST__'|replace:'.','-'}}/";
      const expected = fm.releases!.map((r) => {
        const cycle = String(r.releaseCycle);
        let link: string | null;
        if (!('link' in r)) link = `https://neo4j.com/release-notes/database/neo4j-${cycle.replaceAll('.', '-')}/`;
        else if (r.link === releaseTemplate)
          link = `https://neo4j.com/release-notes/database/neo4j-${String(r.latest).replaceAll('.', '-')}/`;
        else if (r.link === null || !String(r.link).includes('__')) link = r.link as string | null;
        else throw new Error(`neo4j ${cycle}: a link template this test does not know: ${String(r.link)}`);
        return { name: cycle, link };
      });
      // All three kinds are present.
      expect(fm.releases!.filter((r) => r.link === releaseTemplate).length).toBeGreaterThan(0);
      expect(fm.releases!.filter((r) => !('link' in r)).length).toBeGreaterThan(0);
      expect(fm.releases!.filter((r) => typeof r.link === 'string' && !r.link.includes('__')).length).toBeGreaterThan(
        0,
      );
      const p = ok(
        await server.gql<{ product: { releases: { name: string; label: string; latest: { link: string | null } }[] } }>(
          `{ product(name: "neo4j") { releases { name label latest { link } } } }`,
        ),
      ).product;
      expect(p.releases.map((r) => ({ name: r.name, link: r.latest.link }))).toEqual(expected);
      const c44 = p.releases.find((r) => r.name === '4.4')!;
      expect(c44).toEqual({
        name: '4.4',
        label: '4.4 (LTS)',
        latest: { link: 'https://neo4j.com/release-notes/database/neo4j-4-4-48/' },
      });
    });

    it('azul-zulu 20: HTML in the release label is stripped to "20 (STS)"; custom field and eoes', async () => {
      const data = ok(
        await server.gql<{ releaseCycle: Record<string, unknown>; product: Record<string, unknown> }>(`{
          releaseCycle(product: "zulu", name: "20", asOf: "${AS_OF}") {
            label isEoes eoesFrom isEol isMaintained custom { name value } }
          product(name: "azul-zulu") { columns { eoes { shown } } labels { eoes } } }`),
      );
      expect(data.releaseCycle).toEqual({
        label: '20 (STS)',
        isEoes: true,
        eoesFrom: '2024-03-31',
        isEol: true,
        isMaintained: false,
        custom: [{ name: 'latestJdkVersion', value: '20.0.2+9' }],
      });
      // eoesColumn: true: shown, under the default heading (a heading, not null, §5.1 labels).
      expect(data.product).toEqual({ columns: { eoes: { shown: true } }, labels: { eoes: expect.any(String) } });
    });

    describe('jenkins and nodejs: LTS dates', () => {
      it('jenkins: the first listed cycle "2" (outOfOrder, label "Regular") is the latest release', async () => {
        const notLts = frontMatter('jenkins.md')
          .releases!.filter((r) => !(iso(r.lts) !== null && iso(r.lts)! < AS_OF) && r.lts !== true)
          .map((r) => ({ name: String(r.releaseCycle) }));
        const data = ok(
          await server.gql<Record<string, unknown>>(`{
            product(name: "jenkins", asOf: "${AS_OF}") {
              latestRelease { name label outOfOrder position isLts ltsFrom }
              releases { name }
              notLts: releases(filter: { isLts: false }) { name } }
            latest: releaseCycle(product: "jenkins", name: "latest") { name label } }`),
        );
        expect(data).toEqual({
          product: {
            latestRelease: { name: '2', label: 'Regular', outOfOrder: true, position: 0, isLts: false, ltsFrom: null },
            // Document order: "2" first although 2.568 (2026-06-10) is the newest by date.
            releases: frontMatter('jenkins.md').releases!.map((r) => ({ name: String(r.releaseCycle) })),
            notLts,
          },
          latest: { name: '2', label: 'Regular' },
        });
      });

      it('jenkins: each LTS cycle is "Upcoming LTS" on its lts date and LTS from the day after', async () => {
        const lts = frontMatter('jenkins.md')
          .releases!.filter((r) => r.lts !== undefined)
          .map((r) => ({ name: String(r.releaseCycle), from: iso(r.lts)! }));
        expect(lts.length).toBe(18);
        const probes = lts.flatMap((c) => [
          { ...c, asOf: c.from, isLts: false, label: `${c.name} (Upcoming LTS)` },
          { ...c, asOf: addDays(c.from, 1), isLts: true, label: `${c.name} (LTS)` },
        ]);
        const answers = await inGroups(probes, 10, async (group) => {
          const data = ok(
            await server.gql<Record<string, { name: string; label: string; isLts: boolean; ltsFrom: string }>>(
              `{ ${group
                .map(
                  (p, i) =>
                    `p${i}: releaseCycle(product: "jenkins", name: ${JSON.stringify(p.name)}, asOf: "${p.asOf}") { name label isLts ltsFrom }`,
                )
                .join(' ')} }`,
            ),
          );
          return group.map((_, i) => data[`p${i}`]);
        });
        expect(answers).toEqual(probes.map((p) => ({ name: p.name, label: p.label, isLts: p.isLts, ltsFrom: p.from })));
      });

      it('nodejs 26: "26 (Upcoming LTS)" up to 2026-10-28, "26 (LTS)" from 2026-10-29', async () => {
        const data = ok(
          await server.gql<Record<string, unknown>>(`{
            head: releaseCycle(product: "nodejs", name: "26", asOf: "${AS_OF}") { label isLts ltsFrom }
            day: releaseCycle(product: "nodejs", name: "26", asOf: "2026-10-28") { label isLts ltsFrom }
            after: releaseCycle(product: "node", name: "26", asOf: "2026-10-29") { label isLts ltsFrom } }`),
        );
        expect(data).toEqual({
          head: { label: '26 (Upcoming LTS)', isLts: false, ltsFrom: '2026-10-28' },
          day: { label: '26 (Upcoming LTS)', isLts: false, ltsFrom: '2026-10-28' },
          after: { label: '26 (LTS)', isLts: true, ltsFrom: '2026-10-28' },
        });
      });
    });

    it('ibm-db2: the eoes column is off (label typos), yet isEoes is given and counts for isMaintained', async () => {
      const data = ok(
        await server.gql<Record<string, unknown>>(`{
          product(name: "ibm-db2", asOf: "${AS_OF}") {
            columns { eoes { shown } eol { shown } } labels { eoes }
            releases { name isEol isEoes eoesFrom isMaintained } }
          extended: releaseCycle(product: "ibm-db2", name: "11.1", asOf: "2026-01-01") {
            isEol isEoes isMaintained supportPhase } }`),
      );
      const fm = frontMatter('ibm-db2.md');
      expect(fm.eoesColumn).toBeUndefined();
      const p = data.product as { columns: unknown; labels: unknown; releases: Record<string, unknown>[] };
      expect(p.columns).toEqual({ eoes: { shown: false }, eol: { shown: true } });
      expect(p.labels).toEqual({ eoes: null });
      const expected = fm.releases!.map((r) => {
        const at = (v: unknown) => (iso(v) !== null ? AS_OF > iso(v)! : v === undefined ? null : (v as boolean));
        const open = (v: unknown) => v !== undefined && at(v) === false;
        return {
          name: String(r.releaseCycle),
          isEol: at(r.eol),
          isEoes: at(r.eoes),
          eoesFrom: iso(r.eoes),
          isMaintained: open(r.eol) || open(r.eoes) || open(r.eoas) || open(r.discontinued),
        };
      });
      expect(p.releases).toEqual(expected);
      expect(p.releases.slice(0, 3)).toEqual([
        { name: '12.1', isEol: false, isEoes: false, eoesFrom: null, isMaintained: true },
        { name: '11.5', isEol: false, isEoes: false, eoesFrom: '2031-04-30', isMaintained: true },
        { name: '11.1', isEol: true, isEoes: true, eoesFrom: '2026-04-30', isMaintained: false },
      ]);
      // Before its eoes date, 11.1 is past EOL but in (hidden) extended support: maintained.
      expect(data.extended).toEqual({ isEol: true, isEoes: false, isMaintained: true, supportPhase: 'EXTENDED' });
    });

    it('samsung-mobile: the 12 cycles with eol reached but eoas false are maintained', async () => {
      const fm = frontMatter('samsung-mobile.md');
      const quirky = fm
        .releases!.filter((r) => r.eoas === false && (r.eol === true || (iso(r.eol) !== null && iso(r.eol)! < AS_OF)))
        .map((r) => String(r.releaseCycle));
      expect(quirky).toHaveLength(12);
      const p = ok(
        await server.gql<{
          product: { releases: { name: string; isEol: boolean; isEoas: boolean; isMaintained: boolean }[] };
        }>(
          `{ product(name: "samsung-mobile", asOf: "${AS_OF}") { releases(filter: { isEol: true, isMaintained: true }) {
            name isEol isEoas isMaintained } } }`,
        ),
      ).product;
      expect(p.releases.map((r) => r.name).sort()).toEqual([...quirky].sort());
      for (const r of p.releases) expect(r).toMatchObject({ isEol: true, isEoas: false, isMaintained: true });
    });
  });

  describe('the reporting view agrees with GraphQL on every cycle', () => {
    interface ViewRow {
      product: string;
      cycle: string;
      is_lts: boolean;
      is_eoas: boolean | null;
      is_eol: boolean | null;
      is_eoes: boolean | null;
      is_discontinued: boolean | null;
      is_maintained: boolean;
      support_phase: string;
      days_until_eol: number | null;
      is_released: boolean | null;
    }
    const COLUMNS = `product, cycle, is_lts, is_eoas, is_eol, is_eoes, is_discontinued, is_maintained, support_phase, days_until_eol, is_released`;
    const fromView = (r: ViewRow) => [
      keyOf(r.product, r.cycle),
      [
        r.is_lts,
        r.is_eoas,
        r.is_eol,
        r.is_eoes,
        r.is_discontinued,
        r.is_maintained,
        r.support_phase,
        r.days_until_eol,
        r.is_released,
      ],
    ];
    const fromGraphql = (c: StatusCycle) => [
      keyOf(c.product.name, c.name),
      [
        c.isLts,
        c.isEoas,
        c.isEol,
        c.isEoes,
        c.isDiscontinued,
        c.isMaintained,
        c.supportPhase,
        c.daysUntilEol,
        c.isReleased,
      ],
    ];
    const sorted = (xs: unknown[][]) => [...xs].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));

    it("release_cycle_status_on('2026-08-22')", async () => {
      const rows = await t.db.query<ViewRow>(`SELECT ${COLUMNS} FROM release_cycle_status_on('${AS_OF}')`);
      expect(rows).toHaveLength(8351);
      expect(sorted(rows.map(fromView))).toEqual(sorted(cycles.map(fromGraphql)));
    });

    it('release_cycle_status (today, UTC) against GraphQL without asOf on a clock set to now', async () => {
      server.setNow(new Date());
      try {
        const [{ today }] = (await t.db.query<{ today: string }>(`SELECT eolgraph_today()::text AS today`)) as [
          { today: string },
        ];
        expect(ok(await server.gql<{ today: string }>(`{ today }`)).today).toBe(today);
        const [rows, now] = await Promise.all([
          t.db.query<ViewRow>(`SELECT ${COLUMNS} FROM release_cycle_status`),
          allCycles(server, null),
        ]);
        expect(rows).toHaveLength(8351);
        expect(sorted(rows.map(fromView))).toEqual(sorted(now.map(fromGraphql)));
      } finally {
        server.setNow(new Date(`${AS_OF}T08:52:34Z`));
      }
    });
  });
});
