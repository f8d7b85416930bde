import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships ESM and CJS builds. Inside vitest `import 'graphql'` resolves to the ESM build
    // while CJS dependencies (graphql-armor) load the CJS one, and their
    // instanceof checks then fail silently. Everyone gets the CJS build.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql/index.js') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each integration test file works in its own database, so files may run in parallel.
    fileParallelism: true,
    reporters: ['default'],
  },
});
