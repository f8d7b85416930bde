// The arguments `npm start` gives node: package.json's start script without its leading "node".
// The benchmarks and the tests that run the service as a process start it with exactly these, so
// what they measure and check is the service as it is deployed (heap limit included).
import { readFileSync } from 'node:fs';

export function startCommandArgs(): string[] {
  const path = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(path, 'utf8')) as { scripts: { start: string } };
  const [node, ...rest] = pkg.scripts.start.trim().split(/\s+/);
  if (node !== 'node') throw new Error(`package.json's start script does not start with node: ${pkg.scripts.start}`);
  return rest;
}
