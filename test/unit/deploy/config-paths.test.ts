// PGLITE_DIR through a symbolic link: PGlite cannot open a data directory through one (it failed
// with an unreadable "[object Object]"), and two processes given different paths to one directory
// must find one lock file. loadConfig resolves the link.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'eolgraph-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PGLITE_DIR', () => {
  it('is the real directory behind a symbolic link', () => {
    const real = join(dir, 'real');
    mkdirSync(real);
    symlinkSync(real, join(dir, 'link'));
    expect(loadConfig({ PGLITE_DIR: join(dir, 'link') }).pgliteDir).toBe(real);
  });

  it('is taken as given (made absolute) when it does not exist yet', () => {
    expect(loadConfig({ PGLITE_DIR: join(dir, 'not-yet') }).pgliteDir).toBe(join(dir, 'not-yet'));
  });
});
