import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * The vitest settings every package shares. Besides the console report, each run writes a JSON
 * report to .test-results/<package>.json, which scripts/test.sh sums into one closing line.
 */
export function packageTestConfig(packageDir: string, overrides: ViteUserConfig['test'] = {}) {
  const name = basename(packageDir);
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: resolve(root, '.test-results', `${name}.json`) },
      ...overrides,
    },
  });
}
