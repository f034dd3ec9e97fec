import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuildConfig } from '../../tsup.shared.js';

// `stowage --version` prints this; written into the build so nothing reads package.json at run time.
const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};
const env = { STOWAGE_CLI_VERSION: version };

export default [
  packageBuildConfig({ env }),
  // The executable: ESM only, with a shebang, marked executable once written.
  defineConfig({
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    target: 'node20',
    sourcemap: true,
    clean: false,
    env,
    banner: { js: '#!/usr/bin/env node' },
    onSuccess: 'chmod +x dist/bin.js',
  }),
];
