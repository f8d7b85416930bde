// Lending the embedded database to Prisma Studio (or psql) over the Postgres wire protocol, on
// loopback, through pglite-socket's server.
//
// PGlite has one session, shared by the service and every socket client, so the socket's
// statements and the service's would interleave freely: a statement of the service could run
// inside a client's open transaction (reading data that the client then rolls back, or committing
// it: a ROLLBACK lost), and a client's statement could run inside a transaction of the service
// (the importer's, and be rolled back with it). PGlite itself serialises whole transactions with
// one mutex (the one that query(), exec() and transaction() take) but pglite-socket only takes the
// per-statement one. So the socket is given a view of the PGlite (a Proxy) that:
// - takes that transaction mutex before each client message and keeps it while the client's
//   transaction is open: the service waits for a client's transaction to end, and a client waits
//   for the service's;
// - reports isInTransaction() only for the clients' own transactions, so pglite-socket's queue
//   never mistakes (and rolls back) one of the service's;
// - closes a client whose transaction stays idle longer than idleInTransactionMs, rolling it back
//   (PostgreSQL's idle_in_transaction_session_timeout), so nobody can hold the service hostage;
// - scans the protocol output for NotificationResponse messages: a change made through the socket
//   notifies in the socket's stream, not through pglite.listen(), and must still reach the caches;
// - has the change feed check, after each exchange, that the session still listens and the notify
//   triggers are on (a client's UNLISTEN, DISCARD ALL or ALTER TABLE could have changed that).
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { NotificationScanner, type PgliteFeed } from './changes.ts';

export interface StudioSocketOptions {
  port: number;
  host?: string;
  maxConnections?: number;
  /** Told of every notification the clients' statements cause (the change feed). */
  feed?: PgliteFeed | null;
  /** A client idle this long inside a transaction is disconnected and rolled back (0 = never). */
  idleInTransactionMs: number;
  /** Called when a client was disconnected for that. */
  onIdleInTransaction?: (idleMs: number) => void;
}

/** What the proxy needs of PGlite beyond its public type. */
interface PgliteInternals {
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
}

/** A simple-query protocol message ('Q', int32 length, text, NUL). */
function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const msg = Buffer.alloc(5 + text.length);
  msg[0] = 0x51;
  msg.writeInt32BE(4 + text.length, 1);
  text.copy(msg, 5);
  return msg;
}

export interface SocketSession {
  /** The view of pglite to give PGLiteSocketServer. */
  readonly db: PGlite;
  /** True while a socket client holds the session (a transaction or a protocol exchange is open). */
  readonly held: boolean;
  /** Set by serveForStudio: disconnects the client holding the session; false if there is none. */
  closeHolder: (() => boolean) | null;
  /**
   * Set by serveForStudio: whether the client whose message ran last is gone; with forget, also
   * tells the socket server's queue to stop waiting for it.
   */
  holderGone: ((forget: boolean) => boolean) | null;
}

const TERMINATE = 0x58; // 'X'
const SYNC = Uint8Array.from([0x53, 0, 0, 0, 4]); // 'S', length 4

export function socketSession(
  pglite: PGlite,
  opts: Pick<StudioSocketOptions, 'feed' | 'idleInTransactionMs' | 'onIdleInTransaction'>,
): SocketSession {
  const internals = pglite as unknown as PgliteInternals;
  if (typeof internals._runExclusiveTransaction !== 'function') {
    // Without it the sessions would interleave; refuse rather than corrupt (PGlite's version is
    // pinned in package.json, and the embedded-database tests cover this path).
    throw new Error('this PGlite has no _runExclusiveTransaction: its session cannot be shared safely');
  }
  // The clients' protocol state after their last message: idle ('I', the session is free), in a
  // transaction ('T', 'E'), or in the middle of an exchange that has not reached ReadyForQuery yet
  // (extended protocol before its Sync, COPY).
  let state: 'I' | 'T' | 'E' | 'busy' = 'I';
  let acquiring: Promise<void> | null = null;
  let release: (() => void) | null = null;
  let inFlight = 0;
  let idleTimer: NodeJS.Timeout | null = null;

  // Resolves once the transaction mutex is ours; `release` gives it back.
  const acquire = () =>
    new Promise<void>((acquired, failed) => {
      internals
        ._runExclusiveTransaction(
          () =>
            new Promise<void>((done) => {
              release = done;
              acquired();
            }),
        )
        .catch(failed);
    });

  const held = () => release !== null && state !== 'I';

  /**
   * Ends what a client that is gone left open (its transaction, or an exchange before its Sync),
   * and lets the socket server's queue go on with the other clients.
   */
  const abandon = () =>
    endClientTransaction('ROLLBACK')
      .catch(() => undefined)
      .finally(() => session.holderGone?.(true));

  const onIdleTooLong = () => {
    idleTimer = null;
    if (!held()) return;
    if (session.closeHolder?.()) opts.onIdleInTransaction?.(opts.idleInTransactionMs);
    // No client to close: end the exchange and the transaction here.
    else void abandon().then(() => opts.onIdleInTransaction?.(opts.idleInTransactionMs));
  };

  const settle = () => {
    if (!release) return;
    if (state !== 'I') {
      if (opts.idleInTransactionMs > 0) {
        idleTimer = setTimeout(onIdleTooLong, opts.idleInTransactionMs);
        idleTimer.unref();
      }
      // The client may have gone while its message waited for the session (its disconnect found
      // nothing to roll back then): once the socket server has noted whose message this was,
      // check that client is still there.
      setImmediate(() => {
        if (held() && inFlight === 0 && session.holderGone?.(false)) void abandon();
      });
      return;
    }
    const r = release;
    release = null;
    acquiring = null;
    r();
    // The exchange may have ended the session's LISTEN or turned a notify trigger off.
    void opts.feed?.verify();
  };

  /** Runs one protocol step of a socket client, with the session held. */
  const asClient = async <T>(fn: () => Promise<T>): Promise<T> => {
    inFlight += 1;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    try {
      await (acquiring ??= acquire());
      return await pglite.runExclusive(fn);
    } finally {
      inFlight -= 1;
      if (inFlight === 0) settle();
    }
  };

  /** One client message through PGlite, noting the protocol state it leaves behind. */
  const step = (message: Uint8Array, onRawData?: (chunk: Uint8Array) => void) => {
    let ready: 'I' | 'T' | 'E' | null = null;
    const feed = opts.feed;
    const scanner = new NotificationScanner(
      (channel) => feed?.notify(channel),
      (status) => (ready = status),
    );
    const before = state;
    const after = (failed: boolean) => {
      if (ready) state = ready;
      // Terminate answers nothing: an exchange left open stays open (the disconnect ends it).
      else if (message[0] === TERMINATE || failed)
        state = before === 'busy' ? 'busy' : pglite.isInTransaction() ? 'T' : 'I';
      else state = 'busy';
    };
    return pglite
      .execProtocolRawStream(message, {
        onRawData: (chunk: Uint8Array) => {
          scanner.push(chunk);
          onRawData?.(chunk);
        },
      })
      .then(
        (r) => {
          after(false);
          return r;
        },
        (err: unknown) => {
          after(true);
          throw err;
        },
      );
  };

  /**
   * Ends whatever a client left open. A ROLLBACK first: it aborts an exchange's implicit
   * transaction (a Sync would commit it) and is skipped if the exchange failed (the server then
   * ignores everything up to a Sync); the Sync ends the exchange; then the statement asked for
   * (ROLLBACK), which ends an explicit transaction block.
   */
  const endClientTransaction = (sql: string) =>
    asClient(async () => {
      await step(simpleQuery('ROLLBACK'));
      await step(SYNC);
      await step(simpleQuery(sql));
    });

  const db = new Proxy(pglite, {
    get(target, prop) {
      switch (prop) {
        case 'runExclusive':
          return <T>(fn: () => Promise<T>) => asClient(fn);
        case 'isInTransaction':
          return held;
        case 'exec':
          // pglite-socket's only other call: ROLLBACK when a client holding the session goes away.
          // Never rejects: pglite-socket calls it without waiting (an unhandled rejection).
          return async (sql: string) => {
            await endClientTransaction(sql).catch(() => undefined);
            return [];
          };
        case 'execProtocolRawStream':
          return (message: Uint8Array, o: { onRawData?: (chunk: Uint8Array) => void } = {}) =>
            step(message, o.onRawData);
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

  const session: SocketSession = {
    db,
    get held() {
      return held();
    },
    closeHolder: null,
    holderGone: null,
  };
  return session;
}

/** What serveForStudio needs of PGLiteSocketServer beyond its public type (pinned version). */
interface SocketServerInternals {
  queryQueue?: { lastHandlerId?: number | null; processQueue?(): Promise<void> };
  handlers?: Set<{ handlerId: number; isAttached?: boolean; handleError(err: Error): void }>;
}

/** Starts a PGLiteSocketServer on the shared session; rejects if the port cannot be bound. */
export async function serveForStudio(pglite: PGlite, opts: StudioSocketOptions): Promise<PGLiteSocketServer> {
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const session = socketSession(pglite, opts);
  const server = new PGLiteSocketServer({
    db: session.db,
    port: opts.port,
    host: opts.host ?? '127.0.0.1',
    maxConnections: opts.maxConnections ?? 10,
  });
  session.closeHolder = () => {
    // The client whose message ran last holds the open transaction (pglite-socket's queue runs
    // only that client's messages while it is open). handleError closes its socket, forgets the
    // handler and rolls its transaction back, as pglite-socket's own idle timeout does.
    const internals = server as unknown as SocketServerInternals;
    const id = internals.queryQueue?.lastHandlerId;
    const handler = [...(internals.handlers ?? [])].find((h) => h.handlerId === id);
    if (!handler) return false;
    handler.handleError(new Error('idle in transaction for too long'));
    return true;
  };
  session.holderGone = (forget) => {
    const internals = server as unknown as SocketServerInternals;
    const queue = internals.queryQueue;
    const id = queue?.lastHandlerId;
    const handler = [...(internals.handlers ?? [])].find((h) => h.handlerId === id);
    const gone = !handler || handler.isAttached === false;
    if (gone && forget && queue) {
      queue.lastHandlerId = null;
      void queue.processQueue?.().catch(() => undefined);
    }
    return gone;
  };
  await server.start();
  return server;
}
