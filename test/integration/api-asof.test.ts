// asOf travels with the data: a root field's asOf reaches every computed field below it (however
// deep), two root fields in one query each keep their own, and without asOf the server's injected
// clock decides what "today" is (its UTC calendar date). Amazon Linux 2 (eol 2023-06-30, seeds/)
// is the witness: maintained on its EOL day, EOL from the next day on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedsDir } from '../helpers/env.ts';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server.ts';

interface Cycle {
  name: string;
  asOf: string;
  isEol: boolean | null;
  isMaintained: boolean;
  daysUntilEol: number | null;
}

function ok<T>(r: GqlResult<T>): T {
  expect(r.errors).toBeUndefined();
  return r.data;
}

const byName = (cycles: Cycle[], name: string): Cycle => {
  const c = cycles.find((x) => x.name === name);
  if (!c) throw new Error(`no cycle ${name} in ${JSON.stringify(cycles.map((x) => x.name))}`);
  return c;
};

describe('asOf propagation', () => {
  let t: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    t = await createImportedDatabase(seedsDir);
    // A clock far from every date asked for below, so a field that ignored asOf would show.
    server = await startTestServer(t.db, { now: new Date('2030-01-01T12:00:00Z') });
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  it('product(asOf) reaches releases, latestRelease and the counts below it', async () => {
    const q = `query($d: Date) { product(name: "amazon-linux", asOf: $d) {
      asOf maintainedReleaseCount
      releases { name asOf isEol isMaintained daysUntilEol product { asOf maintainedReleaseCount } }
      latestRelease { name asOf isEol } } }`;
    type P = {
      product: {
        asOf: string;
        maintainedReleaseCount: number;
        releases: (Cycle & { product: { asOf: string; maintainedReleaseCount: number } })[];
        latestRelease: { name: string; asOf: string; isEol: boolean };
      };
    };
    const on = ok(await server.gql<P>(q, { d: '2023-06-30' })).product;
    expect(on.asOf).toBe('2023-06-30');
    expect(on.maintainedReleaseCount).toBe(1);
    expect(on.releases.map((c) => [c.name, c.asOf, c.isEol, c.isMaintained, c.daysUntilEol])).toEqual([
      ['Amazon Linux AMI', '2023-06-30', true, false, -911],
      ['Amazon Linux 2', '2023-06-30', false, true, 0],
    ]);
    // Through ReleaseCycle.product and back down: still the root's date.
    for (const c of on.releases) expect(c.product).toEqual({ asOf: '2023-06-30', maintainedReleaseCount: 1 });
    expect(on.latestRelease).toEqual({ name: 'Amazon Linux AMI', asOf: '2023-06-30', isEol: true });

    const after = ok(await server.gql<P>(q, { d: '2023-07-01' })).product;
    expect(after.maintainedReleaseCount).toBe(0);
    expect(after.releases.map((c) => [c.name, c.asOf, c.isEol, c.isMaintained, c.daysUntilEol])).toEqual([
      ['Amazon Linux AMI', '2023-07-01', true, false, -912],
      ['Amazon Linux 2', '2023-07-01', true, false, -1],
    ]);
    for (const c of after.releases) expect(c.product).toEqual({ asOf: '2023-07-01', maintainedReleaseCount: 0 });
  });

  it('releaseCycles(asOf) reaches nodes { product { maintainedReleaseCount } }', async () => {
    const q = `query($d: Date) { releaseCycles(filter: { product: "amazon-linux" }, asOf: $d) {
      nodes { name asOf isMaintained product { asOf maintainedReleaseCount releases { name isMaintained } } } } }`;
    type R = {
      releaseCycles: {
        nodes: {
          name: string;
          asOf: string;
          isMaintained: boolean;
          product: {
            asOf: string;
            maintainedReleaseCount: number;
            releases: { name: string; isMaintained: boolean }[];
          };
        }[];
      };
    };
    const expectations: [string, number, boolean[]][] = [
      ['2020-06-01', 2, [true, true]],
      ['2020-12-31', 2, [true, true]],
      ['2021-01-01', 1, [false, true]],
      ['2023-07-01', 0, [false, false]],
    ];
    for (const [asOf, count, maintained] of expectations) {
      const nodes = ok(await server.gql<R>(q, { d: asOf })).releaseCycles.nodes;
      expect(nodes.map((n) => [n.name, n.asOf, n.isMaintained])).toEqual([
        ['Amazon Linux AMI', asOf, maintained[0]],
        ['Amazon Linux 2', asOf, maintained[1]],
      ]);
      for (const n of nodes) {
        expect(n.product.asOf).toBe(asOf);
        expect(n.product.maintainedReleaseCount).toBe(count);
        expect(n.product.releases.map((c) => c.isMaintained)).toEqual(maintained);
      }
    }
  });

  it('two root fields with different asOf in one query each use their own date', async () => {
    const data = ok(
      await server.gql<Record<string, Record<string, unknown>>>(`{
        early: product(name: "amazon-linux", asOf: "2020-06-01") { asOf maintainedReleaseCount releases { name isEol } }
        late: product(name: "amazon-linux", asOf: "2023-07-01") { asOf maintainedReleaseCount releases { name isEol } }
        boundary: releaseCycle(product: "amazon-linux", name: "Amazon Linux 2", asOf: "2023-06-30") {
          asOf isEol daysUntilEol product { asOf maintainedReleaseCount } }
        version: resolveVersion(product: "amazon-linux", version: "Amazon Linux 2", asOf: "2023-07-01") { asOf isEol }
        cycles: releaseCycles(filter: { product: "amazon-linux", isMaintained: true }, asOf: "2021-01-01") {
          totalCount nodes { name asOf } }
        clock: product(name: "amazon-linux") { asOf maintainedReleaseCount }
        today
      }`),
    );
    expect(data).toEqual({
      early: {
        asOf: '2020-06-01',
        maintainedReleaseCount: 2,
        releases: [
          { name: 'Amazon Linux AMI', isEol: false },
          { name: 'Amazon Linux 2', isEol: false },
        ],
      },
      late: {
        asOf: '2023-07-01',
        maintainedReleaseCount: 0,
        releases: [
          { name: 'Amazon Linux AMI', isEol: true },
          { name: 'Amazon Linux 2', isEol: true },
        ],
      },
      boundary: {
        asOf: '2023-06-30',
        isEol: false,
        daysUntilEol: 0,
        product: { asOf: '2023-06-30', maintainedReleaseCount: 1 },
      },
      version: { asOf: '2023-07-01', isEol: true },
      cycles: { totalCount: 1, nodes: [{ name: 'Amazon Linux 2', asOf: '2021-01-01' }] },
      clock: { asOf: '2030-01-01', maintainedReleaseCount: 0 },
      today: '2030-01-01',
    });
  });

  describe('without asOf, the injected clock decides (its UTC calendar date)', () => {
    const q = `{ today
      product(name: "amazon-linux") { asOf maintainedReleaseCount releases { name asOf isEol isMaintained daysUntilEol } }
      eolToday: releaseCycles(filter: { eolWithinDays: 0, product: "amazon-linux" }) { totalCount }
      maintained: releaseCycles(filter: { isMaintained: true, product: "amazon-linux" }) { nodes { name } } }`;
    type R = {
      today: string;
      product: { asOf: string; maintainedReleaseCount: number; releases: Cycle[] };
      eolToday: { totalCount: number };
      maintained: { nodes: { name: string }[] };
    };

    it('at 23:59:59 UTC on the EOL day the cycle is not EOL yet', async () => {
      server.setNow(new Date('2023-06-30T23:59:59.999Z'));
      const d = ok(await server.gql<R>(q));
      expect(d.today).toBe('2023-06-30');
      expect(d.product.asOf).toBe('2023-06-30');
      expect(byName(d.product.releases, 'Amazon Linux 2')).toEqual({
        name: 'Amazon Linux 2',
        asOf: '2023-06-30',
        isEol: false,
        isMaintained: true,
        daysUntilEol: 0,
      });
      expect(d.product.maintainedReleaseCount).toBe(1);
      expect(d.eolToday.totalCount).toBe(1);
      expect(d.maintained.nodes).toEqual([{ name: 'Amazon Linux 2' }]);
    });

    it('at 00:00:00 UTC the next day it is', async () => {
      server.setNow(new Date('2023-07-01T00:00:00.000Z'));
      const d = ok(await server.gql<R>(q));
      expect(d.today).toBe('2023-07-01');
      expect(byName(d.product.releases, 'Amazon Linux 2')).toEqual({
        name: 'Amazon Linux 2',
        asOf: '2023-07-01',
        isEol: true,
        isMaintained: false,
        daysUntilEol: -1,
      });
      expect(d.product.maintainedReleaseCount).toBe(0);
      expect(d.eolToday.totalCount).toBe(0);
      expect(d.maintained.nodes).toEqual([]);
    });

    it('a clock expressed in another offset is still read as its UTC date', async () => {
      // 2023-07-01T01:30+02:00 is 2023-06-30T23:30Z: still the EOL day in UTC.
      server.setNow(new Date('2023-07-01T01:30:00+02:00'));
      const d = ok(await server.gql<R>(q));
      expect(d.today).toBe('2023-06-30');
      expect(byName(d.product.releases, 'Amazon Linux 2').isEol).toBe(false);
    });
  });
});
