// Instances share cached answers in Redis under a prefix derived from what decides the answers
// (src/service.ts, answerFingerprint): instances on other databases, with other options, or
// running other code must not read each other's entries; identical ones must.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { answerFingerprint } from '../../../src/service.ts';

const base = {
  DATABASE_URL: 'postgresql://eolgraph:secret@db.internal:5432/eolgraph',
  REDIS_URL: 'redis://cache:6379',
};
const fingerprint = (env: Record<string, string>) => answerFingerprint(loadConfig({ ...base, ...env }));

describe('the Redis key prefix of the response cache', () => {
  it('is the same for instances that would give the same answers', () => {
    expect(fingerprint({})).toBe(fingerprint({}));
    // Where an instance listens and how it logs do not change an answer; nor does the password.
    expect(fingerprint({ PORT: '4001', LOG_LEVEL: 'debug' })).toBe(fingerprint({}));
    expect(fingerprint({ DATABASE_URL: 'postgresql://eolgraph:other@db.internal:5432/eolgraph' })).toBe(
      fingerprint({}),
    );
  });

  it.each([
    ['another database', { DATABASE_URL: 'postgresql://eolgraph:secret@db.internal:5432/staging' }],
    ['another database server', { DATABASE_URL: 'postgresql://eolgraph:secret@db2.internal:5432/eolgraph' }],
    ['introspection off', { INTROSPECTION: 'false' }],
    ['another page-size limit', { MAX_PAGE_SIZE: '100' }],
    ['another cost budget', { MAX_QUERY_COST: '50000' }],
    ['production error masking', { NODE_ENV: 'production' }],
  ])('differs with %s', (_, env) => {
    expect(fingerprint(env)).not.toBe(fingerprint({}));
  });

  it('never contains the password', () => {
    expect(fingerprint({})).not.toContain('secret');
    expect(fingerprint({})).toMatch(/^[\w-]{16}$/);
  });
});
