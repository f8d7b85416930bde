// Entry point: npm start. Configuration → database → migrations → first import → HTTP server;
// SIGTERM/SIGINT stop accepting, let in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), close
// the database and exit 0.
import { ConfigError, loadConfig } from './config.ts';
import { DataDirLockedError } from './db/pglite-lock.ts';
import { createLogger } from './logger.ts';
import { startService } from './service.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(2);
}
const logger = createLogger(config.logLevel);

try {
  const service = await startService(config, { logger });
  service.prepared.catch((err: unknown) => {
    logger.fatal({ err: (err as Error).message }, 'cannot prepare the database');
    process.exit(1);
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'shutting down: finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.warn('shutdown deadline reached: closing remaining connections');
      service.app.server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    // Closing the database waits for statements still running; on a connection that died
    // silently that could be forever. A little after the deadline the process goes regardless
    // (exit 1: the shutdown was not clean).
    const hardDeadline = setTimeout(() => {
      logger.error('the database did not close in time after the shutdown deadline: exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs + 3_000);
    hardDeadline.unref();
    try {
      await service.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
} catch (err) {
  if (err instanceof DataDirLockedError) {
    logger.fatal(err.message);
    console.error(err.message);
  } else {
    logger.fatal({ err }, 'cannot start');
  }
  process.exit(1);
}
