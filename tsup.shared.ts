import { defineConfig, type Options } from 'tsup';

/**
 * The build every published package shares: ESM and CommonJS with type declarations for each,
 * for Node 20. Packages pass their entry points and anything they need on top.
 */
export function packageBuildConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...overrides,
  });
}
