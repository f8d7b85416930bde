// resolveVersion: the cycle a concrete version belongs to — the longest cycle name that prefixes
// the version, ignoring a leading "v" and build metadata, trying a pre-release suffix first.
import { describe, expect, it } from 'vitest';
import { resolveVersion, versionCandidates } from '../../../src/domain/versions.ts';

describe('versionCandidates', () => {
  it.each<[string, string[]]>([
    ['16.14.2', ['16.14.2', '16.14', '16']],
    ['16', ['16']],
    ['v20.11.1', ['v20.11.1', '20.11.1', '20.11', '20']],
    ['V20.11.1', ['V20.11.1', '20.11.1', '20.11', '20']],
    ['3.11.4+build5', ['3.11.4+build5', '3.11.4', '3.11', '3']],
    ['  16.14.2  ', ['16.14.2', '16.14', '16']],
    // the pre-release form first, then the plain version from its most specific prefix down
    ['8.0.0-rc.1', ['8.0.0-rc.1', '8.0.0-rc', '8.0.0', '8.0', '8']],
    ['15.0-RC1', ['15.0-RC1', '15.0', '15']],
    ['1.2-beta.3+b7', ['1.2-beta.3+b7', '1.2-beta.3', '1.2-beta', '1.2', '1']],
    ['galaxy-s23', ['galaxy-s23', 'galaxy']],
    ['go1.22.5', ['go1.22.5', 'go1.22', 'go1', '1.22.5', '1.22', '1']],
    ['py3.12-rc1', ['py3.12-rc1', 'py3.12', 'py3', '3.12-rc1', '3.12', '3']],
    // "v" only goes when a digit follows
    ['vista', ['vista']],
    ['', []],
  ])('%j → %j', (version, expected) => {
    expect(versionCandidates(version)).toEqual(expected);
  });
});

describe('resolveVersion', () => {
  const NODE = ['22', '20', '18', '16'];
  const FREEBSD = ['15', '15.0', '14.3', '14'];

  it.each<[string, readonly string[], string | null]>([
    ['16.14.2', NODE, '16'],
    // cycle names with '+' are matched as written before '+…' is taken for build metadata
    ['3+', ['4', '3+', '3'], '3+'],
    ['motorola-razr+-2026', ['motorola-razr+-2026', 'motorola-razr-2026'], 'motorola-razr+-2026'],
    ['16', NODE, '16'],
    ['v20.11.1', NODE, '20'],
    ['22.0.0-nightly20240101', NODE, '22'],
    ['17.9.1', NODE, null],
    ['116.0', NODE, null],
    ['', NODE, null],
    ['16.14.2', [], null],
    // the longest cycle name that prefixes the version wins
    ['15.0.1', FREEBSD, '15.0'],
    ['15.0', FREEBSD, '15.0'],
    ['15.1', FREEBSD, '15'],
    ['15.0-RC1', FREEBSD, '15.0'],
    ['14.3-RELEASE-p2', FREEBSD, '14.3'],
    ['8.0-rc.1', ['8', '8.0'], '8.0'],
    ['8.0.0-rc.1', ['8.1', '8.0', '7.0'], '8.0'],
    ['8.0.0-rc.1', ['8.0.0-rc', '8.0'], '8.0.0-rc'],
    ['3.11.4+build5', ['3.12', '3.11', '3.10'], '3.11'],
    ['3.1.4', ['3.11', '3.1'], '3.1'],
    ['3.11.4', ['3.1', '3'], '3'],
    // case-insensitive, answering with the stored spelling
    ['Galaxy-S23', ['galaxy-s23', 'galaxy-s22'], 'galaxy-s23'],
    ['10.0-rc', ['10.0-RC', '10.0'], '10.0-RC'],
    // names with dashes are matched exactly, not by their parts
    ['galaxy-s23', ['galaxy-s23', 'galaxy-s22', 'galaxy-s2'], 'galaxy-s23'],
    ['go1.22.5', ['1.23', '1.22', '1.21'], '1.22'],
    ['go1.22.5', ['go1.22', '1.22'], 'go1.22'],
    ['r2', ['r2', '2'], 'r2'],
    ['r3', ['r2', '2'], null],
    ['galaxy-s2', ['galaxy-s23', 'galaxy-s22', 'galaxy-s2'], 'galaxy-s2'],
    ['galaxy-s24', ['galaxy-s23', 'galaxy-s22'], null],
    ['stable/12', ['stable/12', 'stable/11'], 'stable/12'],
  ])('%j among %j → %j', (version, cycles, expected) => {
    expect(resolveVersion(version, cycles)).toBe(expected);
  });

  it('two names differing only in case: the first listed wins', () => {
    expect(resolveVersion('esr', ['ESR', 'esr'])).toBe('ESR');
  });
});
