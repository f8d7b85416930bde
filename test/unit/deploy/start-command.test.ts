// `npm start` and the image's CMD (which docker-compose uses as it is) start the service with the
// same node flags (the heap limit is part of how it is deployed: README, "Speed"). Written twice
// because each file's format needs it literally; this keeps them from drifting apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCommandArgs } from '../../../scripts/start-command.ts';
import { projectRoot } from '../../helpers/env.ts';

const read = (f: string) => readFileSync(join(projectRoot, f), 'utf8');

describe('the service start command', () => {
  const args = startCommandArgs();

  it('caps the old generation, lets it grow to twice what survived a collection, and runs src/index.ts', () => {
    expect(args).toContain('--max-old-space-size=256');
    expect(args).toContain('--heap-growing-percent=100');
    expect(args.at(-1)).toBe('src/index.ts');
  });

  it('is the same in the Dockerfile', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'));
    expect(cmd, 'Dockerfile has a CMD in exec form').not.toBeNull();
    expect(JSON.parse(cmd![1]!)).toEqual(['node', ...args]);
  });

  it("is the image's in docker-compose.yml (no command of its own)", () => {
    expect(read('docker-compose.yml')).not.toMatch(/^\s*(command|entrypoint):/m);
    expect(read('docker-compose.yml')).toMatch(/^\s+build: \.$/m);
  });
});
