import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes migrations/ from the schema; no database is needed for that.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
