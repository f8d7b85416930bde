// Structured JSON logs (pino). Nothing secret is ever passed in (the database is described by
// Database#description, which has no password), and the usual secret-bearing keys are redacted
// in case a caller slips.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'eolgraph' },
      redact: {
        paths: [
          'databaseUrl',
          'password',
          '*.password',
          'headers.authorization',
          'headers.cookie',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
