import { createRequire } from "node:module";
import { configDefaults, defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) builds; Node resolves Yoga's import to the CJS one,
    // Vite would give our code the ESM one, and two copies break `instanceof GraphQLError`.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // test/postgres/ needs a PostgreSQL server (several processes on one database): collected only
    // with TEST_DATABASE_URL, never skipped.
    exclude: [...configDefaults.exclude, ...(process.env.TEST_DATABASE_URL ? [] : ["test/postgres/**"])],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only queue on the CPU and slow each PGlite instance.
    maxWorkers: 2,
  },
});
