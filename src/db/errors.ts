// Which database errors mean "the database is unavailable" (connection refused, lost, timed out
// while connecting, no answer on a connection that died silently ("Query read timeout", pg's
// client-side timeout), server shutting down) and which mean "this statement took too long"
// (statement_timeout). Errors arrive either as the driver adapter's DriverAdapterError (with a
// `cause` describing the driver error) or as the pg driver's own errors.

export type DbFailure = 'unavailable' | 'timeout';

const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
]);

const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|Client has encountered a connection error|Connection ended unexpectedly|terminating connection due to administrator command|the database system is (?:starting up|shutting down)|Client was closed|Cannot use a pool after calling end|Query read timeout/;

export function classifyDbError(err: unknown): DbFailure | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as {
      cause?: unknown;
      originalError?: unknown;
      code?: unknown;
      message?: unknown;
      kind?: unknown;
      originalCode?: unknown;
    };
    const cause = x.cause as { kind?: unknown; originalCode?: unknown } | undefined;
    const kind = cause?.kind ?? x.kind;
    const code = cause?.originalCode ?? x.originalCode ?? x.code;
    if (typeof kind === 'string' && UNAVAILABLE_KINDS.has(kind)) return 'unavailable';
    if (code === '57014') return 'timeout';
    if (typeof code === 'string' && (/^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300'))
      return 'unavailable';
    if (typeof x.message === 'string' && UNAVAILABLE_MESSAGES.test(x.message)) return 'unavailable';
    // GraphQL errors wrap the resolver's error in originalError, driver errors in cause.
    e = x.originalError ?? x.cause;
  }
  return null;
}
