// productByIdentifier: matching a package URL or a CPE the way scanners and SBOM tools hold them.
//
// purl (pkg:type/namespace/name@version?qualifiers#subpath): type, namespace and name must equal a
// stored purl's, compared after percent-decoding and, for type and namespace, case-insensitively
// (the purl spec lowercases both for most types); version, qualifiers and subpath are ignored on
// both sides. A stored "pkg:generic/node" therefore matches "pkg:generic/node@20.1.0".
//
// CPE (2.3 formatted "cpe:2.3:part:vendor:product:…" or 2.2 "cpe:/part:vendor:product:…"): a
// stored CPE matches when its components are a prefix of the given one's, with "*" and "-" in the
// stored value's trailing components meaning "any" ("cpe:2.3:a:nodejs:node.js" matches
// "cpe:2.3:a:nodejs:node.js:20.1.0:*:*:*:*:*:*:*").
//
// Anything else is compared with the stored value as it is (repology names, for one).

export interface PurlKey {
  type: string;
  namespace: string;
  name: string;
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The identity of a purl without version, qualifiers or subpath; null if it is not a purl. */
export function purlKey(purl: string): PurlKey | null {
  let s = purl.trim();
  if (!/^pkg:/i.test(s)) return null;
  s = s.slice(4).replace(/^\/+/, '');
  s = s.replace(/#.*$/, '').replace(/\?.*$/, '');
  const slash = s.indexOf('/');
  if (slash <= 0) return null;
  const type = s.slice(0, slash).toLowerCase();
  // A trailing slash before the version ("…/mautic/@1.2.3") is not a scope: purls split the
  // version off at the right.
  let rest = s
    .slice(slash + 1)
    .replace(/\/+@([^/]*)$/, '@$1')
    .replace(/\/+$/, '');
  // The version separator is the last "@" that does not start a path segment (npm scopes do).
  const at = rest.lastIndexOf('@');
  if (at > 0 && rest[at - 1] !== '/') rest = rest.slice(0, at);
  const segments = rest.split('/').filter(Boolean).map(decode);
  const name = segments.pop();
  if (!name) return null;
  return { type, namespace: segments.join('/').toLowerCase(), name };
}

export function purlMatches(stored: string, given: string): boolean {
  const a = purlKey(stored);
  const b = purlKey(given);
  return (
    a !== null &&
    b !== null &&
    a.type === b.type &&
    a.namespace === b.namespace &&
    a.name.toLowerCase() === b.name.toLowerCase()
  );
}

function cpeComponents(cpe: string): string[] | null {
  const s = cpe.trim().toLowerCase();
  if (s.startsWith('cpe:2.3:')) return s.slice('cpe:2.3:'.length).split(/(?<!\\):/);
  if (s.startsWith('cpe:/')) return s.slice('cpe:/'.length).split(':');
  return null;
}

export function cpeMatches(stored: string, given: string): boolean {
  const a = cpeComponents(stored);
  const b = cpeComponents(given);
  if (!a || !b) return false;
  // Trailing wildcards in the stored CPE do not constrain anything.
  let end = a.length;
  while (end > 0 && (a[end - 1] === '*' || a[end - 1] === '-' || a[end - 1] === '')) end--;
  if (end === 0 || end > b.length) return false;
  for (let i = 0; i < end; i++) if (a[i] !== b[i] && a[i] !== '*') return false;
  return true;
}

export function identifierMatches(storedType: string, storedValue: string, given: string): boolean {
  if (/^pkg:/i.test(given)) return storedType === 'purl' && purlMatches(storedValue, given);
  if (/^cpe:/i.test(given)) return storedType === 'cpe' && cpeMatches(storedValue, given);
  return storedValue === given.trim();
}

/** How specific a stored identifier is (longer wins when several products match). */
export function specificity(storedValue: string): number {
  return storedValue.length;
}
