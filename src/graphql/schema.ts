// The SDL is the source of truth: src/graphql/schema/*.graphql, read once at start.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('./schema/', import.meta.url).pathname;

export const typeDefs: string = readdirSync(dir)
  .filter((f) => f.endsWith('.graphql'))
  .sort()
  .map((f) => readFileSync(join(dir, f), 'utf8'))
  .join('\n');
