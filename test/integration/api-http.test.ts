// The HTTP surface of the service (src/http/app.ts) on a real port: health and readiness, the
// offline explorer, GraphQL over GET, Cache-Control derived from the injected clock, request ids
// and the body-size limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportedDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedsDir } from '../helpers/env.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BODY_LIMIT = 100_000; // the documented default of ServerOptions.maxBodyBytes

type RequestBody = NonNullable<RequestInit['body']>;

/** Seconds from `now` to the next UTC midnight, from the calendar. */
const secondsToMidnight = (now: Date) =>
  (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000;

/** A JSON GraphQL request body of exactly `bytes` bytes (padded through an unused variable). */
function bodyOfSize(bytes: number): string {
  const base = { query: '{ product(name: "amazon-linux", asOf: "2023-06-30") { name } }', variables: { pad: '' } };
  const pad = bytes - Buffer.byteLength(JSON.stringify(base));
  if (pad < 0) throw new Error(`a body of ${bytes} bytes is too small for the query`);
  return JSON.stringify({ ...base, variables: { pad: 'x'.repeat(pad) } });
}

describe('the HTTP service', () => {
  let t: TestDatabase;
  let server: TestServer;
  let notReady: TestServer;

  beforeAll(async () => {
    t = await createImportedDatabase(seedsDir);
    server = await startTestServer(t.db, { now: new Date('2026-08-22T12:00:00Z') });
    notReady = await startTestServer(t.db, {
      readiness: async () => ({ ready: false, reason: 'migration 20261127010000_support_status is not applied' }),
    });
  });
  afterAll(async () => {
    await notReady?.close();
    await server?.close();
    await t?.drop();
  });

  describe('health and readiness', () => {
    it('GET /healthz is 200', async () => {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('GET /readyz is 200 when the injected readiness says ready', async () => {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready' });
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('GET /readyz is 503 with the reason when it says not ready (and /healthz stays 200)', async () => {
      const res = await fetch(`${notReady.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'unavailable',
        reason: 'migration 20261127010000_support_status is not applied',
      });
      expect((await fetch(`${notReady.url}/healthz`)).status).toBe(200);
    });
  });

  describe('the explorer', () => {
    const explorerHtml = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      return res.text();
    };

    it('GET / and GET /graphql (Accept: text/html) serve the same explorer page', async () => {
      const root = await explorerHtml('/');
      expect(root).toMatch(/^<!doctype html>/i);
      expect(await explorerHtml('/graphql')).toBe(root);
    });

    it('references only local /explorer/ assets, each served with a JavaScript or CSS content type', async () => {
      const html = await explorerHtml('/');
      const scripts = [...html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
      const styles = [...html.matchAll(/<link\b[^>]*\bhref\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      expect(styles.length).toBeGreaterThan(0);
      // Nothing from a CDN: no absolute or protocol-relative URL anywhere in the page.
      expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
      for (const url of [...scripts, ...styles]) expect(url).toMatch(/^\/explorer\/[\w.-]+$/);

      for (const [urls, type] of [
        [scripts, /^(text|application)\/javascript\b/],
        [styles, /^text\/css\b/],
      ] as const) {
        for (const url of urls) {
          const res = await fetch(`${server.url}${url}`);
          expect(res.status, url).toBe(200);
          expect(res.headers.get('content-type'), url).toMatch(type);
          expect((await res.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
        }
      }
    });

    it('an unknown explorer asset is a 404', async () => {
      expect((await fetch(`${server.url}/explorer/nothing-here.js`)).status).toBe(404);
    });
  });

  describe('GraphQL over GET', () => {
    const get = (query: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/graphql?${new URLSearchParams({ query })}`, { headers });

    it('works with the apollo-require-preflight header', async () => {
      server.setNow(new Date('2026-08-22T12:00:00Z'));
      const res = await get('{ today product(name: "node") { name } }', { 'apollo-require-preflight': 'true' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { today: '2026-08-22', product: { name: 'nodejs' } } });
    });

    it('is refused without it (CSRF prevention), and the refusal is not cacheable', async () => {
      const res = await get('{ today }');
      expect(res.status).toBe(400);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('Cache-Control', () => {
    it.each([
      '2026-08-22T21:13:20Z',
      '2026-08-22T23:59:59Z',
      '2026-08-23T00:00:00Z',
      '2024-02-28T06:00:00Z',
      '2026-12-31T23:00:00Z',
    ])('a query that uses today may be cached until the next UTC midnight (now = %s)', async (iso) => {
      const now = new Date(iso);
      server.setNow(now);
      const expected = `public, max-age=${secondsToMidnight(now)}`;
      const a = await server.gql(`{ product(name: "amazon-linux") { releases { isEol } } }`);
      expect(a.errors).toBeUndefined();
      expect(a.headers.get('cache-control')).toBe(expected);
      const b = await server.gql(`{ today }`);
      expect(b.data).toEqual({ today: iso.slice(0, 10) });
      expect(b.headers.get('cache-control')).toBe(expected);
      // One root field without asOf is enough to make the answer depend on today.
      const c = await server.gql(`{
        pinned: product(name: "amazon-linux", asOf: "2023-06-30") { name }
        today: releaseCycles(filter: { product: "amazon-linux" }) { totalCount }
      }`);
      expect(c.errors).toBeUndefined();
      expect(c.headers.get('cache-control')).toBe(expected);
    });

    it('spot values: 21:13:20 → 10000 s, 23:59:59 → 1 s, 00:00:00 → 86400 s', () => {
      expect(secondsToMidnight(new Date('2026-08-22T21:13:20Z'))).toBe(10_000);
      expect(secondsToMidnight(new Date('2026-08-22T23:59:59Z'))).toBe(1);
      expect(secondsToMidnight(new Date('2026-08-23T00:00:00Z'))).toBe(86_400);
    });

    it('a query whose root fields all pin asOf may be cached for a day', async () => {
      server.setNow(new Date('2026-08-22T21:13:20Z'));
      const r = await server.gql(`{
        a: product(name: "amazon-linux", asOf: "2023-06-30") { releases { isEol } }
        b: releaseCycles(filter: { isMaintained: true }, asOf: "2020-01-01") { totalCount }
      }`);
      expect(r.errors).toBeUndefined();
      expect(r.headers.get('cache-control')).toBe('public, max-age=86400');
    });

    it('a response with errors is not stored: field errors (HTTP 200) and request errors (HTTP 400)', async () => {
      server.setNow(new Date('2026-08-22T21:13:20Z'));
      const fieldError = await server.gql(`{ products(first: 501, asOf: "2023-06-30") { totalCount } }`);
      expect(fieldError.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(fieldError.headers.get('cache-control')).toBe('no-store');
      const withToday = await server.gql(`{ today releaseCycles(filter: { eolWithinDays: -1 }) { totalCount } }`);
      expect(withToday.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(withToday.headers.get('cache-control')).toBe('no-store');
      const invalid = await server.gql(`{ product(name: "amazon-linux") { noSuchField } }`);
      expect(invalid.status).toBe(400);
      expect(invalid.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('request ids', () => {
    it('echoes x-request-id and puts it in every error as extensions.requestId', async () => {
      const r = await server.gql(
        `{ a: product(name: "nodejs", asOf: "2024-13-01") { name } b: product(name: "nodejs", asOf: "soon") { name } }`,
        undefined,
        { 'x-request-id': 'api-http-test.42' },
      );
      expect(r.headers.get('x-request-id')).toBe('api-http-test.42');
      expect(r.errors?.length).toBe(2);
      for (const e of r.errors!) expect(e.extensions?.requestId).toBe('api-http-test.42');
      const ok = await server.gql(`{ today }`, undefined, { 'x-request-id': 'api-http-test.43' });
      expect(ok.headers.get('x-request-id')).toBe('api-http-test.43');
    });

    it('makes one up when none (or an unusable one) is sent, and errors carry that one', async () => {
      const r = await server.gql(`{ products(first: 501) { totalCount } }`, undefined, {
        'x-request-id': 'has spaces and <html>',
      });
      const id = r.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(r.errors?.[0]?.extensions?.requestId).toBe(id);
      const other = await server.gql(`{ today }`);
      expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(other.headers.get('x-request-id')).not.toBe(id);
    });
  });

  describe('request ids on refusals made before GraphQL runs', () => {
    it('CSRF prevention, invalid JSON and a body that is not a GraphQL request carry it too', async () => {
      const refusals = [
        // A GET without a preflight-forcing header: Apollo's CSRF prevention.
        fetch(`${server.url}/graphql?${new URLSearchParams({ query: '{ today }' })}`, {
          headers: { 'x-request-id': 'refused.1' },
        }),
        fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'refused.2' },
          body: '{"query": ',
        }),
        fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'refused.3' },
          body: '{"variables": {}}',
        }),
      ];
      for (const [i, res] of (await Promise.all(refusals)).entries()) {
        const id = `refused.${i + 1}`;
        expect(res.status).toBe(400);
        expect(res.headers.get('x-request-id')).toBe(id);
        const json = (await res.json()) as { errors: { extensions?: Record<string, unknown> }[] };
        expect(json.errors.length).toBeGreaterThan(0);
        for (const e of json.errors) expect(e.extensions?.requestId).toBe(id);
      }
    });
  });

  describe('Vary', () => {
    it('GraphQL answers vary by Accept (application/json or application/graphql-response+json)', async () => {
      const r = await server.gql(`{ today }`);
      expect(r.headers.get('vary')).toBe('accept');
    });

    it('with a list of allowed origins, every answer varies by Origin, allowed or not', async () => {
      const listed = await startTestServer(t.db, { options: { corsOrigins: ['https://allowed.example'] } });
      try {
        const ask = (origin?: string) =>
          fetch(`${listed.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
            body: JSON.stringify({ query: '{ today }' }),
          });
        const allowed = await ask('https://allowed.example');
        expect(allowed.headers.get('access-control-allow-origin')).toBe('https://allowed.example');
        expect(allowed.headers.get('vary')).toBe('origin, accept');
        for (const res of [await ask('https://other.example'), await ask()]) {
          expect(res.status).toBe(200);
          expect(res.headers.get('access-control-allow-origin')).toBeNull();
          expect(res.headers.get('vary')).toBe('origin, accept');
        }
      } finally {
        await listed.close();
      }
    });
  });

  describe('request body limit', () => {
    const post = (body: RequestBody, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'big-body', ...headers },
        body,
        duplex: 'half',
      } as RequestInit);

    it(`accepts a body of exactly ${BODY_LIMIT} bytes`, async () => {
      const body = bodyOfSize(BODY_LIMIT);
      expect(Buffer.byteLength(body)).toBe(BODY_LIMIT);
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { product: { name: 'amazon-linux' } } });
    });

    it(`refuses a body of ${BODY_LIMIT + 1} bytes with HTTP 413`, async () => {
      const body = bodyOfSize(BODY_LIMIT + 1);
      expect(Buffer.byteLength(body)).toBe(BODY_LIMIT + 1);
      const res = await post(body);
      expect(res.status).toBe(413);
      const json = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(json.errors[0]!.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', requestId: 'big-body' });
      expect(res.headers.get('x-request-id')).toBe('big-body');
    });

    it('refuses a streamed body (no Content-Length) once it passes the limit', async () => {
      const chunk = new TextEncoder().encode(bodyOfSize(60_000));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          // Two chunks of 60,000 bytes: the second one crosses the limit (the JSON is not even valid).
          controller.enqueue(chunk);
          controller.enqueue(chunk);
          controller.close();
        },
      });
      const res = await post(stream);
      expect(res.status).toBe(413);
    });
  });
});
