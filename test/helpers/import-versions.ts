// Two versions of real documents, and each product's stored state as one comparable text: what an
// interrupted import is checked with (every product must equal its state under one version or the
// other, never a mix). Used by fault-import (the importer killed) and import-db-lost (its
// database connection lost).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from '../../src/db/database.ts';
import { corpusDir } from './env.ts';

/**
 * Writes every other document of the corpus (half of it keeps a test fast and is as good a sample)
 * into dirA as it is and into dirB as versionB; returns their file names.
 */
export function writeVersions(dirA: string, dirB: string): string[] {
  const files = readdirSync(corpusDir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .filter((_, i) => i % 2 === 0);
  for (const f of files) {
    const text = readFileSync(join(corpusDir, f), 'utf8');
    writeFileSync(join(dirA, f), text);
    writeFileSync(join(dirB, f), versionB(text, f.slice(0, -3)));
  }
  return files;
}

/** Version B of a document: new title, one more tag, one more identifier, the first eol moved. */
export function versionB(text: string, name: string): string {
  const lines = text.split('\n');
  const at = (re: RegExp, from = 0) => lines.findIndex((l, i) => i >= from && re.test(l));
  const title = at(/^title: /);
  lines[title] = `title: Import B ${name}`;
  const tags = at(/^tags: /);
  if (tags >= 0) lines[tags] += ' import-b';
  else lines.splice(title + 1, 0, 'tags: import-b');
  const identifiers = at(/^identifiers:\s*$/);
  if (identifiers >= 0) {
    const indent = /^(\s*)- /.exec(lines[at(/^\s*- /, identifiers + 1)]!)![1];
    lines.splice(identifiers + 1, 0, `${indent}- purl: pkg:generic/import-b/${name}`);
  } else {
    lines.splice(at(/^releases:\s*$/), 0, 'identifiers:', `  - purl: pkg:generic/import-b/${name}`, '');
  }
  const eol = at(/^\s+eol:/, at(/^releases:\s*$/));
  lines[eol] = lines[eol]!.replace(/eol:.*/, 'eol: 2099-12-31');
  return lines.join('\n');
}

/** Everything version B changes, per product (and its other rows), as one comparable text. */
export async function stateOf(db: Sql): Promise<Map<string, string>> {
  const rows = await db.query<{ name: string; state: string }>(
    `SELECT p.name, jsonb_build_object(
       'label', p.label,
       'hash', p.content_hash,
       'source', p.source_path,
       'tags', (SELECT jsonb_agg(t.tag ORDER BY t.tag) FROM product_tag t WHERE t.product_id = p.id),
       'aliases', (SELECT jsonb_agg(a.alias ORDER BY a.position) FROM product_alias a WHERE a.product_id = p.id),
       'identifiers', (SELECT jsonb_agg(i.type || ':' || i.value ORDER BY i.position) FROM identifier i WHERE i.product_id = p.id),
       'fields', (SELECT jsonb_agg(f.name ORDER BY f.position) FROM custom_field f WHERE f.product_id = p.id),
       'cycles', (SELECT jsonb_agg(jsonb_build_array(rc.position, rc.name, rc.release_date, rc.eol_flag, rc.eol_from, rc.latest)
                                   ORDER BY rc.position) FROM release_cycle rc WHERE rc.product_id = p.id)
     )::text AS state
     FROM product p`,
  );
  return new Map(rows.map((r) => [r.name, r.state]));
}
