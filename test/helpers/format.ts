// Facts of the document format (../shared/docs/eol-format.md) that several tests state, written
// once on the tests' side (not taken from src/importer, which they check).

/** Release keys of the format at HEAD (§3.1); any other key of a release is a custom field value. */
export const HEAD_RELEASE_KEYS = [
  'releaseCycle',
  'releaseLabel',
  'codename',
  'releaseDate',
  'eol',
  'eoas',
  'eoes',
  'discontinued',
  'lts',
  'latest',
  'latestReleaseDate',
  'link',
  'outOfOrder',
  'staleReleaseThresholdDays',
] as const;
