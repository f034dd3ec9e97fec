import { packageBuildConfig } from '../../tsup.shared.js';

export default packageBuildConfig({
  entry: ['src/index.ts', 'src/vitest.ts', 'src/node.ts'],
  external: ['vitest', '@stowage/core'],
  // node:test exists only under its node: name; stripping the prefix would import a package 'test'.
  removeNodeProtocol: false,
});
