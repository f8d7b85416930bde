import { filterReleases, releasesOf } from '../catalog.ts';
import type { ProductResolvers } from '../generated/resolvers-types.ts';

export const Product: ProductResolvers = {
  // The category is always one of the tags (the importer stores it so); a product made by hand
  // in Prisma Studio may lack that row.
  tags: async (p, _, ctx) => {
    const tags = await ctx.loaders.tagsByProductId.load(p.id);
    return p.category && !tags.includes(p.category) ? [...tags, p.category].sort() : tags;
  },
  aliases: (p, _, ctx) => ctx.loaders.aliasesByProductId.load(p.id),
  identifiers: (p, _, ctx) => ctx.loaders.identifiersByProductId.load(p.id),
  customFields: (p, _, ctx) => ctx.loaders.customFieldsByProductId.load(p.id),
  description: (p, _, ctx) => ctx.loaders.bodyByProductId.load(p.id),
  summary: async (p, _, ctx) => summaryOf(await ctx.loaders.bodyByProductId.load(p.id)),
  releases: async (p, { filter }, ctx) => filterReleases(await releasesOf(ctx, p), filter),
  latestRelease: async (p, _, ctx) => (await releasesOf(ctx, p))[0] ?? null,
  releaseCount: async (p, _, ctx) => (await ctx.loaders.releasesByProductId.load(p.id)).length,
  maintainedReleaseCount: async (p, _, ctx) => (await releasesOf(ctx, p)).filter((c) => c.isMaintained).length,
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
