// Graceful shutdown of the real service process (src/index.ts): SIGTERM (or SIGINT) in the middle of a load
// stops accepting connections at once, lets the requests it accepted finish with complete answers,
// closes the database and exits 0; a request that is still not done when SHUTDOWN_TIMEOUT_MS runs
// out is cut, and the process still exits within the deadline plus a little.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../src/http/explorer.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { ESCAPED_ERRORS, killAllServices, startReadyService, type ServiceProcess } from '../helpers/service-process.ts';

/** The explorer's (README's) example queries, each with a random asOf so that it really executes. */
function exampleRequest(i: number): string {
  const example = EXAMPLES[i % EXAMPLES.length]!;
  const variables = example.variables ? (JSON.parse(example.variables) as Record<string, unknown>) : {};
  const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(Math.random() * 4000) * 86_400_000);
  return JSON.stringify({ query: example.query, variables: { ...variables, asOf: day.toISOString().slice(0, 10) } });
}

type Outcome =
  | { kind: 'answered'; started: number; ended: number; status: number; complete: boolean }
  | { kind: 'no answer'; started: number; ended: number; code: string };

/** The error code of a failed fetch (undici puts the socket error in cause). */
function codeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(err);
}

/** Connects to port and reports how the attempt ended, and how long it took. */
function connectAttempt(port: number): Promise<{ result: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (result: string) => {
      socket.destroy();
      resolve({ result, ms: performance.now() - started });
    };
    socket.once('connect', () => done('connected'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.setTimeout(3000, () => done('timeout'));
  });
}

afterAll(killAllServices);

describe('graceful shutdown', () => {
  let t: TestDatabase;
  let t2: TestDatabase;
  let busy: ServiceProcess;
  let slow: ServiceProcess;

  beforeAll(async () => {
    [t, t2] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    [busy, slow] = await Promise.all([
      startReadyService({ DATABASE_URL: t.url, RESPONSE_CACHE: 'false' }),
      startReadyService({ DATABASE_URL: t2.url, SHUTDOWN_TIMEOUT_MS: '500' }),
    ]);
  });
  afterAll(async () => {
    await killAllServices();
    await Promise.all([t?.drop(), t2?.drop()]);
  });

  it('SIGTERM under load: every accepted request gets its complete 200, new connections are refused, exit 0', async () => {
    const outcomes: Outcome[] = [];
    let exited = false;
    const loop = async (n: number) => {
      for (let i = n; !exited; i += 20) {
        const started = performance.now();
        try {
          const res = await fetch(busy.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: exampleRequest(i),
          });
          const text = await res.text();
          let complete = false;
          try {
            const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
            complete = body.errors === undefined && body.data !== null && typeof body.data === 'object';
          } catch {
            /* a cut body does not parse */
          }
          outcomes.push({ kind: 'answered', started, ended: performance.now(), status: res.status, complete });
        } catch (err) {
          outcomes.push({ kind: 'no answer', started, ended: performance.now(), code: codeOf(err) });
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const loops = Array.from({ length: 20 }, (_, n) => loop(n));
    await new Promise((r) => setTimeout(r, 1000));

    const signalled = performance.now();
    busy.proc.kill('SIGTERM');
    await busy.waitForLog((l) => l.msg === 'shutting down: finishing in-flight requests', 5000);
    // Listening has stopped: a new connection is refused at once, even while requests finish.
    const attempt = await connectAttempt(busy.port);
    expect(attempt.result).toBe('ECONNREFUSED');
    expect(attempt.ms).toBeLessThan(500);

    const exit = await busy.exited;
    const exitedAfterMs = performance.now() - signalled;
    await new Promise((r) => setTimeout(r, 400)); // the clients go on trying a little longer
    exited = true;
    await Promise.all(loops);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAfterMs).toBeLessThan(10_000); // well within the default SHUTDOWN_TIMEOUT_MS

    const answered = outcomes.filter((o) => o.kind === 'answered');
    const unanswered = outcomes.filter((o) => o.kind === 'no answer');
    expect(answered.length).toBeGreaterThan(50);
    // Zero failures among the requests the service accepted: each answer is a complete 200.
    expect(answered.filter((o) => o.status !== 200 || !o.complete)).toEqual([]);
    // Requests in flight at the signal were finished, not dropped.
    expect(answered.filter((o) => o.started < signalled && o.ended > signalled).length).toBeGreaterThan(0);
    // The service answered every request it accepted, and the client got each of those answers:
    // one log line per answer, all 200.
    const served = busy.logs().filter((l) => l.msg === 'graphql');
    expect(served.length).toBe(answered.length);
    expect(served.filter((l) => l.status !== 200)).toEqual([]);
    // Requests without an answer failed during the shutdown, at once, before any byte of a
    // response: refused once the listening socket was closed, or reset when sent (a moment before
    // or after the close) on a keep-alive connection that the close found idle, the request not
    // read yet. A little after the close, every attempt is simply refused.
    const closing = busy.logs().find((l) => l.msg === 'shutting down: finishing in-flight requests')!;
    const closedAt = Date.parse(closing.time as string) - performance.timeOrigin + 2; // ms resolution
    expect(unanswered.length).toBeGreaterThan(0);
    for (const o of unanswered) {
      expect(o.ended).toBeGreaterThanOrEqual(signalled);
      expect(o.ended - o.started).toBeLessThan(1000);
      expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(o.code);
      if (o.started > closedAt + 250) expect(o.code).toBe('ECONNREFUSED');
    }
    expect(unanswered.filter((o) => o.started > closedAt + 250).length).toBeGreaterThan(0);
    expect((await connectAttempt(busy.port)).result).toBe('ECONNREFUSED');

    const messages = busy.logs().map((l) => l.msg);
    expect(messages).toContain('stopped');
    expect(busy.logs().find((l) => l.msg === 'shutting down: finishing in-flight requests')).toMatchObject({
      signal: 'SIGTERM',
      deadlineMs: 10_000,
    });
    expect(busy.output()).not.toMatch(ESCAPED_ERRORS);
    expect(busy.stderr).toBe('');
  });

  // SIGINT here (Ctrl-C in a terminal), SIGTERM above: both start the same shutdown.
  it('SIGINT: a request slower than SHUTDOWN_TIMEOUT_MS is cut at the deadline and the process still exits', async () => {
    // A request whose body never finishes arriving: it holds its connection open indefinitely.
    const socket = net.connect(slow.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let closedAt = Infinity;
    socket.on('close', () => (closedAt = performance.now()));
    socket.on('error', () => undefined);
    socket.write(
      'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":',
    );
    await new Promise((r) => setTimeout(r, 200));

    const signalled = performance.now();
    slow.proc.kill('SIGINT');
    const exit = await slow.exited;
    const exitedAfterMs = performance.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAfterMs).toBeGreaterThanOrEqual(450); // it did wait for the request…
    expect(exitedAfterMs).toBeLessThan(500 + 1500); // …until the deadline, plus a little
    await new Promise((r) => setTimeout(r, 50));
    expect(closedAt - signalled).toBeLessThan(500 + 1500);

    const messages = slow.logs().map((l) => l.msg);
    expect(slow.logs().find((l) => l.msg === 'shutting down: finishing in-flight requests')).toMatchObject({
      signal: 'SIGINT',
      deadlineMs: 500,
    });
    expect(messages).toContain('shutdown deadline reached: closing remaining connections');
    expect(messages.at(-1)).toBe('stopped');
    expect(slow.output()).not.toMatch(ESCAPED_ERRORS);
  });
});
