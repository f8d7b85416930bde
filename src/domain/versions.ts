// resolveVersion: which release cycle a concrete version belongs to, the way endoflife.date's
// users and client tools do it: try the whole version, then drop trailing components one by one
// ("16.14.2" → "16.14" → "16"), so the longest cycle name that prefixes the version wins ("15.0"
// over "15" for FreeBSD 15.0.1). The input is first tried exactly as given (cycle names may contain
// "+"); then a leading "v" and build metadata ("+…") are ignored; a pre-release
// suffix ("-rc.1") is tried as written first, then without. Last, letters glued to the number are
// dropped, the way some tools print their version ("go1.22.5" from `go version` is Go 1.22).

/** The candidate cycle names for a version, most specific first. */
export function versionCandidates(version: string): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    if (s && !out.includes(s)) out.push(s);
  };
  let v = version.trim();
  // The input exactly as given comes first: some cycle names contain "+" ("3+", "motorola-razr+-2026").
  add(v);
  if (/^[vV]\d/.test(v)) v = v.slice(1);
  v = v.replace(/\+.*$/, '');
  const forms = [v];
  const withoutPre = v.replace(/-.*$/, '');
  if (withoutPre !== v) forms.push(withoutPre);
  for (const form of forms) {
    add(form);
    const parts = form.split('.');
    for (let n = parts.length - 1; n >= 1; n--) {
      const prefix = parts.slice(0, n).join('.');
      // Prefixes of the pre-release form that have lost the suffix ("8" of "8.0-rc.1") come with
      // the plain version's, so that "8.0" is still tried before "8".
      if (form !== withoutPre && prefix.length <= withoutPre.length) break;
      add(prefix);
    }
  }
  // Letters glued to the number ("go1.22.5", "py3.12"), after everything else: a cycle named with
  // them still wins.
  const glued = /^[A-Za-z]+(?=\d)/.exec(v);
  if (glued) for (const candidate of versionCandidates(v.slice(glued[0].length))) add(candidate);
  return out;
}

/** Picks the cycle for a version among a product's cycle names (case-insensitive), or null. */
export function resolveVersion(version: string, cycleNames: readonly string[]): string | null {
  const byLower = new Map<string, string>();
  for (const name of cycleNames) if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  for (const candidate of versionCandidates(version)) {
    const hit = byLower.get(candidate.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return null;
}
