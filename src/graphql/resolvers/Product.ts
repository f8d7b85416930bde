import { filterReleases, releasesOf } from '../catalog.ts';
import type { ProductResolvers } from '../generated/resolvers-types.ts';
import { eventually } from '../loaders.ts';

export const Product: ProductResolvers = {
  // The category is always one of the tags (the importer stores it so); a product made by hand
  // in Prisma Studio may lack that row.
  tags: (p, _, ctx) =>
    eventually(ctx.loaders.relationsOf(p.id), ({ tags }) =>
      p.category && !tags.includes(p.category) ? [...tags, p.category].sort() : tags,
    ),
  aliases: (p, _, ctx) => eventually(ctx.loaders.relationsOf(p.id), (r) => r.aliases),
  identifiers: (p, _, ctx) => eventually(ctx.loaders.relationsOf(p.id), (r) => r.identifiers),
  customFields: (p, _, ctx) => eventually(ctx.loaders.relationsOf(p.id), (r) => r.customFields),
  description: (p, _, ctx) => ctx.loaders.bodyByProductId.load(p.id),
  summary: async (p, _, ctx) => summaryOf(await ctx.loaders.bodyByProductId.load(p.id)),
  releases: (p, { filter }, ctx) => eventually(releasesOf(ctx, p), (cycles) => filterReleases(cycles, filter)),
  latestRelease: (p, _, ctx) => eventually(releasesOf(ctx, p), (cycles) => cycles[0] ?? null),
  releaseCount: (p, _, ctx) => eventually(ctx.loaders.releaseRowsOf(p.id), (rows) => rows.length),
  maintainedReleaseCount: (p, _, ctx) =>
    eventually(releasesOf(ctx, p), (cycles) => cycles.filter((c) => c.isMaintained).length),
};

/** The first "> " blockquote of a Markdown body, as the site shows it (markers removed). */
export function summaryOf(body: string): string | null {
  const lines = body.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\s{0,3}>/.test(l));
  if (start < 0) return null;
  const quote: string[] = [];
  for (let i = start; i < lines.length && /^\s{0,3}>/.test(lines[i]!); i++)
    quote.push(lines[i]!.replace(/^\s{0,3}>\s?/, ''));
  const text = quote.join(' ').replace(/\s+/g, ' ').trim();
  return text || null;
}
