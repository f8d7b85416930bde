// The only reader of process.env. Every variable is declared once below with its default and a
// description (the README's configuration table and .env.example list the same set; a test keeps
// them in step). loadConfig() validates all of them and reports every problem at once.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

type Parser<T> = (raw: string) => T;

interface VarSpec<T> {
  env: string;
  default: T;
  parse: Parser<T>;
  doc: string;
}

const str: Parser<string> = (raw) => raw;
const optionalUrl: Parser<string | null> = (raw) => {
  if (raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('is not a URL');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(`must be a postgresql:// URL, not ${url.protocol}//`);
  }
  return raw;
};
const int =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };
const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw) => {
    if (!(values as string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };

const bool: Parser<boolean> = (raw) => {
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new Error(`must be true or false, got "${raw}"`);
};
const origins: Parser<'*' | string[]> = (raw) => {
  if (raw.trim() === '*') return '*';
  const list = raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of list) {
    if (!/^https?:\/\/[^/\s]+$/.test(o))
      throw new Error(`must be * or a comma-separated list of origins (https://host[:port]), got "${o}"`);
  }
  return list;
};

function v<T>(env: string, dflt: T, parse: Parser<T>, doc: string): VarSpec<T> {
  return { env, default: dflt, parse, doc };
}

/** Every environment variable eolgraph reads. */
export const variables = {
  databaseUrl: v<string | null>(
    'DATABASE_URL',
    null,
    optionalUrl,
    'PostgreSQL connection URL. Unset: the embedded database (PGlite) in PGLITE_DIR.',
  ),
  pgliteDir: v('PGLITE_DIR', 'data/pglite', str, 'Data directory of the embedded database (relative to the project).'),
  dbPoolSize: v('DB_POOL_SIZE', 10, int(1, 200), 'PostgreSQL connections the service keeps at most.'),
  dbStatementTimeoutMs: v(
    'DB_STATEMENT_TIMEOUT_MS',
    5000,
    int(0, 3_600_000),
    'PostgreSQL cancels any statement running longer than this (0 = no limit).',
  ),
  dbConnectTimeoutMs: v(
    'DB_CONNECT_TIMEOUT_MS',
    3000,
    int(100, 600_000),
    'How long to wait for a PostgreSQL connection before failing the request (DATABASE_UNAVAILABLE).',
  ),
  host: v('HOST', '127.0.0.1', str, 'Address the HTTP server listens on (0.0.0.0 in containers).'),
  port: v('PORT', 4000, int(0, 65535), 'HTTP port of the GraphQL service.'),
  studioPort: v(
    'STUDIO_PORT',
    5488,
    int(0, 65535),
    'Loopback port on which the running service exposes the embedded database for Prisma Studio (0 = off).',
  ),
  studioIdleInTransactionMs: v(
    'STUDIO_IDLE_IN_TRANSACTION_MS',
    10_000,
    int(0, 3_600_000),
    'Embedded database: a Studio/psql connection idle this long inside a transaction is closed and rolled back, since the service waits for it (0 = never).',
  ),
  shutdownTimeoutMs: v(
    'SHUTDOWN_TIMEOUT_MS',
    10_000,
    int(0, 600_000),
    'On SIGTERM/SIGINT, how long in-flight requests may take before their connections are closed.',
  ),
  seedsDir: v('SEEDS_DIR', 'seeds', str, 'Documents imported at start when the database has no products.'),
  importMaxDocumentBytes: v(
    'IMPORT_MAX_DOCUMENT_BYTES',
    1_048_576,
    int(1024, 1_073_741_824),
    'Largest product document the importer reads; larger files are rejected (the largest real one is 122 KB).',
  ),
  importMaxYamlNodes: v(
    'IMPORT_MAX_YAML_NODES',
    200_000,
    int(100, 100_000_000),
    'Most YAML values (after alias expansion) one front matter may hold; stops alias "bombs".',
  ),
  corsOrigins: v<'*' | string[]>(
    'CORS_ORIGINS',
    '*',
    origins,
    'Origins allowed to call the API from a browser: * (any: the data is public) or a comma-separated list.',
  ),
  introspection: v('INTROSPECTION', true, bool, 'Allow schema introspection (explorers and code generators need it).'),
  maxBodyBytes: v('MAX_BODY_BYTES', 100_000, int(1_000, 100_000_000), 'Largest HTTP request body (HTTP 413 above).'),
  maxResponseBytes: v(
    'MAX_RESPONSE_BYTES',
    32 * 1024 * 1024,
    int(1_000, 1_000_000_000),
    "Largest answer, in bytes, a request's operations together (RESPONSE_TOO_LARGE above; the whole catalogue is ~3.2 MB).",
  ),
  maxQueryBytes: v('MAX_QUERY_BYTES', 20_000, int(100, 10_000_000), 'Longest query text (QUERY_TOO_LARGE above).'),
  maxQueryTokens: v(
    'MAX_QUERY_TOKENS',
    5_000,
    int(10, 10_000_000),
    'Most lexical tokens in a query (TOO_MANY_TOKENS above).',
  ),
  maxQueryDepth: v('MAX_QUERY_DEPTH', 10, int(1, 1000), 'Deepest field nesting (QUERY_TOO_DEEP above).'),
  maxVariablesDepth: v(
    'MAX_VARIABLES_DEPTH',
    20,
    int(1, 1000),
    "Deepest nesting of objects and lists in a request's variables, and in its extensions (VARIABLES_TOO_DEEP above; the schema's inputs need 3).",
  ),
  maxQueryCost: v(
    'MAX_QUERY_COST',
    100_000,
    int(1, 1_000_000_000),
    "Cost budget per request (a batch's operations add up): the objects the answer can hold at the most, from page sizes, nesting and the catalogue's figures (QUERY_TOO_COSTLY above; the whole catalogue with every field costs ~40,000).",
  ),
  heavyQueryCost: v(
    'HEAVY_QUERY_COST',
    10_000,
    int(1, 1_000_000_000),
    "Operations whose request is estimated to cost at least this much (a batch's operations add up; the whole catalogue: ~22,500) run at most HEAVY_QUERY_CONCURRENCY at a time, in arrival order.",
  ),
  heavyQueryConcurrency: v(
    'HEAVY_QUERY_CONCURRENCY',
    2,
    int(1, 1000),
    'How many heavy operations execute at once (each whole-catalogue answer holds ~30 MB while it is built).',
  ),
  heavyQueryQueue: v(
    'HEAVY_QUERY_QUEUE',
    64,
    int(0, 100_000),
    'How many heavy operations may wait for their turn; more are refused at once (SERVER_BUSY), so a flood of them cannot pile up memory and latency.',
  ),
  maxAliases: v('MAX_ALIASES', 15, int(0, 10_000), 'Most aliases in one operation (TOO_MANY_ALIASES above).'),
  maxRootFields: v(
    'MAX_ROOT_FIELDS',
    10,
    int(1, 10_000),
    'Most root fields in one operation (TOO_MANY_ROOT_FIELDS above).',
  ),
  maxBatchOperations: v(
    'MAX_BATCH_OPERATIONS',
    5,
    int(1, 1000),
    'Most operations in one batched request (TOO_MANY_OPERATIONS above).',
  ),
  maxPageSize: v('MAX_PAGE_SIZE', 500, int(1, 100_000), 'Largest `first` of a connection (BAD_USER_INPUT above).'),
  changeFeedHeartbeatMs: v(
    'CHANGE_FEED_HEARTBEAT_MS',
    500,
    int(0, 60_000),
    'PostgreSQL: the change listener checks its connection this often; one that stops answering turns the caches off within two beats, until it is replaced (0 = never check).',
  ),
  responseCache: v(
    'RESPONSE_CACHE',
    true,
    bool,
    'Cache whole responses until the data changes or UTC midnight (header X-Cache).',
  ),
  responseCacheMaxBytes: v(
    'RESPONSE_CACHE_MAX_BYTES',
    67_108_864,
    int(1_000_000, 17_179_869_184),
    'Memory the in-process response cache may use (least recently used answers go first).',
  ),
  redisUrl: v<string | null>(
    'REDIS_URL',
    null,
    (raw) => {
      if (!/^rediss?:\/\//.test(raw)) throw new Error(`must be a redis:// or rediss:// URL`);
      return raw;
    },
    'Keep the response cache in Redis instead, shared by every instance.',
  ),
  catalogSnapshot: v(
    'CATALOG_SNAPSHOT',
    true,
    bool,
    'Keep the catalogue rows in memory (reloaded after every change) instead of querying them per request.',
  ),
  graphqlExecutor: v<'jit' | 'graphql-js'>(
    'GRAPHQL_EXECUTOR',
    'jit',
    oneOf('jit', 'graphql-js'),
    'Execute queries compiled by graphql-jit, or with graphql-js.',
  ),
  logLevel: v(
    'LOG_LEVEL',
    'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
    oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    'pino log level.',
  ),
  nodeEnv: v(
    'NODE_ENV',
    'development' as 'development' | 'production' | 'test',
    oneOf('development', 'production', 'test'),
    'production hides error details from responses.',
  ),
} as const;

type Variables = typeof variables;
export type Config = { readonly [K in keyof Variables]: Variables[K]['default'] } & {
  /** Absolute project root (where package.json is). */
  readonly root: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const projectRoot = resolve(new URL('..', import.meta.url).pathname);

/** Reads and validates the environment; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = { root: projectRoot };
  for (const [key, spec] of Object.entries(variables) as [string, VarSpec<unknown>][]) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      out[key] = spec.default;
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (err) {
      problems.push(`${spec.env} ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = { ...out, ...overrides } as { -readonly [K in keyof Config]: Config[K] };
  // A symlinked data directory is followed: PGlite cannot open one through a link, and the lock
  // file must sit at one canonical place whichever path a process was given.
  config.pgliteDir = resolve(config.root, config.pgliteDir);
  try {
    config.pgliteDir = realpathSync(config.pgliteDir);
  } catch {
    /* not there yet: PGlite creates it */
  }
  config.seedsDir = resolve(config.root, config.seedsDir);
  return Object.freeze(config);
}

/** The database URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
