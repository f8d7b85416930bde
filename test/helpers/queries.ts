// Queries more than one test file runs.

/**
 * The whole catalogue with every relation and every computed field of every cycle, pinned to
 * 2026-08-22 (custom values and nested products left out): the statement bound is counted with it
 * (api-lookups) and the cost budget must let it through on the real corpus (limits-corpus).
 */
export const W2_EVERY_RELATION = `query($first: Int) { products(first: $first, asOf: "2026-08-22") {
  totalCount pageInfo { hasNextPage endCursor }
  nodes {
    name label category tags aliases identifiers { type id }
    labels { eoas eol eoes discontinued }
    releaseCount maintainedReleaseCount asOf latestRelease { name }
    releases {
      name slug position codename label releaseDate isLts ltsFrom isEoas eoasFrom isEol eolFrom
      isEoes eoesFrom isDiscontinued discontinuedFrom isMaintained daysUntilEol supportPhase outOfOrder asOf
      latest { name date link }
    }
  } } }`;
