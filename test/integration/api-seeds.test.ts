// The GraphQL API over the project's own seeds: Amazon Linux's two cycles on dates either side of
// their EOL days (docs/eol-format.md §0 rule 1: a date D is reached the day after D), and the
// answers for things that do not exist or arguments that make no sense (nulls, BAD_USER_INPUT).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedsDir } from '../helpers/env.ts';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server.ts';

/** Whole days from a to b, computed from the calendar (independent of the service's helpers). */
const daysBetween = (a: string, b: string) =>
  (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

const AMI = { name: 'Amazon Linux AMI', eolFrom: '2020-12-31' };
const AL2 = { name: 'Amazon Linux 2', eolFrom: '2023-06-30' };

/**
 * What the spec says a cycle whose only support field is an EOL date looks like on asOf: not EOL
 * (and maintained, ACTIVE) up to and including its EOL day, EOL (unmaintained, ENDED) from the day after.
 */
function expectedOn(cycle: { name: string; eolFrom: string }, asOf: string) {
  const over = asOf > cycle.eolFrom;
  return {
    name: cycle.name,
    asOf,
    eolFrom: cycle.eolFrom,
    isEol: over,
    isMaintained: !over,
    supportPhase: over ? 'ENDED' : 'ACTIVE',
    daysUntilEol: daysBetween(asOf, cycle.eolFrom),
    // Neither cycle gives eoas, eoes, discontinued or lts.
    isEoas: null,
    isEoes: null,
    isDiscontinued: null,
    isLts: false,
  };
}

const CYCLE_FIELDS = `name asOf eolFrom isEol isMaintained supportPhase daysUntilEol isEoas isEoes isDiscontinued isLts`;

function expectNoErrors<T>(r: GqlResult<T>): T {
  expect(r.errors).toBeUndefined();
  expect(r.status).toBe(200);
  return r.data;
}

function expectBadInput(r: GqlResult<unknown>, messagePart: string) {
  expect(r.errors, 'an error was expected').toBeDefined();
  expect(r.errors!.length).toBeGreaterThan(0);
  for (const e of r.errors!) expect(e.extensions?.code).toBe('BAD_USER_INPUT');
  expect(r.errors!.map((e) => e.message).join('\n')).toContain(messagePart);
}

describe('the API over seeds/', () => {
  let t: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    t = await createImportedDatabase(seedsDir);
    server = await startTestServer(t.db, { now: new Date('2026-08-22T12:00:00Z') });
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  describe('Amazon Linux (legacy seed: release → releaseDate, eolColumn "Support")', () => {
    it.each(['2020-06-01', '2020-12-31', '2021-01-01', '2023-06-30', '2023-07-01'])(
      'product(name: "amazon-linux", asOf: %s) gives both cycles as the EOL dates say',
      async (asOf) => {
        const data = expectNoErrors(
          await server.gql<{
            product: { name: string; asOf: string; maintainedReleaseCount: number; releases: unknown[] };
          }>(
            `query($d: Date) { product(name: "amazon-linux", asOf: $d) {
              name asOf maintainedReleaseCount releases { ${CYCLE_FIELDS} } } }`,
            { d: asOf },
          ),
        );
        const expected = [expectedOn(AMI, asOf), expectedOn(AL2, asOf)];
        expect(data.product.name).toBe('amazon-linux');
        expect(data.product.asOf).toBe(asOf);
        expect(data.product.releases).toEqual(expected);
        expect(data.product.maintainedReleaseCount).toBe(expected.filter((c) => c.isMaintained).length);
      },
    );

    it('on 2020-06-01 both are maintained; on 2023-07-01 neither; the boundary day 2023-06-30 keeps AL2', async () => {
      const data = expectNoErrors(
        await server.gql<Record<string, Record<string, unknown>>>(
          `{
            early: releaseCycle(product: "amazon-linux", name: "Amazon Linux 2", asOf: "2020-06-01") { ${CYCLE_FIELDS} }
            boundary: releaseCycle(product: "amazon-linux", name: "Amazon Linux 2", asOf: "2023-06-30") { ${CYCLE_FIELDS} }
            after: releaseCycle(product: "amazon-linux", name: "Amazon Linux 2", asOf: "2023-07-01") { ${CYCLE_FIELDS} }
            amiEarly: releaseCycle(product: "amazon-linux", name: "Amazon Linux AMI", asOf: "2020-06-01") { ${CYCLE_FIELDS} }
            amiAfter: releaseCycle(product: "amazon-linux", name: "Amazon Linux AMI", asOf: "2023-07-01") { ${CYCLE_FIELDS} }
          }`,
        ),
      );
      expect(data.early).toMatchObject({
        isEol: false,
        isMaintained: true,
        supportPhase: 'ACTIVE',
        daysUntilEol: 1124,
      });
      expect(data.boundary).toMatchObject({
        isEol: false,
        isMaintained: true,
        supportPhase: 'ACTIVE',
        daysUntilEol: 0,
      });
      expect(data.after).toMatchObject({ isEol: true, isMaintained: false, supportPhase: 'ENDED', daysUntilEol: -1 });
      expect(data.amiEarly).toMatchObject({
        isEol: false,
        isMaintained: true,
        supportPhase: 'ACTIVE',
        daysUntilEol: 213,
      });
      expect(data.amiAfter).toMatchObject({
        isEol: true,
        isMaintained: false,
        supportPhase: 'ENDED',
        daysUntilEol: -912,
      });
      // The literal day counts above, checked against the calendar.
      expect(daysBetween('2020-06-01', AL2.eolFrom)).toBe(1124);
      expect(daysBetween('2020-06-01', AMI.eolFrom)).toBe(213);
      expect(daysBetween(AMI.eolFrom, '2023-07-01')).toBe(912);
    });

    it('serves the legacy product fields: labels, columns, latest versions and links', async () => {
      const data = expectNoErrors(
        await server.gql<{ product: Record<string, unknown> }>(
          `{ product(name: "amazon-linux") {
              label releasePolicyLink versionCommand iconSlug
              labels { eoas eol eoes discontinued }
              columns { eol { shown label } eoas { shown } }
              releases { name label releaseDate latest { name date link } } } }`,
        ),
      );
      expect(data.product).toEqual({
        label: 'Amazon Linux',
        releasePolicyLink: 'https://aws.amazon.com/amazon-linux-2/release-notes/',
        versionCommand: 'cat /etc/system-release',
        iconSlug: 'amazonaws',
        // eolColumn: Support (a string: shown, with this heading); activeSupportColumn: false.
        labels: { eoas: null, eol: 'Support', eoes: null, discontinued: null },
        columns: { eol: { shown: true, label: 'Support' }, eoas: { shown: false } },
        releases: [
          // No link and no changelogTemplate: no link (§4.5).
          {
            name: 'Amazon Linux AMI',
            label: 'Amazon Linux AMI',
            releaseDate: '2010-09-14',
            latest: { name: '2018.03', date: null, link: null },
          },
          // A plain release-level link is kept as it is.
          {
            name: 'Amazon Linux 2',
            label: 'Amazon Linux 2',
            releaseDate: '2017-12-19',
            latest: {
              name: '2.0.20210701.0',
              date: null,
              link: 'https://aws.amazon.com/amazon-linux-2/release-notes/',
            },
          },
        ],
      });
    });
  });

  it('isReleased: on a past date, cycles released later are maintained (spec) but not released', async () => {
    type C = {
      name: string;
      releaseDate: string;
      isReleased: boolean;
      isMaintained: boolean;
      product: { name: string };
    };
    const all = expectNoErrors(
      await server.gql<{ releaseCycles: { nodes: C[] } }>(
        `{ releaseCycles(filter: { products: ["ubuntu", "python"] }, asOf: "2024-01-15", first: 500) {
            nodes { name releaseDate isReleased isMaintained product { name } } } }`,
      ),
    ).releaseCycles.nodes;
    for (const c of all) expect(c.isReleased).toBe(c.releaseDate <= '2024-01-15');
    const later = all.filter((c) => c.releaseDate > '2024-01-15');
    expect(later.length).toBeGreaterThan(0);
    for (const c of later) expect(c.isMaintained).toBe(true);
    const released = expectNoErrors(
      await server.gql<{ releaseCycles: { nodes: C[] } }>(
        `{ releaseCycles(filter: { products: ["ubuntu", "python"], isReleased: true, isMaintained: true }, asOf: "2024-01-15", first: 500) {
            nodes { name releaseDate isReleased isMaintained product { name } } } }`,
      ),
    ).releaseCycles.nodes;
    const key = (c: C) => `${c.product.name}/${c.name}`;
    expect(released.map(key).sort()).toEqual(
      all
        .filter((c) => c.isReleased && c.isMaintained)
        .map(key)
        .sort(),
    );
    const unreleased = expectNoErrors(
      await server.gql<{ product: { releases: C[] } }>(
        `{ product(name: "python", asOf: "2024-01-15") { releases(filter: { isReleased: false }) { name releaseDate isReleased isMaintained product { name } } } }`,
      ),
    ).product.releases;
    expect(unreleased.map((c) => c.name).sort()).toEqual(
      later
        .filter((c) => c.product.name === 'python')
        .map((c) => c.name)
        .sort(),
    );
  });

  describe('missing things are null, not errors', () => {
    it('an unknown product, an unknown cycle and a version without a cycle are null', async () => {
      const r = await server.gql(
        `{
          product(name: "no-such-product") { name }
          cycleOfUnknownProduct: releaseCycle(product: "no-such-product", name: "1") { name }
          unknownCycle: releaseCycle(product: "amazon-linux", name: "Amazon Linux 2023") { name }
          noMatch: resolveVersion(product: "nodejs", version: "999.1.2") { name }
          noProduct: resolveVersion(product: "no-such-product", version: "1.0") { name }
          noIdentifier: productByIdentifier(identifier: "pkg:npm/no-such-package-eolgraph@1.0.0") { name }
          found: resolveVersion(product: "node", version: "v22.4.1") { name product { name } }
        }`,
      );
      expect(expectNoErrors(r)).toEqual({
        product: null,
        cycleOfUnknownProduct: null,
        unknownCycle: null,
        noMatch: null,
        noProduct: null,
        noIdentifier: null,
        // The control: the same lookups do find what exists.
        found: { name: '22', product: { name: 'nodejs' } },
      });
    });
  });

  describe('bad arguments are BAD_USER_INPUT errors that say what arrived', () => {
    it.each(['2024-13-01', 'yesterday', '2023-02-29', '2024-1-01', ''])('asOf: "%s" as a literal', async (bad) => {
      const r = await server.gql(`{ product(name: "amazon-linux", asOf: ${JSON.stringify(bad)}) { name } }`);
      expectBadInput(r, JSON.stringify(bad));
      expect(r.data ?? null).toBeNull();
    });

    it.each(['2024-13-01', 'yesterday'])('asOf: "%s" as a variable', async (bad) => {
      const r = await server.gql(`query($d: Date) { product(name: "amazon-linux", asOf: $d) { name } }`, { d: bad });
      expectBadInput(r, JSON.stringify(bad));
    });

    it('a Date in a filter and a non-string Date literal are rejected the same way', async () => {
      expectBadInput(
        await server.gql(`{ releaseCycles(filter: { eolBetween: { from: "2024-02-30" } }) { totalCount } }`),
        '"2024-02-30"',
      );
      expectBadInput(await server.gql(`{ product(name: "amazon-linux", asOf: 20240101) { name } }`), 'Date');
    });

    it('eolWithinDays: -1 is rejected; eolWithinDays: 0 is accepted', async () => {
      expectBadInput(
        await server.gql(`{ releaseCycles(filter: { eolWithinDays: -1 }) { totalCount } }`),
        'eolWithinDays',
      );
      const ok = await server.gql<{ releaseCycles: { totalCount: number; nodes: { name: string }[] } }>(
        `{ releaseCycles(filter: { eolWithinDays: 0 }, asOf: "2023-06-30") { totalCount nodes { name } } }`,
      );
      expect(expectNoErrors(ok).releaseCycles.nodes.map((n) => n.name)).toContain('Amazon Linux 2');
    });
  });
});
