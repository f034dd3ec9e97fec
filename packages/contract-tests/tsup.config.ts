import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/vitest.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['vitest', '@stowage/core'],
  // node:test exists only under its node: name; stripping the prefix would import a package 'test'.
  removeNodeProtocol: false,
});
