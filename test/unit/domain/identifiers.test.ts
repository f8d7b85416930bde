// productByIdentifier's matching: package URLs, CPEs, and plain values (repology).
import { describe, expect, it } from 'vitest';
import { cpeMatches, identifierMatches, purlKey, purlMatches, specificity } from '../../../src/domain/identifiers.ts';

describe('purlKey', () => {
  it.each<[string, { type: string; namespace: string; name: string } | null]>([
    ['pkg:npm/lodash', { type: 'npm', namespace: '', name: 'lodash' }],
    ['pkg:npm/lodash@4.17.21', { type: 'npm', namespace: '', name: 'lodash' }],
    // npm scopes: percent-encoded or literal
    ['pkg:npm/%40angular/core@16.0.0', { type: 'npm', namespace: '@angular', name: 'core' }],
    ['pkg:npm/@angular/core@16.0.0', { type: 'npm', namespace: '@angular', name: 'core' }],
    ['pkg:npm/@angular/core', { type: 'npm', namespace: '@angular', name: 'core' }],
    ['pkg:npm/%40angular/core', { type: 'npm', namespace: '@angular', name: 'core' }],
    [
      'pkg:maven/org.apache.tomcat/tomcat-catalina@10.1.0?type=jar',
      { type: 'maven', namespace: 'org.apache.tomcat', name: 'tomcat-catalina' },
    ],
    ['pkg:pypi/django@4.2?arch=x86_64#src/django', { type: 'pypi', namespace: '', name: 'django' }],
    ['pkg:golang/github.com/gin-gonic/gin#sub', { type: 'golang', namespace: 'github.com/gin-gonic', name: 'gin' }],
    ['pkg:deb/debian/curl?arch=amd64&distro=bookworm', { type: 'deb', namespace: 'debian', name: 'curl' }],
    // trailing slash, leading slashes after "pkg:", surrounding spaces
    ['pkg:generic/node/', { type: 'generic', namespace: '', name: 'node' }],
    ['pkg:github/mautic/mautic/@1.2.3', { type: 'github', namespace: 'mautic', name: 'mautic' }],
    ['pkg://npm/lodash', { type: 'npm', namespace: '', name: 'lodash' }],
    ['  pkg:npm/lodash  ', { type: 'npm', namespace: '', name: 'lodash' }],
    // type and namespace lowercased, the name kept as written
    ['PKG:NPM/Lodash', { type: 'npm', namespace: '', name: 'Lodash' }],
    ['pkg:GitHub/NodeJS/Node@v20.1.0', { type: 'github', namespace: 'nodejs', name: 'Node' }],
    ['pkg:docker/library/nginx@sha256:abc', { type: 'docker', namespace: 'library', name: 'nginx' }],
    // not purls
    ['npm/lodash', null],
    ['pkg:npm', null],
    ['pkg:npm/', null],
    ['pkg:/lodash', null],
    ['cpe:2.3:a:nodejs:node.js', null],
    ['', null],
  ])('%j → %j', (purl, expected) => {
    expect(purlKey(purl)).toEqual(expected);
  });
});

describe('purlMatches', () => {
  it.each<[string, string, boolean]>([
    ['pkg:generic/node', 'pkg:generic/node@20.1.0', true],
    ['pkg:generic/node', 'pkg:generic/node', true],
    // version, qualifiers and subpath are ignored on both sides
    ['pkg:npm/lodash@4', 'pkg:npm/lodash@3.0.0?x=y#z', true],
    ['pkg:maven/org.apache/tomcat?type=jar', 'pkg:maven/org.apache/tomcat@10?type=war', true],
    // name case-insensitive; type and namespace too
    ['pkg:pypi/Django', 'pkg:pypi/django@4.2', true],
    ['pkg:github/nodejs/node', 'pkg:GITHUB/NodeJS/NODE', true],
    // %40 and @ are the same scope
    ['pkg:npm/%40angular/core', 'pkg:npm/@angular/core@16.0.0', true],
    ['pkg:npm/@angular/core', 'pkg:npm/%40angular/core@16.0.0', true],
    // different namespace, type or name
    ['pkg:npm/@angular/core', 'pkg:npm/@other/core', false],
    ['pkg:npm/@angular/core', 'pkg:npm/core', false],
    ['pkg:npm/core', 'pkg:npm/@angular/core', false],
    ['pkg:npm/lodash', 'pkg:pypi/lodash', false],
    ['pkg:npm/lodash', 'pkg:npm/lodash-es', false],
    ['pkg:npm/lodash-es', 'pkg:npm/lodash', false],
    // not a purl on either side
    ['pkg:npm/lodash', 'lodash', false],
    ['lodash', 'pkg:npm/lodash', false],
  ])('stored %j, given %j → %s', (stored, given, expected) => {
    expect(purlMatches(stored, given)).toBe(expected);
  });
});

describe('cpeMatches', () => {
  it.each<[string, string, boolean]>([
    ['cpe:2.3:a:nodejs:node.js', 'cpe:2.3:a:nodejs:node.js', true],
    ['cpe:2.3:a:nodejs:node.js', 'cpe:2.3:a:nodejs:node.js:20.1.0:*:*:*:*:*:*:*', true],
    // trailing "*", "-" and empty components of the stored CPE constrain nothing
    ['cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*', 'cpe:2.3:a:nodejs:node.js', true],
    ['cpe:2.3:a:nodejs:node.js:-:*', 'cpe:2.3:a:nodejs:node.js:20.1.0', true],
    ['cpe:2.3:a:nodejs:node.js:', 'cpe:2.3:a:nodejs:node.js', true],
    // component boundary: "node" is not "node.js"
    ['cpe:2.3:a:nodejs:node', 'cpe:2.3:a:nodejs:node.js', false],
    ['cpe:2.3:a:nodejs:node', 'cpe:2.3:a:nodejs:node.js:20.1.0', false],
    ['cpe:2.3:a:nodejs:node', 'cpe:2.3:a:nodejs:node:20.1.0', true],
    // a stored CPE longer than the given one
    ['cpe:2.3:a:nodejs:node.js:20.1.0', 'cpe:2.3:a:nodejs:node.js', false],
    ['cpe:2.3:a:nodejs:node.js:20.1.0', 'cpe:2.3:a:nodejs:node.js:20.1.0', true],
    ['cpe:2.3:a:nodejs:node.js:20.1.0', 'cpe:2.3:a:nodejs:node.js:20.2.0', false],
    // a "*" inside the stored CPE matches any value
    ['cpe:2.3:a:*:node.js', 'cpe:2.3:a:nodejs:node.js', true],
    // part, vendor
    ['cpe:2.3:a:docker:engine', 'cpe:2.3:o:docker:engine', false],
    ['cpe:2.3:a:docker:engine', 'cpe:2.3:a:moby:engine', false],
    // case-insensitive
    ['CPE:2.3:A:NodeJS:Node.js', 'cpe:2.3:a:nodejs:node.js:20', true],
    // 2.2 format
    ['cpe:/o:suse:sles', 'cpe:/o:suse:sles:15', true],
    ['cpe:/o:suse:sles', 'cpe:/o:suse:sles', true],
    ['cpe:/o:suse:sles', 'cpe:/a:suse:sles', false],
    ['cpe:/o:suse:sles:15', 'cpe:/o:suse:sles', false],
    ['cpe:/o:suse:sles', 'cpe:/o:suse:sles_sap', false],
    // escaped colons in 2.3 are part of a component
    ['cpe:2.3:a:foo:bar\\:baz', 'cpe:2.3:a:foo:bar\\:baz:1.0', true],
    ['cpe:2.3:a:foo:bar\\:baz', 'cpe:2.3:a:foo:bar:baz', false],
    // a stored CPE that is all wildcards matches nothing
    ['cpe:2.3:*:*:*', 'cpe:2.3:a:nodejs:node.js', false],
    // not CPEs
    ['cpe:2.3:a:nodejs:node.js', 'cpe:2.2:a:nodejs:node.js', false],
    ['cpe:2.3:a:nodejs:node.js', 'nodejs:node.js', false],
    ['node.js', 'cpe:2.3:a:nodejs:node.js', false],
  ])('stored %j, given %j → %s', (stored, given, expected) => {
    expect(cpeMatches(stored, given)).toBe(expected);
  });
});

describe('identifierMatches', () => {
  it.each<[string, string, string, boolean]>([
    // repology-style plain values: compared as they are (surrounding spaces of the given one trimmed)
    ['repology', 'docker-ce', 'docker-ce', true],
    ['repology', 'docker-ce', '  docker-ce ', true],
    ['repology', 'docker-ce', 'docker', false],
    ['repology', 'docker', 'docker-ce', false],
    ['repology', 'docker-ce', 'Docker-CE', false],
    // purls only match stored purls
    ['purl', 'pkg:npm/lodash', 'pkg:npm/lodash@4.17.21', true],
    ['purl', 'pkg:npm/lodash', 'PKG:npm/lodash@4.17.21', true],
    ['cpe', 'pkg:npm/lodash', 'pkg:npm/lodash', false],
    ['repology', 'pkg:npm/lodash', 'pkg:npm/lodash', false],
    // CPEs only match stored CPEs
    ['cpe', 'cpe:2.3:a:docker:engine', 'cpe:2.3:a:docker:engine:27.0.1', true],
    ['cpe', 'cpe:/a:docker:engine', 'CPE:/a:docker:engine:27', true],
    ['purl', 'cpe:2.3:a:docker:engine', 'cpe:2.3:a:docker:engine', false],
    ['repology', 'cpe:2.3:a:docker:engine', 'cpe:2.3:a:docker:engine', false],
  ])('stored %s %j, given %j → %s', (type, value, given, expected) => {
    expect(identifierMatches(type, value, given)).toBe(expected);
  });

  it('specificity: a longer stored identifier is more specific', () => {
    expect(specificity('cpe:2.3:a:nodejs:node.js')).toBe(24);
    expect(specificity('cpe:2.3:a:nodejs:node.js')).toBeGreaterThan(specificity('cpe:2.3:a:nodejs'));
  });
});
