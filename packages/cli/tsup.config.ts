import { defineConfig } from 'tsup';
import { packageBuildConfig } from '../../tsup.shared.js';

export default [
  packageBuildConfig(),
  // The executable: ESM only, with a shebang, marked executable once written.
  defineConfig({
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    target: 'node20',
    sourcemap: true,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
    onSuccess: 'chmod +x dist/bin.js',
  }),
];
