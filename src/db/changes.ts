// The change feed: tells the service when catalogue data changed, whoever changed it. The
// change_notifications migration makes every data-changing statement NOTIFY
// eolgraph_data_changed at commit.
//
// - PostgreSQL: one dedicated connection LISTENs. While it is down the feed is "unhealthy" (a
//   change could go unnoticed), which makes every cache step aside; it reconnects with backoff and,
//   once back, reports a change (anything may have changed meanwhile). A connection can also die
//   without a word (a network path gone: no reset, no FIN; TCP keep-alive would notice after
//   minutes at best). So every heartbeatMs the listener sends a small query on the system
//   catalogue (below; on its own connection, so the per-request statement counts do not see it)
//   whose answer comes after every notification queued before it: one unanswered makes the feed unhealthy at
//   the next beat (within 2 × heartbeatMs of the last good answer), and one unanswered for
//   deadAfterMs ends the connection and reconnects. (LISTEN needs a session of its own: behind a
//   transaction-mode pooler DATABASE_URL must reach PostgreSQL directly.)
//   That query is the check that notifications are still sent (TRIGGER_PROBLEMS): a
//   trigger that is missing, disabled, or enabled but not ALWAYS (pg_restore's
//   `ALTER TABLE … DISABLE TRIGGER ALL` … `ENABLE TRIGGER ALL` leaves them so, and a session in
//   replica mode then skips them) makes the feed unhealthy until it is repaired (`npm run
//   db:migrate` does, src/db/migrate.ts). A transaction that turns a trigger off, changes data and
//   turns it back on ALWAYS before it commits leaves nothing to see; that needs an event trigger,
//   which needs a superuser, and is not done.
// - PGlite: pglite.listen() hears the service's own statements; statements that Prisma Studio
//   sends through the socket server produce their notification in the socket's protocol stream
//   instead (PGlite has one session), so the socket server is given a PGlite whose raw protocol
//   output is scanned for NotificationResponse messages (src/db/studio-socket.ts). That one
//   session is also the service's listener, so a client's `UNLISTEN *` or `DISCARD ALL` would end
//   the service's LISTEN, and a client's ALTER TABLE could turn the triggers off: after every
//   client exchange the feed checks both (verify()), listens again and reports a change when the
//   LISTEN was gone, and is unhealthy while a trigger is off.
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export const CHANGE_CHANNEL = 'eolgraph_data_changed';

/** The data tables and the trigger on each that notifies (migrations change_notifications, notify_always). */
export const NOTIFY_TRIGGERS: readonly (readonly [table: string, trigger: string])[] = [
  ['product', 'product_notify'],
  ['release_cycle', 'release_cycle_notify'],
  ['product_tag', 'product_tag_notify'],
  ['product_alias', 'product_alias_notify'],
  ['identifier', 'identifier_notify'],
  ['custom_field', 'custom_field_notify'],
];

/**
 * One row, one column `problems`: what keeps some change from being notified ('' when nothing
 * does). pg_trigger.tgenabled: O (origin and local sessions), D (disabled), R (replica sessions
 * only), A (always: the state the notify_always migration sets).
 */
export const TRIGGER_PROBLEMS = `SELECT coalesce(string_agg(format('%s on %s is %s', e.trigger, e.tbl,
    CASE t.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'enabled for replica sessions only'
      WHEN 'O' THEN 'not enabled ALWAYS (a session in replica mode skips it)' ELSE 'missing' END),
    '; ' ORDER BY e.tbl), '') AS problems
  FROM (VALUES ${NOTIFY_TRIGGERS.map(([table, trigger]) => `('${table}', '${trigger}')`).join(', ')}) AS e(tbl, trigger)
  LEFT JOIN pg_trigger t ON t.tgrelid = to_regclass(e.tbl) AND t.tgname = e.trigger
 WHERE t.tgenabled IS DISTINCT FROM 'A'`;

const triggersOff = (problems: string) =>
  `change notifications are not sent for every change: ${problems}; \`npm run db:migrate\` enables them ALWAYS again (a missing one must be recreated from its migration)`;

export interface ChangeFeed {
  /** True while every committed change is certain to be reported. */
  readonly healthy: boolean;
  /**
   * Checks again, now, that every change is notified (the triggers; on PGlite also its LISTEN):
   * after migrations, which create or repair the triggers the first check may have found missing.
   */
  verify?(): Promise<void>;
  /** Calls fn on every change (and whenever health changes, since changes may have been missed). */
  subscribe(fn: () => void): () => void;
  close(): Promise<void>;
}

class Subscribers {
  private readonly fns = new Set<() => void>();
  subscribe(fn: () => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  emit(): void {
    for (const fn of this.fns) {
      try {
        fn();
      } catch {
        /* a subscriber's failure must not stop the others */
      }
    }
  }
}

export interface PgFeedOptions {
  url: string;
  onStateChange?: (healthy: boolean, reason?: string) => void;
  retryDelaysMs?: number[];
  /** Interval of the listener's heartbeat, in ms (0 = none). */
  heartbeatMs?: number;
  /** A heartbeat unanswered this long ends the connection (default 10 × heartbeatMs, ≥ 5 s). */
  deadAfterMs?: number;
}

export function postgresChangeFeed(options: PgFeedOptions): ChangeFeed {
  const subscribers = new Subscribers();
  const delays = options.retryDelaysMs ?? [250, 500, 1000, 2000, 5000];
  let healthy = false;
  let closed = false;
  let client: pg.Client | null = null;
  let attempt = 0;
  let timer: NodeJS.Timeout | null = null;

  const setHealthy = (value: boolean, reason?: string) => {
    if (healthy === value) return;
    healthy = value;
    options.onStateChange?.(value, reason);
    subscribers.emit(); // either way, what was cached may no longer hold
  };

  let beat: NodeJS.Timeout | null = null;
  /** The trigger check on the current connection (null until one is listening). */
  let recheck: (() => Promise<void>) | null = null;
  const heartbeatMs = options.heartbeatMs ?? 500;
  const deadAfterMs = options.deadAfterMs ?? Math.max(5_000, 10 * heartbeatMs);

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({
      connectionString: options.url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 3000,
      application_name: 'eolgraph-listener',
    });
    client = c;
    let awaiting: { seq: number; sentAt: number } | null = null;
    let seq = 0;
    let failed = false;
    const fail = (reason: string) => {
      if (failed || closed) return;
      failed = true;
      if (beat) clearInterval(beat);
      c.removeAllListeners('notification');
      c.end().catch(() => undefined);
      // end() waits for the server's goodbye, which a dead path never brings: drop the socket too.
      (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      setHealthy(false, reason);
      const delay = delays[Math.min(attempt++, delays.length - 1)]!;
      timer = setTimeout(() => void connect(), delay);
      timer.unref();
    };
    c.on('error', (err) => fail(err.message));
    c.on('end', () => fail('the listening connection ended'));
    c.on('notification', (msg) => {
      if (msg.channel === CHANGE_CHANNEL) subscribers.emit();
    });
    const overdue = () => {
      if (failed || closed || !awaiting) return;
      const waited = Date.now() - awaiting.sentAt;
      if (waited >= deadAfterMs) fail(`the listening connection did not answer for ${waited} ms`);
      else setHealthy(false, `the listening connection has not answered for ${waited} ms`);
    };
    const heartbeat = () => {
      if (failed || closed) return;
      if (awaiting) {
        // After the event loop was held up (a large answer, a collection), timers run before
        // the socket's waiting data is read: look again once it has been, so that an answer
        // that came in time is not taken for a silent connection.
        setImmediate(overdue);
        return;
      }
      const sent = { seq: ++seq, sentAt: Date.now() };
      awaiting = sent;
      c.query<{ problems: string }>(TRIGGER_PROBLEMS).then(
        (r) => {
          if (awaiting !== sent || failed || closed) return;
          awaiting = null;
          // (a late answer: the connection is alive and heard everything in order)
          const problems = r.rows[0]?.problems ?? '';
          if (problems) setHealthy(false, triggersOff(problems));
          else setHealthy(true);
        },
        (err: Error) => fail(err.message),
      );
    };
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGE_CHANNEL}`);
      const problems = (await c.query<{ problems: string }>(TRIGGER_PROBLEMS)).rows[0]?.problems ?? '';
      if (closed || failed) {
        // closed while connecting: this connection is nobody's
        if (closed) c.end().catch(() => undefined);
        return;
      }
      attempt = 0;
      if (problems) setHealthy(false, triggersOff(problems));
      else setHealthy(true);
      recheck = async () => {
        const again = (await c.query<{ problems: string }>(TRIGGER_PROBLEMS)).rows[0]?.problems ?? '';
        if (failed || closed) return;
        if (again) setHealthy(false, triggersOff(again));
        else setHealthy(true);
      };
      if (heartbeatMs > 0 && !failed) {
        beat = setInterval(heartbeat, heartbeatMs);
        beat.unref();
      }
    } catch (err) {
      fail((err as Error).message);
    }
  };
  void connect();

  return {
    get healthy() {
      return healthy;
    },
    subscribe: (fn) => subscribers.subscribe(fn),
    // A failed check is the connection's failure: its error handler reconnects.
    verify: () => (recheck ? recheck().catch(() => undefined) : Promise.resolve()),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (beat) clearInterval(beat);
      healthy = false;
      const c = client;
      // Not waiting for a goodbye that a dead connection never sends.
      setTimeout(
        () => (c as unknown as { connection?: { stream?: { destroy(): void } } } | null)?.connection?.stream?.destroy(),
        1000,
      ).unref();
      await c?.end().catch(() => undefined);
    },
  };
}

export interface PgliteFeed extends ChangeFeed {
  /** Reports a NOTIFY seen in a raw protocol stream (the Studio socket). */
  notify(channel: string): void;
  /**
   * Checks, after a socket client's exchange, that the session still listens (listening again
   * and reporting a change if not) and that every notify trigger is on. Calls made while a check
   * runs are served by one more check after it. Resolves when done.
   */
  verify(): Promise<void>;
}

export async function pgliteChangeFeed(
  pglite: PGlite,
  options: Pick<PgFeedOptions, 'onStateChange'> = {},
): Promise<PgliteFeed> {
  const subscribers = new Subscribers();
  let healthy = true;
  let closed = false;
  const setHealthy = (value: boolean, reason?: string) => {
    if (healthy === value) return;
    healthy = value;
    options.onStateChange?.(value, reason);
    subscribers.emit();
  };
  const unlisten = await pglite.listen(CHANGE_CHANNEL, () => subscribers.emit());
  const check = async () => {
    const r = await pglite.query<{ problems: string; listening: boolean }>(
      `SELECT p.problems, EXISTS (SELECT FROM pg_listening_channels() c WHERE c = '${CHANGE_CHANNEL}') AS listening
         FROM (${TRIGGER_PROBLEMS}) p`,
    );
    const { problems, listening } = r.rows[0]!;
    if (closed) return;
    if (!listening) {
      // pglite.listen()'s callback is still registered: the session only has to listen again.
      await pglite.exec(`LISTEN ${CHANGE_CHANNEL}`);
      subscribers.emit(); // what changed while nobody listened is unknown
    }
    if (problems) setHealthy(false, triggersOff(problems));
    else setHealthy(true);
  };
  await check(); // the data directory may come with a trigger turned off
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const verify = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (!running) {
      running = check()
        .catch((err: unknown) => setHealthy(false, `the change feed could not be checked: ${(err as Error).message}`))
        .finally(() => (running = null));
      return running;
    }
    // A check is running, perhaps from before the exchange that asks now: one more after it.
    queued ??= running.then(() => {
      queued = null;
      return verify();
    });
    return queued;
  };
  return {
    get healthy() {
      return healthy;
    },
    subscribe: (fn) => subscribers.subscribe(fn),
    notify(channel) {
      if (channel === CHANGE_CHANNEL) subscribers.emit();
    },
    verify,
    async close() {
      closed = true;
      healthy = false;
      await unlisten().catch(() => undefined);
    },
  };
}

/** A feed for tests or for a service without a listener: never healthy, so nothing is cached. */
export function disabledChangeFeed(): ChangeFeed {
  return { healthy: false, subscribe: () => () => undefined, close: async () => undefined };
}

/**
 * Scans a stream of PostgreSQL backend messages (type byte, int32 length, body) for
 * NotificationResponse ('A': int32 pid, channel\0, payload\0) and, when asked, ReadyForQuery
 * ('Z': one status byte, I idle, T in a transaction, E in a failed one). Chunks may split messages.
 */
export class NotificationScanner {
  private pending = Buffer.alloc(0);
  constructor(
    private readonly onNotification: (channel: string, payload: string) => void,
    private readonly onReadyForQuery?: (status: 'I' | 'T' | 'E') => void,
  ) {}
  push(chunk: Uint8Array): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, Buffer.from(chunk)]) : Buffer.from(chunk);
    let offset = 0;
    while (buf.length - offset >= 5) {
      const type = buf[offset]!;
      const length = buf.readInt32BE(offset + 1);
      if (length < 4 || buf.length - offset < 1 + length) break;
      if (type === 0x41) {
        const body = buf.subarray(offset + 5, offset + 1 + length);
        const channelEnd = body.indexOf(0, 4);
        const payloadEnd = body.indexOf(0, channelEnd + 1);
        if (channelEnd > 0) {
          this.onNotification(
            body.toString('utf8', 4, channelEnd),
            body.toString('utf8', channelEnd + 1, payloadEnd > channelEnd ? payloadEnd : body.length),
          );
        }
      } else if (type === 0x5a && length === 5 && this.onReadyForQuery) {
        this.onReadyForQuery(String.fromCharCode(buf[offset + 5]!) as 'I' | 'T' | 'E');
      }
      offset += 1 + length;
    }
    this.pending = Buffer.from(buf.subarray(offset));
    buf = Buffer.alloc(0);
  }
}
