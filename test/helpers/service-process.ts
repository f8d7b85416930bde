// The service as it runs in production: `npm start`'s command (scripts/start-command.ts) in a child process, with
// its configuration in the environment, on a free loopback port. Its JSON log lines (stdout) and
// stderr are collected so that tests can wait for a line, and read or grep all of them. Also the
// importer command (`npm run import`) as a child process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startCommandArgs } from '../../scripts/start-command.ts';
import { variables } from '../../src/config.ts';
import { projectRoot } from './env.ts';
import { freePort } from './tcp-proxy.ts';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HttpResult<T = GraphqlBody> {
  status: number;
  headers: Headers;
  body: T;
  /** Milliseconds from sending the request to the end of the response body. */
  ms: number;
}

export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: GraphqlError[];
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** Kills every service process this test file started and has not stopped yet. */
export async function killAllServices(): Promise<void> {
  await Promise.all(
    [...live].map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGKILL');
        }),
    ),
  );
  live.clear();
}

/** POSTs JSON to a URL and reads the whole answer (JSON when it parses, the text otherwise). */
export async function postJson<T = GraphqlBody>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult<T>> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, ms: performance.now() - started };
}

export class ServiceProcess {
  readonly proc: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly stdoutLines: string[] = [];
  stderr = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly port: number,
    env: NodeJS.ProcessEnv,
  ) {
    this.proc = spawn(process.execPath, startCommandArgs(), {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.proc);
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => {
        live.delete(this.proc);
        resolve({ code, signal });
        this.notify();
      }),
    );
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.stdoutLines.push(line);
      this.notify();
    });
    this.proc.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.notify();
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get graphqlUrl(): string {
    return `${this.baseUrl}/graphql`;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The stdout lines that are JSON log records. */
  logs(): LogLine[] {
    const out: LogLine[] = [];
    for (const line of this.stdoutLines) {
      try {
        const value = JSON.parse(line) as unknown;
        if (value && typeof value === 'object' && 'msg' in value) out.push(value as LogLine);
      } catch {
        /* not a log record */
      }
    }
    return out;
  }

  /** Everything the process printed, stdout then stderr. */
  output(): string {
    return `${this.stdoutLines.join('\n')}\n${this.stderr}`;
  }

  private notify(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves when check() returns something other than undefined (re-checked on any output). */
  private waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(tryIt);
      };
      const tryIt = () => {
        const value = check();
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (!this.running) {
          done();
          reject(new Error(`the service exited while waiting for ${what}:\n${this.output()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${this.output()}`));
      }, timeoutMs);
      this.waiters.add(tryIt);
      tryIt();
    });
  }

  /** The first log record (already printed or still to come) for which pred holds. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 20_000, what = 'a log line'): Promise<LogLine> {
    return this.waitFor(what, () => this.logs().find(pred), timeoutMs);
  }

  /** The number of log records for which pred holds, once it reaches n. */
  waitForLogCount(pred: (l: LogLine) => boolean, n: number, timeoutMs = 20_000): Promise<LogLine[]> {
    return this.waitFor(
      `${n} matching log lines`,
      () => {
        const hits = this.logs().filter(pred);
        return hits.length >= n ? hits : undefined;
      },
      timeoutMs,
    );
  }

  /** Waits until the process is listening (its "listening" log line). */
  async listening(timeoutMs = 30_000): Promise<void> {
    await this.waitForLog((l) => l.msg === 'listening', timeoutMs, 'the "listening" log line');
  }

  /** Waits until GET /readyz answers 200. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await this.listening(timeoutMs);
    const until = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < until) {
      if (!this.running) throw new Error(`the service exited before it was ready:\n${this.output()}`);
      const res = await fetch(`${this.baseUrl}/readyz`).catch((e: Error) => e);
      if (!(res instanceof Error) && res.status === 200) return;
      last = res instanceof Error ? res.message : await res.text();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the service was not ready after ${timeoutMs} ms (last /readyz: ${last}):\n${this.output()}`);
  }

  /** POSTs one GraphQL request (or a batch, given an array). */
  gql<T = GraphqlBody>(
    query: string | { query: string; variables?: unknown; operationName?: string }[],
    variables?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const body = typeof query === 'string' ? { query, variables } : query;
    return postJson<T>(this.graphqlUrl, body, headers);
  }

  /** Sends a signal and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<Exit> {
    if (this.running) this.proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the service did not exit within ${timeoutMs} ms of ${signal}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The names of every variable src/config.ts reads: none of them leaks in from the test's environment. */
const SERVICE_VARIABLES = Object.values(variables).map((v) => v.env);

/** The test's environment without any of the service's variables, plus env. */
function childEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SERVICE_VARIABLES) delete out[name];
  return Object.assign(out, env);
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run import -- ARGS…` against the database at databaseUrl, started the way npm would start
 * it but without npm and npx in between (a second less per run).
 */
export function runImporter(databaseUrl: string, args: string[]): Promise<CommandResult> {
  return runImporterWith({ DATABASE_URL: databaseUrl }, args);
}

/** The same with the service's variables given (e.g. PGLITE_DIR and no DATABASE_URL). */
export function runImporterWith(env: Record<string, string>, args: string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/importer/cli.ts', ...args],
      { cwd: projectRoot, env: childEnvironment(env), timeout: 60_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Starts the service with env (on top of: loopback host, a free port, info logs, no Studio socket)
 * and returns at once; await .listening() or .ready().
 */
export async function spawnService(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const childEnv = childEnvironment({
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    STUDIO_PORT: '0',
    ...env,
    PORT: String(port),
  });
  return new ServiceProcess(port, childEnv);
}

/** Starts the service and waits until /readyz says ready. */
export async function startReadyService(env: Record<string, string> = {}, timeoutMs = 30_000) {
  const service = await spawnService(env);
  await service.ready(timeoutMs);
  return service;
}

/** Error lines a process must never print (an error that escaped every handler). */
export const ESCAPED_ERRORS = /unhandledRejection|uncaughtException|UnhandledPromiseRejection|Unhandled error/i;
