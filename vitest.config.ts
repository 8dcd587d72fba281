import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) builds. Node, and so every dependency,
    // loads the CommonJS one; Vite would hand our sources the ESM one, and two copies of graphql
    // break `instanceof GraphQLError`. Point ours at the copy Node uses, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
    pool: 'threads',
    // Directory failures are expected in many tests; keep their log lines out of the report.
    // @apollo/gateway otherwise probes cloud metadata addresses and reports anonymous usage to Apollo;
    // tests talk to 127.0.0.1 only.
    env: { LOG_LEVEL: 'silent', APOLLO_TELEMETRY_DISABLED: 'true' },
  },
});
