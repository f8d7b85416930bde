// Prisma 7 configuration. The schema has no datasource url: the application opens the database
// itself through a driver adapter (src/db/), and migrations are applied by src/db/migrate.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
